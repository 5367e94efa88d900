"""Correcting and deleting progress notes: the author or a project manager, on the action's
page and through the API, each change in the audit log; a note of a change of status stays."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from coalitions.models import CoalitionEvent, EventKind
from plans.implementation import services
from plans.implementation.models import ProgressNote
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(plan, member):
    return services.progress_note_add(actor=member, action=plan["wage"], text="Budgt approved")


def test_the_author_corrects_and_deletes_their_note_with_an_audit_line(note, member):
    services.progress_note_update(actor=member, note=note, text="Budget approved", public=True)
    note.refresh_from_db()
    assert (note.text, note.public) == ("Budget approved", True)
    corrected = CoalitionEvent.objects.get(kind=EventKind.NOTE_CORRECTED)
    assert corrected.actor == member.user and "Living wage ordinance" in corrected.details["label"]
    with pytest.raises(ValidationError):
        services.progress_note_update(actor=member, note=note, text="  ")
    services.progress_note_delete(actor=member, note=note)
    assert not ProgressNote.objects.filter(pk=note.pk).exists()
    deleted = CoalitionEvent.objects.get(kind=EventKind.RECORD_DELETED)
    assert "the progress note of" in deleted.details["label"]


def test_only_the_author_or_a_project_manager_may_change_a_note(note, team, pm):
    for who in ("viewer", "management_team", "data_lead"):
        with pytest.raises(PermissionDenied):
            services.progress_note_update(actor=team[who], note=note, text="Mine now")
        with pytest.raises(PermissionDenied):
            services.progress_note_delete(actor=team[who], note=note)
    # A project manager corrects the words, but publishing stays the author's choice.
    with pytest.raises(PermissionDenied):
        services.progress_note_update(actor=pm, note=note, text="Fixed", public=True)
    services.progress_note_update(actor=pm, note=note, text="Fixed")
    other = MembershipFactory(role="project_manager")
    with pytest.raises(PermissionDenied):
        services.progress_note_delete(actor=other, note=note)
    services.progress_note_delete(actor=pm, note=note)
    assert not ProgressNote.objects.filter(pk=note.pk).exists()


def test_a_note_of_a_change_of_status_keeps_its_status(plan, member):
    services.strategic_action_status_set(
        actor=member, action=plan["wage"], status="in_progress", note="Startd"
    )
    note = ProgressNote.objects.get(status="in_progress")
    with pytest.raises(ValidationError) as err:
        services.progress_note_delete(actor=member, note=note)
    assert "stays in the action's history" in str(err.value)
    services.progress_note_update(actor=member, note=note, text="")  # its words may go
    note.refresh_from_db()
    assert (note.text, note.status) == ("", "in_progress")


def test_the_page_offers_correcting_to_the_author_and_saves(client, note, member, team):
    coalition_id = note.action.coalition_id
    action_url = reverse("implementation:action", args=[coalition_id, note.action_id])
    edit_url = reverse("implementation:note_edit", args=[coalition_id, note.pk])
    client.force_login(team["management_team"].user)
    assert edit_url not in client.get(action_url).content.decode()
    assert client.get(edit_url).status_code == 403
    client.force_login(member.user)
    assert edit_url in client.get(action_url).content.decode()
    page = client.get(edit_url).content.decode()
    assert "Budgt approved" in page and "Delete this note" in page
    bad = client.post(edit_url, {"text": ""})
    assert bad.status_code == 200 and "This field is required." in bad.content.decode()
    response = client.post(edit_url, {"text": "Budget approved", "public": "on"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Budget approved" and note.public
    delete_url = reverse("implementation:note_delete", args=[coalition_id, note.pk])
    assert client.post(delete_url).status_code == 302
    assert "The note is deleted." in client.get(action_url).content.decode()
    assert not ProgressNote.objects.filter(pk=note.pk).exists()


@pytest.mark.parametrize(
    "principal, code",
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("viewer", 403),
        ("member", 200),
        ("management_team", 403),
        ("data_lead", 403),
        ("project_manager", 200),
    ],
)
def test_who_opens_a_notes_correction_page(client, note, team, principal, code):
    if principal == "outsider":
        client.force_login(UserFactory())
    elif principal != "anonymous":
        client.force_login(team[principal].user)
    url = reverse("implementation:note_edit", args=[note.action.coalition_id, note.pk])
    assert client.get(url).status_code == code


def test_the_api_corrects_and_deletes_a_note(client, note, member, team):
    coalition_id = note.action.coalition_id
    url = reverse("api:impl-note-detail", args=[coalition_id, note.pk])
    client.force_login(team["data_lead"].user)
    assert client.get(url).json()["text"] == "Budgt approved"
    refused = client.patch(url, {"text": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert client.delete(url).status_code == 403
    client.force_login(member.user)
    fixed = client.patch(url, {"text": "Budget approved"}, content_type="application/json")
    assert fixed.status_code == 200 and fixed.json()["text"] == "Budget approved"
    empty = client.patch(url, {"text": " "}, content_type="application/json")
    assert empty.status_code == 400 and "text" in empty.json()
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    other = MembershipFactory(role="project_manager")
    client.force_login(other.user)
    assert (
        client.get(reverse("api:impl-note-detail", args=[other.coalition_id, 1])).status_code == 404
    )
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    assert {"get", "patch", "delete"} <= set(
        schema["paths"]["/api/coalitions/{coalition_pk}/progress-notes/{id}/"]
    )


def test_the_activity_page_says_who_corrected_and_deleted_a_note(client, note, member, pm):
    services.progress_note_update(actor=member, note=note, text="Budget approved")
    services.progress_note_delete(actor=pm, note=note)
    client.force_login(pm.user)
    page = client.get(reverse("coalitions:activity", args=[pm.coalition_id])).content.decode()
    assert "corrected the progress note of" in page
    assert "deleted the progress note of" in page and "“Living wage ordinance”" in page
