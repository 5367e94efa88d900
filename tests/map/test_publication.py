"""What the plan publishes: the project manager's page and API, the public preview, and
frozen versions that keep the choices they were built with."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.map import services
from plans.map.document import PUBLIC, build_document
from plans.map.models import MapVisibility, SectionChoice
from plans.map.presentation import row_id
from plans.selectors import shared_response
from tests.map.sample_plan import (
    SECRET,
    fill_every_feeding_worksheet,
    found_keys,
    raw_keys,
    texts_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(coalition, pm):
    fill_every_feeding_worksheet(pm)
    return coalition


def _doc_text(document) -> str:
    return "\n".join(t for s in document["sections"] for t in texts_of(s["blocks"]))


def test_the_public_document_keeps_internal_answers_out_and_reads_well(filled, team):
    public = build_document(filled, audience=PUBLIC)
    text = _doc_text(public)
    assert "Row " not in text and SECRET not in text
    assert found_keys(text.split("\n"), raw_keys()) == set()
    for member in team.values():
        assert member.user.display_name not in text
    internal = build_document(filled)
    internal_text = _doc_text(internal)
    assert SECRET in internal_text and "Internal: not published" in internal_text


def test_preview_page_shows_exactly_the_public_document(client, filled, team):
    client.force_login(team["viewer"].user)
    page = client.get(reverse("map:preview_public", args=[filled.pk])).content.decode()
    assert "Preview as the public." in page
    assert SECRET not in page and "Internal: not published" not in page
    # The same blocks the public document has, in the public page's template.
    public = build_document(filled, audience=PUBLIC)
    for section in public["sections"]:
        assert f'id="sec-{section["key"]}"' in page
    assert "Who we set out to bring in" in page  # W4.2's public part
    assert "Payment offered" not in page


def test_the_publication_page_saves_a_project_managers_choices(client, filled, team):
    url = reverse("map:section_publication", args=[filled.pk, "M3"])
    client.force_login(team["member"].user)
    page = client.get(url).content.decode()
    assert "Only the project manager changes what the plan publishes." in page
    assert client.post(url, {"vis|w4_4|invites": "public"}).status_code == 403
    assert not MapVisibility.objects.exists()
    client.force_login(team["project_manager"].user)
    page = client.get(url).content.decode()
    assert 'name="vis|w4_4|invites"' in page and "Invitations" in page
    sessions = shared_response(filled, "w6_7").data["sessions"]
    response = client.post(
        url,
        {
            "vis|w4_4|invites": "public",
            "vis|w4_4|invites.invitee": "public",
            "mode|w6_7|sessions": "chosen",
            "row|w6_7|sessions": [row_id(sessions[0])],
        },
    )
    assert response.status_code == 302
    assert set(MapVisibility.objects.values_list("field_path", flat=True)) == {
        "invites",
        "invites.invitee",
    }
    assert SectionChoice.objects.get(worksheet_key="w6_7").rows == [row_id(sessions[0])]
    text = _doc_text(build_document(filled, audience=PUBLIC))
    assert f"{SECRET} w4_4.invites.invitee" in text
    assert "sessions.feedback (W6.7, 1)" in text and "sessions.feedback (W6.7, 2)" not in text


def test_a_bad_choice_on_the_page_says_why_and_saves_nothing(client, filled, team):
    client.force_login(team["project_manager"].user)
    url = reverse("map:section_publication", args=[filled.pk, "M3"])
    response = client.post(
        url,
        {"vis|w4_4|invites": "public", "mode|w6_7|sessions": "chosen", "row|w6_7|sessions": "x"},
        follow=True,
    )
    assert "These rows are not in the worksheet" in response.content.decode()
    assert not MapVisibility.objects.exists()  # all or nothing


def test_the_api_reads_and_changes_what_a_section_publishes(api_client, filled, team):
    url = reverse("api:map-section-publication", args=[filled.pk, "M3"])
    api_client.force_login(team["viewer"].user)
    read = api_client.get(url)
    assert read.status_code == 200
    w44 = next(w for w in read.json() if w["key"] == "w4_4")
    invites = next(a for a in w44["answers"] if a["path"] == "invites")
    assert invites == {
        "path": "invites",
        "question": "Invitations",
        "default": "internal",
        "visibility": "internal",
        "is_column": False,
    }
    change = {"visibility": [{"worksheet": "w4_4", "field": "invites", "visibility": "public"}]}
    assert api_client.patch(url, change, format="json").status_code == 403
    api_client.force_login(team["project_manager"].user)
    changed = api_client.patch(url, change, format="json")
    assert changed.status_code == 200
    w44 = next(w for w in changed.json() if w["key"] == "w4_4")
    assert next(a for a in w44["answers"] if a["path"] == "invites")["visibility"] == "public"
    sessions = next(w for w in changed.json() if w["key"] == "w6_7")["groups"][0]
    chosen = {
        "choices": [{"worksheet": "w6_7", "field": "sessions", "rows": [sessions["rows"][1]["id"]]}]
    }
    after = api_client.patch(url, chosen, format="json").json()
    rows = next(w for w in after if w["key"] == "w6_7")["groups"][0]["rows"]
    assert [r["chosen"] for r in rows] == [False, True]
    bad = api_client.patch(
        url,
        {"visibility": [{"worksheet": "w4_4", "field": "nope", "visibility": "public"}]},
        format="json",
    )
    assert bad.status_code == 400 and "field" in bad.json()


def test_the_preview_api_is_the_public_document(api_client, filled, team):
    api_client.force_login(team["viewer"].user)
    document = api_client.get(reverse("api:map-preview", args=[filled.pk])).json()
    assert document["audience"] == "public"
    assert SECRET not in _doc_text(document)


def test_a_frozen_version_keeps_the_choices_it_was_built_with(filled, pm):
    services.map_visibility_set(
        actor=pm, worksheet="w4_5", field_path="community_compensation", visibility="public"
    )
    version = services.map_version_freeze(actor=pm, override_reason="A test plan.")
    assert version.document["publication"]["visibility"] == {
        "w4_5.community_compensation": "public"
    }
    frozen = _doc_text(version.document)
    assert f"{SECRET} w4_5.community_compensation" in frozen
    # A later change of mind changes the draft, never the frozen version.
    services.map_visibility_set(
        actor=pm, worksheet="w4_5", field_path="community_compensation", visibility=""
    )
    version.refresh_from_db()
    assert _doc_text(version.document) == frozen
    assert f"{SECRET} w4_5.community_compensation" not in _doc_text(
        build_document(filled, audience=PUBLIC)
    )
