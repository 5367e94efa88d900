"""Saving answers without losing work: versions, conflicts, history, sharing, steps, comments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from coalitions.models import CoalitionEvent, EventKind, Role, WorkingGroup
from plans import selectors, services
from plans.models import Notification, StepState, WorksheetResponse
from tests.factories import CoalitionFactory, MembershipFactory


@pytest.fixture
def team(db):
    coalition = CoalitionFactory()
    return {
        "coalition": coalition,
        "pm": MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat"),
        "dl": MembershipFactory(coalition=coalition, role=Role.DATA_LEAD, user__name="Dee Lead"),
        "m1": MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Ann Lee"),
        "m2": MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Bo Diaz"),
    }


def save(team, who, key, data, version, owner=None, **kw):
    return services.worksheet_response_save(
        worksheet_key=key,
        data=data,
        base_version=version,
        actor=team[who],
        owner=owner,
        **kw,
    )


def test_each_save_makes_a_version_and_a_revision_and_starts_the_step(team):
    first = save(team, "m1", "w5_7", {"narrative": "One"}, 0)
    assert first.changed and first.response.version == 1
    second = save(team, "m2", "w5_7", {"narrative": "Two"}, 1)
    assert second.response.version == 2
    assert list(second.response.revisions.values_list("version", "author__name")) == [
        (2, "Bo Diaz"),
        (1, "Ann Lee"),
    ]
    assert StepState.objects.get(coalition=team["coalition"], step=5).status == "in_progress"
    # Saving the same answers again (autosave while idle) makes no new version.
    assert save(team, "m2", "w5_7", {"narrative": "Two"}, 2).changed is False


def test_a_stale_version_is_refused_and_nothing_is_overwritten(team):
    save(team, "m1", "w5_7", {"narrative": "Mine first"}, 0)
    with pytest.raises(services.WorksheetConflict) as exc:
        save(team, "m2", "w5_7", {"narrative": "Theirs, from an old page"}, 0)
    assert exc.value.attempted == {"narrative": "Theirs, from an old page"}
    response = selectors.shared_response(team["coalition"], "w5_7")
    assert response.data["narrative"] == "Mine first" and response.version == 1


def test_a_page_racing_its_own_autosave_is_not_a_conflict(team):
    save(team, "m1", "w5_7", {"narrative": "Autosaved"}, 0, editor="page-a")
    # The Save button of the same page still carries version 0: no conflict with itself.
    result = save(team, "m1", "w5_7", {"narrative": "Saved"}, 0, editor="page-a")
    assert result.response.version == 2
    with pytest.raises(services.WorksheetConflict):
        save(team, "m1", "w5_7", {"narrative": "Other tab"}, 0, editor="page-b")


@pytest.mark.parametrize(
    ("key", "data", "field", "message"),
    [
        ("w5_7", {"narrative": "x" * 10_001}, "narrative", "the limit is 10,000"),
        ("w3_1", {"overall": "ready_now_please"}, "overall", "is not one of the choices"),
        ("w5_2", {"due_date": "31/03/2026"}, "due_date", "year-month-day"),
        ("w5_2", {"due_date": "2026-02-30"}, "due_date", "not a real date"),
        ("w5_2", {"insights": [{"theme": f"t{i}"} for i in range(61)]}, "insights", "limit is 60"),
        ("w5_3", {"notes_url": "javascript:alert(1)"}, "notes_url", "http"),
    ],
)
def test_bad_input_is_reported_at_the_field_and_the_saved_answer_stays(
    team, key, data, field, message
):
    from plans import definitions

    ws = definitions.worksheet(key)
    good = {f.key: "kept" for f in ws.fields if f.type == "short_text"}
    first = save(team, "pm", key, good, 0)
    previous = first.response.data.get(field)
    result = save(team, "pm", key, {**data, **good}, first.response.version)
    assert message in " ".join(result.errors[field])
    assert result.response.data.get(field) == previous
    for k in good:
        assert result.response.data[k] == "kept"


def test_the_api_mode_saves_nothing_when_one_answer_is_wrong(team):
    result = save(
        team,
        "pm",
        "w5_2",
        {"due_date": "tomorrow", "participation_mode": "all_members"},
        0,
        all_or_nothing=True,
    )
    assert result.errors and not result.changed
    assert result.response.version == 0


def test_a_person_answer_must_be_a_member_of_this_coalition(team):
    other = MembershipFactory()  # someone from another coalition
    result = save(team, "pm", "w7_5", {"final_approved_by": other.pk}, 0)
    assert "member of this coalition" in result.errors["final_approved_by"][0]
    ok = save(team, "pm", "w7_5", {"final_approved_by": team["m1"].pk}, 0)
    assert ok.response.data["final_approved_by"] == team["m1"].pk


def test_restore_brings_back_an_old_version_as_a_new_one(team):
    save(team, "m1", "w5_7", {"narrative": "First"}, 0)
    save(team, "m2", "w5_7", {"narrative": "Second"}, 1)
    response = selectors.shared_response(team["coalition"], "w5_7")
    restored = services.worksheet_response_restore(
        actor=team["pm"], worksheet_key=response.worksheet_key, version=1
    )
    assert restored.version == 3 and restored.data["narrative"] == "First"
    history = selectors.revision_history(restored)
    assert history.items[0].revision.note == "Restored version 1"
    assert [(c.before, c.after) for c in history.items[0].changes] == [("Second", "First")]
    with pytest.raises(ValidationError):
        services.worksheet_response_restore(
            actor=team["pm"], worksheet_key=restored.worksheet_key, version=99
        )


def test_members_wait_for_the_sharing_setting_then_it_only_gets_more_private(team):
    with pytest.raises(ValidationError, match="not yet said"):
        save(team, "m1", "w5_1", {"q5b_group_discussion": "x"}, 0, owner=team["m1"])
    save(team, "dl", "w5_2", {"sharing_mode": "anonymized"}, 0)
    save(team, "m1", "w5_1", {"q5b_group_discussion": "My view"}, 0, owner=team["m1"])
    # More open is refused once answers are in; more private is fine.
    opened = save(team, "dl", "w5_2", {"sharing_mode": "attributed"}, 1)
    assert "more private" in opened.errors["sharing_mode"][0]
    assert opened.response.data["sharing_mode"] == "anonymized"
    closed = save(team, "dl", "w5_2", {"sharing_mode": "not_shared"}, 1)
    assert closed.errors == {} and closed.response.data["sharing_mode"] == "not_shared"


def test_each_member_has_their_own_individual_answer(team):
    save(team, "dl", "w5_2", {"sharing_mode": "anonymized"}, 0)
    save(team, "m1", "w5_1", {"q5b_group_discussion": "Ann's"}, 0, owner=team["m1"])
    save(team, "m2", "w5_1", {"q5b_group_discussion": "Bo's"}, 0, owner=team["m2"])
    answers = WorksheetResponse.objects.filter(worksheet_key="w5_1").order_by("owner__user__name")
    assert [a.data["q5b_group_discussion"] for a in answers] == ["Ann's", "Bo's"]
    with pytest.raises(ValidationError):
        save(team, "m1", "w5_1", {}, 0)  # an individual worksheet needs its owner


def test_compilation_is_anonymous_unless_named_and_copies_points(team):
    save(team, "dl", "w5_2", {"sharing_mode": "anonymized"}, 0)
    r1 = save(team, "m1", "w5_1", {"q5b_group_discussion": "Transit data"}, 0, owner=team["m1"])
    save(team, "m2", "w5_1", {"q5b_group_discussion": "School data"}, 0, owner=team["m2"])
    from plans import definitions

    ws = definitions.worksheet("w5_1")
    compiled = selectors.compilation(team["coalition"], ws)
    whos = [c["who"] for c in compiled["columns"]]
    assert all(w.startswith("Member ") for w in whos)
    assert "Ann Lee" not in str(compiled) and "Bo Diaz" not in " ".join(whos)
    result = services.compilation_copy(
        worksheet_key="w5_1",
        points=[(r1.response.pk, "q5b_group_discussion")],
        target_field="questions",
        actor=team["dl"],
    )
    assert result.response.data["questions"] == [
        {"question": "Transit data", "who_can_answer": None}
    ]
    assert "Copied 1 points" in result.response.revisions.first().note


def test_compilation_names_people_when_the_data_lead_chose_so(team):
    save(team, "dl", "w5_2", {"sharing_mode": "attributed"}, 0)
    save(team, "m1", "w5_1", {"q5b_group_discussion": "Transit"}, 0, owner=team["m1"])
    from plans import definitions

    compiled = selectors.compilation(team["coalition"], definitions.worksheet("w5_1"))
    assert [c["who"] for c in compiled["columns"]] == ["Ann Lee"]


def test_step_status_checklist_and_reopening(team):
    actor, pm = team["pm"], team["pm"].user
    tick = services.checklist_tick_set(
        step=3, item_key="leadership_committed", ticked=True, actor=actor
    )
    assert tick.ticked_by == pm
    with pytest.raises(ValidationError):
        services.checklist_tick_set(step=3, item_key="nope", ticked=True, actor=actor)
    state = services.step_status_set(step=3, status="complete", actor=actor)
    assert state.completed_at is not None
    state = services.step_status_set(step=3, status="in_progress", actor=actor)
    assert state.reopened_count == 1 and state.completed_at is None


def test_assignments_mine_and_overdue(team):
    c = team["coalition"]
    group = WorkingGroup.objects.create(coalition=c, name="Data team")
    group.members.add(team["m1"])
    services.assignment_create(
        step=5,
        worksheet_key="w5_4",
        working_group=group,
        due_date=dt.date(2020, 1, 1),
        actor=team["pm"],
    )
    services.assignment_create(
        step=6, owner=team["m2"], due_date=dt.date(2999, 1, 1), actor=team["pm"]
    )
    assert [a.worksheet_key for a in selectors.my_assignments(c, team["m1"])] == ["w5_4"]
    assert [a.step for a in selectors.overdue_assignments(c)] == [5]
    with pytest.raises(ValidationError):
        services.assignment_create(step=5, worksheet_key="w6_1", owner=team["m1"], actor=team["pm"])
    with pytest.raises(ValidationError):
        services.assignment_create(step=5, actor=team["pm"])


def test_mentions_notify_in_the_app_and_by_email(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(
            worksheet_key="w5_7",
            field_key="narrative",
            body="@AnnLee can you check this? @nobody @Pat",
            actor=team["pm"],
        )
    notes = Notification.objects.all()
    assert [n.user for n in notes] == [team["m1"].user]  # not the author, not unknown handles
    assert "mentioned you on 5.7" in notes[0].text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [team["m1"].user.email]
    assert "can you check this?" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        services.comment_create(worksheet_key="w5_7", body="  ", actor=team["pm"])


def test_readiness_summary_puts_dont_know_and_low_ratings_first(team):
    conditions = {
        "staff_buy_in": {"rating": 4},
        "data_skills": {"rating": "dont_know"},
        "culture_for_change": {"rating": 1},
        "learning_commitment": {"rating": 2},
    }
    save(team, "pm", "w3_1", {"conditions": conditions}, 0)
    summary = selectors.readiness_summary(team["coalition"])
    assert [r["key"] for r in summary["needs_work"]] == [
        "data_skills",
        "culture_for_change",
        "learning_commitment",
    ]
    assert summary["rows"][-1]["key"] == "staff_buy_in"
    assert summary["rated"] == 3


def test_a_mail_server_that_is_down_does_not_lose_the_comment(
    team, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("notifications.services.email_send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(
            worksheet_key="w5_7",
            body="@AnnLee see this",
            actor=team["pm"],
        )
    assert comment.pk and Notification.objects.filter(user=team["m1"].user).exists()


# --- every service checks the actor's role itself (docs/permissions.md) --------------------


@pytest.fixture
def more(team):
    c = team["coalition"]
    return {
        **team,
        "viewer": MembershipFactory(coalition=c, role=Role.VIEWER, user__name="Vi"),
        "mt": MembershipFactory(coalition=c, role=Role.MANAGEMENT_TEAM, user__name="Mo"),
    }


def test_worksheet_answers_only_from_roles_the_worksheet_names(more):
    with pytest.raises(PermissionDenied):
        save(more, "viewer", "w5_7", {"narrative": "No"}, 0)
    with pytest.raises(PermissionDenied):  # W3.1: project manager and management team
        save(more, "m1", "w3_1", {"overall": "ready"}, 0)
    assert save(more, "mt", "w3_1", {"overall": "ready"}, 0).changed
    with pytest.raises(PermissionDenied):  # W5.2: data lead and project manager
        save(more, "mt", "w5_2", {"sharing_mode": "anonymized"}, 0)
    assert not WorksheetResponse.objects.filter(worksheet_key="w5_2").exists()


def test_individual_answers_are_given_only_by_their_owner(more):
    save(more, "dl", "w5_2", {"sharing_mode": "anonymized"}, 0)
    with pytest.raises(PermissionDenied):
        save(more, "m1", "w5_1", {"q5b_group_discussion": "For Bo"}, 0, owner=more["m2"])
    with pytest.raises(PermissionDenied):
        save(more, "pm", "w5_1", {"q5b_group_discussion": "For Ann"}, 0, owner=more["m1"])
    assert not WorksheetResponse.objects.filter(worksheet_key="w5_1").exists()


def test_mark_restore_and_files_follow_the_worksheet_rules(more, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.REVISION_COALESCE_MINUTES = 0  # a revision per save, so version 1 stays

    save(more, "pm", "w3_1", {"overall": "ready"}, 0)
    save(more, "pm", "w3_1", {"overall": "build_first"}, 1)
    for who in ("viewer", "m1"):
        with pytest.raises(PermissionDenied):
            services.worksheet_response_mark(actor=more[who], worksheet_key="w3_1", complete=False)
        with pytest.raises(PermissionDenied):
            services.worksheet_response_restore(actor=more[who], worksheet_key="w3_1", version=1)
    restored = services.worksheet_response_restore(
        actor=more["mt"], worksheet_key="w3_1", version=1
    )
    assert restored.data["overall"] == "ready"
    with pytest.raises(ValidationError, match="Answer some questions first"):
        services.worksheet_response_mark(actor=more["pm"], worksheet_key="w5_7", complete=True)
    upload = SimpleUploadedFile("notes.pdf", b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(PermissionDenied):
        services.worksheet_file_store(
            actor=more["m1"], worksheet_key="w3_2", field_key="evidence_file", upload=upload
        )


def test_steps_checklists_assignments_comments_and_compilation_check_the_role(more):
    with pytest.raises(PermissionDenied):
        services.step_status_set(actor=more["dl"], step=3, status="complete")
    with pytest.raises(PermissionDenied):
        services.checklist_tick_set(
            actor=more["dl"], step=3, item_key="leadership_committed", ticked=True
        )
    with pytest.raises(PermissionDenied):
        services.assignment_create(actor=more["m1"], step=5, owner=more["m2"])
    assignment = services.assignment_create(actor=more["mt"], step=5, owner=more["m2"])
    with pytest.raises(PermissionDenied):
        services.assignment_delete(actor=more["m1"], assignment=assignment)
    outsider = MembershipFactory(role=Role.PROJECT_MANAGER)  # of another coalition
    with pytest.raises(PermissionDenied):
        services.assignment_delete(actor=outsider, assignment=assignment)
    services.assignment_delete(actor=more["mt"], assignment=assignment)
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=more["viewer"], worksheet_key="w5_7", body="Hi")
    with pytest.raises(PermissionDenied):
        services.compilation_copy(
            actor=more["mt"], worksheet_key="w5_1", points=[], target_field="questions"
        )
    with pytest.raises(PermissionDenied):
        services.measures_start(actor=more["viewer"])


def test_a_step_status_change_is_in_the_audit_log(team):
    pm = team["pm"]
    services.step_status_set(actor=pm, step=3, status="complete")
    services.step_status_set(actor=pm, step=3, status="complete")  # no change: no new line
    services.step_status_set(actor=pm, step=3, status="in_progress")
    events = CoalitionEvent.objects.filter(
        coalition=team["coalition"], kind=EventKind.STEP_STATUS_CHANGED
    ).order_by("pk")
    assert [(e.actor, e.details["status"]) for e in events] == [
        (pm.user, "complete"),
        (pm.user, "in_progress"),
    ]
    assert events[0].details["label"].startswith("Step 3: ")
    assert "Complete" in events[0].details["label"]


# --- selectors read one coalition only -------------------------------------------------------


def test_selectors_ignore_other_coalitions_rows(team):
    other = CoalitionFactory()
    their_pm = MembershipFactory(coalition=other, role=Role.PROJECT_MANAGER, user=team["pm"].user)
    services.worksheet_response_save(
        actor=their_pm, worksheet_key="w5_7", data={"narrative": "Theirs"}, base_version=0
    )
    services.assignment_create(actor=their_pm, step=5, owner=their_pm, due_date=dt.date(2020, 1, 1))
    their_member = MembershipFactory(coalition=other, role=Role.MEMBER)
    services.comment_create(actor=their_member, worksheet_key="w5_7", body="@Pat theirs")
    services.step_status_set(actor=their_pm, step=6, status="complete")
    c, pm = team["coalition"], team["pm"]
    assert selectors.shared_response(c, "w5_7") is None
    assert selectors.record_names(c, "w5_7") == []
    assert selectors.overdue_assignments(c) == []
    assert list(selectors.my_assignments(c, pm)) == []
    assert selectors.recent_activity(c) == []
    assert list(selectors.comments_for(c, "w5_7")) == []
    assert list(selectors.notifications_for(pm.user, c)) == []
    rows = {r.step.number: r for r in selectors.steps_overview(c, pm)}
    assert rows[5].status == "not_started" and rows[6].status == "not_started"
    # The same reads in the other coalition do find its rows.
    assert selectors.shared_response(other, "w5_7") is not None
    assert len(selectors.overdue_assignments(other)) == 1
    assert len(selectors.notifications_for(pm.user, other)) == 1
