"""The workspace pages as people use them, with and without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coalitions.models import Role
from plans import selectors, services
from plans.models import ChecklistTick, Notification, StepState
from tests.factories import CoalitionFactory, MembershipFactory


@pytest.fixture
def team(db):
    coalition = CoalitionFactory(name="Doña Ana Mobility")
    return {
        "coalition": coalition,
        "pm": MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat"),
        "dl": MembershipFactory(coalition=coalition, role=Role.DATA_LEAD, user__name="Dee"),
        "m1": MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Ann Lee"),
        "m2": MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Bo Diaz"),
        "viewer": MembershipFactory(coalition=coalition, role=Role.VIEWER),
    }


def url(team, name, *args):
    return reverse(f"plans:{name}", args=[team["coalition"].pk, *args])


def test_a_plain_form_post_saves_and_redirects(client, team):
    client.force_login(team["m1"].user)
    response = client.post(url(team, "worksheet", "w5_7"), {"version": 0, "narrative": "Our story"})
    assert response.status_code == 302
    saved = selectors.shared_response(team["coalition"], "w5_7")
    assert saved.data["narrative"] == "Our story" and saved.version == 1
    page = client.get(url(team, "worksheet", "w5_7")).content.decode()
    assert "Our story" in page and "Version 1, saved by Ann Lee" in page


def test_errors_show_at_the_field_with_what_was_typed_and_the_rest_saves(client, team):
    client.force_login(team["pm"].user)
    client.post(url(team, "worksheet", "w5_2"), {"version": 0, "due_date": "2026-05-01"})
    page = client.post(
        url(team, "worksheet", "w5_2"),
        {"version": 1, "due_date": "01/05/2026", "participation_mode": "all_members"},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Some answers need fixing" in text
    assert 'id="err-due_date"' in text and "year-month-day" in text
    assert 'value="01/05/2026"' in text  # what the person typed is still in the box
    saved = selectors.shared_response(team["coalition"], "w5_2")
    assert saved.data["due_date"] == "2026-05-01"  # the good earlier answer is kept
    assert saved.data["participation_mode"] == "all_members"  # the valid one is saved


def test_script_in_an_answer_is_shown_as_text(client, team):
    client.force_login(team["m1"].user)
    client.post(
        url(team, "worksheet", "w5_7"), {"version": 0, "narrative": "<script>alert(1)</script>"}
    )
    client.force_login(team["viewer"].user)
    text = client.get(url(team, "worksheet", "w5_7")).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_markdown_answers_are_sanitised(team):
    from plans.display import render_markdown

    html = render_markdown(
        "**bold** [link](javascript:alert(1)) <img src=x onerror=alert(1)> <a href='https://x.org'>ok</a>"
    )
    assert "<strong>bold</strong>" in html
    assert "javascript:" not in html and "onerror" not in html and "<img" not in html
    assert 'href="https://x.org"' in html


def test_tables_add_and_remove_rows_without_javascript(client, team):
    client.force_login(team["pm"].user)
    base = url(team, "worksheet", "w5_2")
    page = client.post(base, {"version": 0, "questions-rows": 1, "add_row": "questions"})
    assert page.content.decode().count('name="questions-') >= 2 * 2  # two empty rows to type in
    client.post(
        base,
        {
            "version": 0,
            "questions-rows": 2,
            "questions-0-question": "Why?",
            "questions-1-question": "How?",
        },
    )
    assert selectors.shared_response(team["coalition"], "w5_2").data["questions"] == [
        {"question": "Why?", "who_can_answer": None},
        {"question": "How?", "who_can_answer": None},
    ]
    client.post(
        base,
        {
            "version": 1,
            "questions-rows": 2,
            "questions-0-question": "Why?",
            "questions-1-question": "How?",
            "remove_row": "questions-0",
        },
    )
    response = selectors.shared_response(team["coalition"], "w5_2")
    assert [r["question"] for r in response.data["questions"]] == ["How?"]


def test_repeating_worksheets_add_records(client, team):
    client.force_login(team["dl"].user)
    base = url(team, "worksheet", "w5_4")
    page = client.post(base, {"version": 0, "records": 0, "add_record": "1"})
    assert "Data source 1" in page.content.decode()
    client.post(base, {"version": 1, "records": 1, "r0-source_name": "Transit survey"})
    data = selectors.shared_response(team["coalition"], "w5_4").data
    assert data["records"][0]["source_name"] == "Transit survey"


def test_autosave_answers_with_the_saved_state_and_the_new_version(client, team):
    client.force_login(team["m1"].user)
    answer = client.post(
        url(team, "worksheet_autosave", "w5_7"),
        {"version": 0, "narrative": "Typed"},
        HTTP_HX_REQUEST="true",
    )
    text = answer.content.decode()
    assert "Saved at" in text and "In progress</span>" in text
    assert 'id="version" value="1" hx-swap-oob="true"' in text
    bad = client.post(
        url(team, "worksheet_autosave", "w5_7"),
        {"version": 1, "narrative": "ok", "consensus": "nonsense"},
    ).content.decode()
    assert "Not saved:" in bad and "1 answer needs fixing" in bad
    assert 'id="err-consensus"' in bad and "not one of the choices" in bad


def test_a_stale_autosave_leads_to_the_conflict_screen_and_keeps_both(client, team):
    c = team["coalition"]
    services.worksheet_response_save(
        worksheet_key="w5_7",
        data={"narrative": "Ann wrote this"},
        base_version=0,
        actor=team["m1"],
    )
    client.force_login(team["m2"].user)
    stale = client.post(
        url(team, "worksheet_autosave", "w5_7"),
        {"version": 0, "narrative": "Bo wrote this", "consensus": ""},
    ).content.decode()
    assert "someone else saved this worksheet" in stale
    screen = client.get(url(team, "worksheet_conflict", "w5_7")).content.decode()
    assert "Ann wrote this" in screen and "Bo wrote this" in screen
    done = client.post(
        url(team, "worksheet_conflict", "w5_7"),
        {"version": 1, "choose-narrative": "both", "merge-narrative": "Ann and Bo"},
    )
    assert done.status_code == 302
    response = selectors.shared_response(c, "w5_7")
    assert response.data["narrative"] == "Ann and Bo" and response.version == 2
    history = client.get(url(team, "worksheet_history", "w5_7")).content.decode()
    assert "Ann wrote this" in history and "Ann and Bo" in history
    assert "Merged after a conflict" in history


def test_non_clashing_changes_merge_without_asking(client, team):
    c = team["coalition"]
    services.worksheet_response_save(
        worksheet_key="w5_7",
        data={"narrative": "A"},
        base_version=0,
        actor=team["m1"],
    )
    client.force_login(team["m2"].user)
    client.post(
        url(team, "worksheet", "w5_7"),
        {"version": 0, "narrative": "", "consensus": "broad_agreement"},
    )
    screen = client.get(url(team, "worksheet_conflict", "w5_7")).content.decode()
    assert "touch different answers" in screen
    client.post(url(team, "worksheet_conflict", "w5_7"), {"version": 1})
    data = selectors.shared_response(c, "w5_7").data
    assert data["narrative"] == "A" and data["consensus"] == "broad_agreement"


def test_roles_the_worksheet_does_not_name_read_only(client, team):
    client.force_login(team["m1"].user)  # W7.5 is filled by the project manager only
    page = client.get(url(team, "worksheet", "w7_5")).content.decode()
    assert "data-autosave" not in page
    assert client.post(url(team, "worksheet", "w7_5"), {"version": 0}).status_code == 403
    assert client.post(url(team, "worksheet_autosave", "w7_5"), {"version": 0}).status_code == 403


def test_history_restore(client, team, settings):
    settings.REVISION_COALESCE_MINUTES = 0  # a revision per save, so version 1 stays
    c = team["coalition"]
    for v, text in enumerate(["First", "Second"]):
        services.worksheet_response_save(
            worksheet_key="w5_7",
            data={"narrative": text},
            base_version=v,
            actor=team["m1"],
        )
    client.force_login(team["m2"].user)
    client.post(url(team, "worksheet_restore", "w5_7"), {"version": 1})
    assert selectors.shared_response(c, "w5_7").data["narrative"] == "First"
    client.force_login(team["viewer"].user)
    page = client.get(url(team, "worksheet_history", "w5_7")).content.decode()
    assert "Restored version 1" in page and "Restore version" not in page


def test_project_manager_ticks_the_checklist_and_sets_the_status(client, team):
    client.force_login(team["pm"].user)
    client.post(url(team, "step_checklist", 3), {"item": ["leadership_committed"]})
    tick = ChecklistTick.objects.get()
    assert tick.item_key == "leadership_committed" and tick.ticked_by == team["pm"].user
    client.post(url(team, "step_status", 3), {"status": "complete"})
    client.post(url(team, "step_status", 3), {"status": "in_progress"})
    state = StepState.objects.get(step=3)
    assert state.status == "in_progress" and state.reopened_count == 1
    page = client.get(url(team, "step", 3)).content.decode()
    assert "ticked by Pat" in page and "reopened once" in page


def test_dashboard_my_work_and_readiness(client, team):
    services.assignment_create(
        step=5,
        worksheet_key="w5_7",
        owner=team["m1"],
        due_date="2020-01-01",
        actor=team["pm"],
    )
    services.worksheet_response_save(
        worksheet_key="w3_1",
        data={"conditions": {"data_skills": {"rating": "dont_know"}}},
        base_version=0,
        actor=team["pm"],
    )
    client.force_login(team["m1"].user)
    dash = client.get(url(team, "steps")).content.decode()
    assert "was due 1 Jan 2020" in dash and "Pat saved <a" in dash
    mine = client.get(url(team, "my_work")).content.decode()
    assert "overdue since 1 Jan 2020" in mine and "5.7" in mine
    ready = client.get(url(team, "readiness")).content.decode()
    assert "Work on these first" in ready and "Don&#x27;t know" in ready


def test_pages_name_worksheets_by_number_and_find_them_by_role(client, team):
    services.assignment_create(
        step=5, worksheet_key="w5_7", owner=team["m1"], due_date="2020-01-01", actor=team["pm"]
    )
    client.force_login(team["m1"].user)
    overdue = client.get(url(team, "steps")).content.decode().split('id="overdue-heading"')[1]
    overdue = overdue.split("</section>")[0]
    assert "Worksheet 5.7" in overdue and ">Worksheet w5_7<" not in overdue
    ready = client.get(url(team, "readiness")).content.decode()
    assert url(team, "worksheet", "w3_1") in ready and "Worksheet 3.1" in ready
    assert "0 of 9 conditions rated" in ready
    step3 = client.get(url(team, "step", 3)).content.decode()
    assert url(team, "readiness") in step3
    assert url(team, "readiness") not in client.get(url(team, "step", 4)).content.decode()


def test_mention_notifications_show_in_the_nav_and_can_be_read(client, team):
    client.force_login(team["pm"].user)
    client.post(url(team, "worksheet_comment", "w5_7"), {"body": "Look @AnnLee", "field_key": ""})
    assert Notification.objects.filter(user=team["m1"].user).count() == 1
    client.force_login(team["m1"].user)
    assert "1 new" in client.get(url(team, "steps")).content.decode()
    client.post(url(team, "notifications"))
    assert "1 new" not in client.get(url(team, "steps")).content.decode()
    page = client.get(url(team, "worksheet", "w5_7")).content.decode()
    assert "Look @AnnLee" in page


def test_compilation_page_and_copy(client, team):
    c = team["coalition"]
    services.worksheet_response_save(
        worksheet_key="w5_2",
        data={"sharing_mode": "anonymized"},
        base_version=0,
        actor=team["dl"],
    )
    r = services.worksheet_response_save(
        worksheet_key="w5_1",
        data={"q5b_group_discussion": "Bus data"},
        base_version=0,
        actor=team["m1"],
        owner=team["m1"],
    )
    client.force_login(team["dl"].user)
    page = client.get(url(team, "compilation", "w5_1")).content.decode()
    assert "Bus data" in page and "Ann Lee" not in page
    client.post(
        url(team, "compilation", "w5_1"),
        {"point": [f"{r.response.pk}:q5b_group_discussion"], "target": "candidate_sources"},
    )
    data = selectors.shared_response(c, "w5_2").data
    assert data["candidate_sources"] == [{"source": "Bus data", "suggested_by_count": None}]
    # A member sees only their own answer, and the sharing notice.
    client.force_login(team["m2"].user)
    mine = client.get(url(team, "worksheet", "w5_1")).content.decode()
    assert "Bus data" not in mine and "without names" in mine


def test_a_file_answer_uploads_and_downloads_only_through_its_coalition(
    client, team, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(team["pm"].user)
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    client.post(url(team, "worksheet", "w3_2"), {"version": 0, "evidence_file": upload})
    value = selectors.shared_response(team["coalition"], "w3_2").data["evidence_file"]
    assert value["name"] == "letter.pdf"
    download = client.get(url(team, "worksheet_file", value["id"]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"
    assert 'filename="letter.pdf"' in download["Content-Disposition"]
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    page = client.post(url(team, "worksheet", "w3_2"), {"version": 1, "evidence_file": bad})
    assert "cannot be added here" in page.content.decode()
    other = MembershipFactory(role=Role.PROJECT_MANAGER)
    client.force_login(other.user)
    assert client.get(url(team, "worksheet_file", value["id"])).status_code == 404


def test_a_conflict_on_a_repeating_worksheet_shows_the_records_as_text(client, team):
    c = team["coalition"]
    services.worksheet_response_save(
        worksheet_key="w5_4",
        data={"records": [{"source_name": "Bus survey"}]},
        base_version=0,
        actor=team["dl"],
    )
    client.force_login(team["pm"].user)
    client.post(
        url(team, "worksheet", "w5_4"),
        {"version": 0, "records": 1, "r0-source_name": "Clinic data"},
    )
    screen = client.get(url(team, "worksheet_conflict", "w5_4")).content.decode()
    assert "Data source 1: Name of the data source: Bus survey" in screen or "Bus survey" in screen
    assert "{" not in screen.split("Their version")[1].split("</p>")[0]
    client.post(url(team, "worksheet_conflict", "w5_4"), {"version": 1, "choose-records": "mine"})
    data = selectors.shared_response(c, "w5_4").data
    assert data["records"][0]["source_name"] == "Clinic data"


def test_each_question_links_to_its_comments(client, team):
    services.comment_create(
        worksheet_key="w5_7",
        field_key="narrative",
        body="Is this right?",
        actor=team["m2"],
    )
    client.force_login(team["m1"].user)
    page = client.get(url(team, "worksheet", "w5_7") + "?about=consensus").content.decode()
    assert "1 comment on this question" in page
    assert '<option value="consensus" selected>' in page


def test_computed_guidance_ratio_section_status_and_prefill(client, team):
    seats = [{"race_ethnicity": "hispanic"}, {"race_ethnicity": "white_nh"}]
    seats += [{"race_ethnicity": "white_nh"}, {"race_ethnicity": "not_known"}]
    shares = {"hispanic": {"percent": 60}, "white_nh": {"percent": 30}}
    services.worksheet_response_save(
        worksheet_key="w2_4",
        data={"seats": seats, "pop_shares": shares},
        base_version=0,
        actor=team["pm"],
    )
    client.force_login(team["m1"].user)
    page = client.get(url(team, "worksheet", "w2_4")).content.decode()
    # Hispanic: a third of the described officials against 60% of residents.
    assert "Hispanic or Latino: 0.56 (officials 33%, residents 60%)" in page
    assert "0.56" in page and "2.22" in page
    status = client.get(url(team, "worksheet", "w9_4")).content.decode()
    assert "0 of" in status and "still open" in status
    answers = {
        "problem": "Low wages.",
        "solution": "We will campaign for a living wage",
        "impact_medium": "more jobs that pay a living wage",
        "impact_long": "families who thrive",
    }
    services.worksheet_response_save(
        worksheet_key="w7_3",
        data={"records": [answers]},
        base_version=0,
        actor=team["pm"],
    )
    form = client.get(url(team, "worksheet", "w7_3")).content.decode()
    assert (
        "To address low wages, we will campaign for a living wage, which will lead to more jobs "
        "that pay a living wage and, in the long term, to families who thrive." in form
    )


def test_markdown_only_where_the_definition_allows_it(client, team):
    client.force_login(team["m1"].user)
    client.post(url(team, "worksheet", "w5_7"), {"version": 0, "narrative": "**Bold** claim"})
    client.force_login(team["viewer"].user)
    page = client.get(url(team, "worksheet", "w5_7")).content.decode()
    assert "<strong>Bold</strong> claim" in page  # W5.7's narrative allows Markdown
    client.force_login(team["pm"].user)
    client.post(url(team, "worksheet", "w3_2"), {"version": 0, "resources": "**Not bold**"})
    client.force_login(team["viewer"].user)
    page = client.get(url(team, "worksheet", "w3_2")).content.decode()
    assert "**Not bold**" in page and "<strong>Not bold" not in page


def test_metric_answers_name_a_catalog_metric_and_show_the_local_value(
    client, team, django_capture_on_commit_callbacks
):
    from pathlib import Path

    from django.core.files.base import ContentFile

    from metrics import services as metric_services

    sample = Path(__file__).resolve().parent.parent / "fixtures" / "metrics"
    with django_capture_on_commit_callbacks(execute=True):
        metric_services.metric_import_start(
            actor=None,
            upload=ContentFile((sample / "county_2025_sample.csv").read_bytes(), name="c.csv"),
            release_name="2025",
        )
    c = team["coalition"]
    bad = services.worksheet_response_save(
        worksheet_key="w5_6",
        data={"records": [{"metric_of_interest": "happiness_index"}]},
        base_version=0,
        actor=team["dl"],
    )
    assert "not a Mobility Metric" in bad.errors["0.metric_of_interest"][0]
    services.worksheet_response_save(
        worksheet_key="w5_6",
        data={"records": [{"metric_of_interest": "share_employed"}]},
        base_version=bad.response.version,
        actor=team["dl"],
    )
    value = selectors.metric_value_for_coalition(c, "share_employed")
    assert value is not None and value.year and value.label
    client.force_login(team["dl"].user)
    page = client.get(url(team, "worksheet", "w5_6")).content.decode()
    assert f"{value.label} here: {value.value} ({value.year})" in page
    assert '<datalist id="metric-variables">' in page
    assert selectors.metric_value_for_coalition(c, "no_such_metric") is None


def test_answers_that_name_another_worksheets_record_get_suggestions(client, team):
    services.worksheet_response_save(
        worksheet_key="w5_4",
        data={"records": [{"source_name": "Transit survey"}, {"source_name": "School records"}]},
        base_version=0,
        actor=team["dl"],
    )
    client.force_login(team["dl"].user)
    page = client.get(url(team, "worksheet", "w5_5")).content.decode()
    assert '<datalist id="records-w5_4"><option value="Transit survey">' in page
    assert 'list="records-w5_4"' in page


def test_measures_start_from_the_strategic_actions(client, team):
    c = team["coalition"]
    actions = [
        {"strategic_action": "Pass a living wage law"},
        {"strategic_action": "Open a clinic"},
    ]
    services.worksheet_response_save(
        worksheet_key="w7_4",
        data={"records": actions},
        base_version=0,
        actor=team["pm"],
    )
    client.force_login(team["dl"].user)
    page = client.get(url(team, "worksheet", "w8_1")).content.decode()
    assert "Start the measures" in page
    assert '<option value="Pass a living wage law">' in page  # suggested for strategic_action
    client.post(url(team, "worksheet", "w8_1"), {"start_measures": "1"})
    rows = selectors.shared_response(c, "w8_1").data["records"]
    assert len(rows) == 10
    assert rows[0] == {"strategic_action": "Pass a living wage law", "element_type": "input"}
    assert rows[-1] == {"strategic_action": "Open a clinic", "element_type": "outcome_long"}
    again = client.post(url(team, "worksheet", "w8_1"), {"start_measures": "1"}, follow=True)
    assert "already has measures" in again.content.decode()


def test_the_data_lead_is_pointed_to_the_sharing_setting(client, team):
    services.worksheet_response_save(
        worksheet_key="w5_2",
        data={"sharing_mode": "anonymized"},
        base_version=0,
        actor=team["dl"],
    )
    client.force_login(team["dl"].user)
    page = client.get(url(team, "worksheet", "w5_1")).content.decode()
    assert url(team, "worksheet", "w5_2") + "#field-sharing_mode" in page
    client.force_login(team["m1"].user)
    assert (
        "Set how answers are shared"
        not in client.get(url(team, "worksheet", "w5_1")).content.decode()
    )


def test_files_in_repeating_worksheets_upload_stay_and_can_be_removed(client, team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(team["dl"].user)
    png = SimpleUploadedFile("map.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    client.post(
        url(team, "worksheet", "w5_6"),
        {
            "version": 0,
            "records": 1,
            "r0-metric_of_interest": "share_low_birth_weight",
            "r0-geo_file": png,
        },
    )
    saved = selectors.shared_response(team["coalition"], "w5_6")
    first = saved.data["records"][0]["geo_file"]
    assert first["name"] == "map.png"
    # Saving again without a new upload keeps the file; so does adding a record.
    client.post(
        url(team, "worksheet", "w5_6"),
        {
            "version": saved.version,
            "records": 1,
            "r0-metric_of_interest": "share_low_birth_weight",
            "r0-finding": "Higher for Black babies",
            "add_record": "1",
        },
    )
    saved = selectors.shared_response(team["coalition"], "w5_6")
    assert saved.data["records"][0]["geo_file"] == first
    assert saved.data["records"][0]["finding"] == "Higher for Black babies"
    client.post(
        url(team, "worksheet", "w5_6"),
        {
            "version": saved.version,
            "records": 1,
            "r0-metric_of_interest": "share_low_birth_weight",
            "r0-geo_file-clear": "on",
        },
    )
    saved = selectors.shared_response(team["coalition"], "w5_6")
    assert not saved.data["records"][0].get("geo_file")
