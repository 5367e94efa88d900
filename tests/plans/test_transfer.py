"""The whole workspace exports to one JSON file and imports into a fresh coalition intact."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from coalitions.models import CoalitionEvent, EventKind, Role, WorkingGroup
from plans import definitions, services, transfer
from tests.factories import CoalitionFactory, MembershipFactory, UserFactory
from tests.plans.helpers import sample_data, store_superseded, without_superseded


def _strip(payload):
    return {k: v for k, v in payload.items() if k not in ("exported_at", "coalition")}


@pytest.fixture
def filled(db, django_capture_on_commit_callbacks):
    coalition = CoalitionFactory(name="Source")
    pm = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat")
    m1 = MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Ann Lee")
    services.worksheet_response_save(
        worksheet_key="w5_2",
        data={"sharing_mode": "anonymized"},
        base_version=0,
        actor=pm,
    )
    for ws in definitions.worksheets():
        owner = m1 if ws.filled_by.mode == "individual" else None
        current = ws.key == "w5_2"
        data = sample_data(ws, m1.pk)
        if ws.key == "w5_2":
            data["sharing_mode"] = "anonymized"
        services.worksheet_response_save(
            worksheet_key=ws.key,
            data=without_superseded(ws, data),
            base_version=1 if current else 0,
            actor=(m1 if owner else pm),
            owner=owner,
        )
        # The early wins typed in W10.1 before they were records: kept, and exported.
        store_superseded(coalition, ws, data, owner)
    services.worksheet_response_save(
        worksheet_key="w5_7",
        data={"narrative": "Second version"},
        base_version=1,
        actor=m1,
    )
    services.step_status_set(step=1, status="complete", actor=pm)
    services.checklist_tick_set(step=3, item_key="leadership_committed", ticked=True, actor=pm)
    group = WorkingGroup.objects.create(coalition=coalition, name="Data team")
    services.assignment_create(
        step=5,
        worksheet_key="w5_4",
        working_group=group,
        due_date=dt.date(2026, 6, 1),
        actor=pm,
    )
    services.assignment_create(step=6, owner=m1, actor=pm)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(
            worksheet_key="w5_7",
            field_key="narrative",
            body="Thanks @AnnLee",
            actor=pm,
        )
    return coalition, pm, m1


def test_round_trip_into_a_fresh_coalition_loses_nothing(filled):
    source, pm, m1 = filled
    exported = transfer.workspace_export(actor=pm)
    assert len(exported["responses"]) == 47
    text = json.dumps(exported)  # plain JSON
    target = CoalitionFactory(name="Target")
    new_pm = MembershipFactory(coalition=target, role=Role.PROJECT_MANAGER, user=pm.user)
    MembershipFactory(coalition=target, role=Role.MEMBER, user=m1.user)
    counts = transfer.workspace_import(payload=json.loads(text), actor=new_pm)
    assert counts["responses"] == len(exported["responses"])
    again = transfer.workspace_export(actor=new_pm)
    assert _strip(again) == _strip(exported)
    # Person answers now point at the member in the new coalition.
    w7_5 = target.worksheet_responses.get(worksheet_key="w7_5")
    assert w7_5.data["final_approved_by"] == target.memberships.get(user=m1.user).pk


def test_import_refuses_a_coalition_with_answers_or_missing_members(filled):
    source, pm, m1 = filled
    exported = transfer.workspace_export(actor=pm)
    with pytest.raises(ValidationError, match="already has answers"):
        transfer.workspace_import(payload=exported, actor=pm)
    target = CoalitionFactory()
    target_pm = MembershipFactory(coalition=target, role=Role.PROJECT_MANAGER, user=UserFactory())
    with pytest.raises(ValidationError, match=m1.user.email):
        transfer.workspace_import(payload=exported, actor=target_pm)
    with pytest.raises(ValidationError, match="not a workspace export"):
        transfer.workspace_import(payload={"x": 1}, actor=target_pm)


def test_export_and_import_pages(client, filled):
    source, pm, m1 = filled
    client.force_login(pm.user)
    download = client.get(reverse("plans:workspace_export", args=[source.pk]))
    assert "attachment" in download["Content-Disposition"]
    target = CoalitionFactory()
    MembershipFactory(coalition=target, role=Role.PROJECT_MANAGER, user=pm.user)
    MembershipFactory(coalition=target, role=Role.MEMBER, user=m1.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("w.json", download.content, content_type="application/json")
    done = client.post(reverse("plans:workspace_import", args=[target.pk]), {"file": upload})
    assert done.status_code == 302
    assert target.worksheet_responses.count() == source.worksheet_responses.count()
    junk = SimpleUploadedFile("w.json", b"\xff\xfe not json")
    page = client.post(reverse("plans:workspace_import", args=[target.pk]), {"file": junk})
    assert "not a workspace export" in page.content.decode()


def test_a_damaged_or_edited_file_is_refused_and_nothing_is_imported(filled):
    source, pm, m1 = filled
    exported = transfer.workspace_export(actor=pm)
    target = CoalitionFactory()
    target_pm = MembershipFactory(coalition=target, role=Role.PROJECT_MANAGER, user=pm.user)
    MembershipFactory(coalition=target, role=Role.MEMBER, user=m1.user)
    damaged = json.loads(json.dumps(exported))
    damaged["responses"][3].pop("version")
    with pytest.raises(ValidationError, match="damaged"):
        transfer.workspace_import(payload=damaged, actor=target_pm)
    edited = json.loads(json.dumps(exported))
    w5_7 = next(r for r in edited["responses"] if r["worksheet"] == "w5_7")
    w5_7["data"]["narrative"] = "x" * 20_000
    with pytest.raises(ValidationError, match="5.7 narrative"):
        transfer.workspace_import(payload=edited, actor=target_pm)
    assert target.worksheet_responses.count() == 0


def test_export_and_import_are_for_the_project_manager_and_in_the_audit_log(filled):
    source, pm, m1 = filled
    data_lead = MembershipFactory(coalition=source, role=Role.DATA_LEAD)
    with pytest.raises(PermissionDenied):
        transfer.workspace_export(actor=data_lead)
    assert not CoalitionEvent.objects.filter(kind=EventKind.WORKSPACE_EXPORTED).exists()
    exported = transfer.workspace_export(actor=pm)
    exports = CoalitionEvent.objects.filter(coalition=source, kind=EventKind.WORKSPACE_EXPORTED)
    assert [e.actor for e in exports] == [pm.user]
    target = CoalitionFactory()
    target_pm = MembershipFactory(coalition=target, role=Role.PROJECT_MANAGER, user=pm.user)
    target_lead = MembershipFactory(coalition=target, role=Role.DATA_LEAD, user=m1.user)
    with pytest.raises(PermissionDenied):
        transfer.workspace_import(actor=target_lead, payload=exported)
    assert target.worksheet_responses.count() == 0
    transfer.workspace_import(actor=target_pm, payload=exported)
    imports = CoalitionEvent.objects.filter(coalition=target, kind=EventKind.WORKSPACE_IMPORTED)
    assert [(e.actor, e.details["label"]) for e in imports] == [(pm.user, "“Source”")]


def test_authors_are_matched_only_among_the_coalitions_members(client, filled):
    # Finding 6: a forged file names an outsider with an account as the author of a comment
    # and a version; the import neither attributes it to them nor reveals their name.
    source, pm, m1 = filled
    outsider = UserFactory(name="Olga Outsider", email="olga@elsewhere.org")
    exported = transfer.workspace_export(actor=pm)
    exported["comments"][0]["author"] = outsider.email
    w5_7 = next(r for r in exported["responses"] if r["worksheet"] == "w5_7")
    w5_7["revisions"][0]["author"] = "OLGA@elsewhere.org"
    target = CoalitionFactory()
    MembershipFactory(coalition=target, role=Role.PROJECT_MANAGER, user=pm.user)
    MembershipFactory(coalition=target, role=Role.MEMBER, user=m1.user)
    client.force_login(pm.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("w.json", json.dumps(exported).encode())
    done = client.post(
        reverse("plans:workspace_import", args=[target.pk]), {"file": upload}, follow=True
    )
    page = done.content.decode()
    assert "not members of this coalition" in page and "olga@elsewhere.org" in page
    assert "Olga Outsider" not in page
    comment = target.worksheet_comments.get()
    assert comment.author is None
    revision = target.worksheet_responses.get(worksheet_key="w5_7").revisions.get(version=1)
    assert revision.author is None
    # The members' own work keeps its authors.
    assert (
        target.worksheet_responses.get(worksheet_key="w5_7").revisions.get(version=2).author
        == m1.user
    )
    history = client.get(reverse("plans:worksheet_history", args=[target.pk, "w5_7"]))
    assert "Former member" in history.content.decode()
    assert "Olga" not in history.content.decode()


def test_the_import_report_lists_authors_who_are_not_members(filled):
    source, pm, m1 = filled
    exported = transfer.workspace_export(actor=pm)
    exported["checklist"][0]["ticked_by"] = "left@example.org"
    target = CoalitionFactory()
    new_pm = MembershipFactory(coalition=target, role=Role.PROJECT_MANAGER, user=pm.user)
    MembershipFactory(coalition=target, role=Role.MEMBER, user=m1.user)
    counts = transfer.workspace_import(payload=exported, actor=new_pm)
    assert counts["authors_not_members"] == ["left@example.org"]
