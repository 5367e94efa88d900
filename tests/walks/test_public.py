"""The residents' pages: no account, no JavaScript, safe against bad input and abuse."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from walks import services
from walks.models import Answer, ContactDetail, Participant
from walks.public import DEVICE_COOKIE

pytestmark = pytest.mark.django_db


def station_url(walk, position=1, lang="en"):
    url = reverse("walks_public:station", args=[walk.token, position])
    return f"{url}?lang={lang}"


def test_the_start_page_states_how_answers_are_used_and_asks_about_the_resident_first(client, walk):
    page = client.get(reverse("walks_public:start", args=[walk.token]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "The coalition reads every answer" in text
    assert reverse("walks_public:about", args=[walk.token]) in text
    assert "<script" not in text
    assert DEVICE_COOKIE not in page.cookies  # reading sets nothing


def test_unknown_tampered_and_draft_links_are_a_friendly_404(client, walk, lead):
    tampered = walk.token[:-1] + ("X" if walk.token[-1] != "X" else "Y")
    for token in ("nope", tampered, "x" * 200):
        page = client.get(reverse("walks_public:start", args=[token]))
        assert page.status_code == 404
        assert "We could not find this walk" in page.content.decode()
    draft = services.data_walk_save(actor=lead, fields={"title_en": "D", "use_en": "Used."})
    assert client.get(reverse("walks_public:start", args=[draft.token])).status_code == 404
    assert client.get(station_url(walk, position=9)).status_code == 404


def test_a_closed_walk_says_so_and_stores_nothing(client, walk, lead):
    services.data_walk_status_set(actor=lead, walk=walk, status="closed")
    page = client.get(reverse("walks_public:start", args=[walk.token]))
    assert page.status_code == 410
    assert "This walk is closed" in page.content.decode()
    posted = client.post(station_url(walk), {"q0": "Hello", "lang": "en"})
    assert posted.status_code == 410
    assert not Answer.objects.exists()


def test_a_resident_answers_and_moves_on_with_post_redirect_get(client, walk):
    response = client.post(station_url(walk), {"q0": "Buses are late", "reaction": "agree"})
    assert response.status_code == 302
    assert response["Location"] == station_url(walk, 2) + "&sent=1"
    assert DEVICE_COOKIE in response.cookies
    next_page = client.get(response["Location"])
    assert "Your answer was sent" in next_page.content.decode()
    last = client.post(station_url(walk, 2), {"q1": "Yes"})
    assert last["Location"].startswith(reverse("walks_public:thanks", args=[walk.token]))
    assert Participant.objects.count() == 1  # the same device, one participant
    assert Answer.objects.count() == 3


def test_the_spanish_page_shows_the_walk_in_spanish(client, walk):
    page = client.get(station_url(walk, lang="es"))
    text = page.content.decode()
    assert 'lang="es"' in text
    assert "¿Qué le sorprende?" in text and "Lo que walk_employed significa aquí." in text
    assert "Estación" in text or "Station" in text  # interface words come from the catalogue
    assert 'href="/w/' in text and "?lang=en" in text  # the switch back to English
    client.post(station_url(walk, lang="es"), {"q0": "Los autobuses tardan", "lang": "es"})
    assert Answer.objects.get().language == "es"
    assert Participant.objects.get().language == "es"


def test_demographics_are_optional_and_asked_once(client, walk):
    about = reverse("walks_public:about", args=[walk.token]) + "?lang=en"
    response = client.post(about, {"skip": "1", "lang": "en"})
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.demographics_asked and participant.age_band == ""
    start = client.get(reverse("walks_public:start", args=[walk.token])).content.decode()
    assert reverse("walks_public:about", args=[walk.token]) not in start
    bad = client.post(about, {"age_band": "ancient", "lang": "en"})
    assert bad.status_code == 400


def test_an_over_long_answer_is_refused_with_a_message_and_kept_on_the_page(client, walk):
    text = "a" * 1001
    page = client.post(station_url(walk), {"q0": text})
    assert page.status_code == 400
    body = page.content.decode()
    assert "under 1,000 characters" in body
    assert text in body
    assert not Answer.objects.exists() and not Participant.objects.exists()


def test_script_in_an_answer_is_shown_as_text_to_the_moderator(client, walk, lead):
    client.post(station_url(walk), {"q0": "<script>alert(1)</script><b>bold</b>"})
    client.force_login(lead.user)
    page = client.get(reverse("walks:moderation", args=[walk.coalition_id, walk.pk]))
    body = page.content.decode()
    assert "<script>alert(1)" not in body and "<b>bold" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in body


@override_settings(THROTTLE_LIMITS={"walk-device": (20, 60), "walk-address": (300, 60)})
def test_a_hundred_answers_in_a_minute_from_one_device_are_refused_after_the_limit(client, walk):
    codes = [
        client.post(station_url(walk), {"q0": f"Answer number {i}"}).status_code for i in range(100)
    ]
    assert codes[:20] == [302] * 20
    assert set(codes[20:]) == {429}
    assert Answer.objects.count() == 20
    refused = client.post(station_url(walk), {"q0": "still here"})
    assert "wait a minute" in refused.content.decode()


def test_contact_details_only_by_choice(client, walk, team):
    thanks = reverse("walks_public:thanks", args=[walk.token]) + "?lang=en"
    assert client.post(thanks, {"contact": ""}).status_code == 400
    assert client.post(thanks, {"contact": "ana@example.org", "lang": "en"}).status_code == 302
    assert ContactDetail.objects.get().text == "ana@example.org"
    client.force_login(team["data_lead"].user)
    url = reverse("walks:contacts", args=[walk.coalition_id, walk.pk])
    assert client.get(url).status_code == 403
    client.force_login(team["project_manager"].user)
    assert "ana@example.org" in client.get(url).content.decode()


def test_a_station_page_is_small_and_needs_no_javascript(client, walk):
    page = client.get(station_url(walk))
    body = page.content
    css = client.get("/static/css/app.css")
    css_size = len(b"".join(css.streaming_content)) if css.status_code == 200 else 20_000
    assert len(body) + css_size < 100_000
    text = body.decode()
    assert "<script" not in text and 'style="' not in text
    assert re.search(r'<form method="post"', text)
    assert 'class="chart walk-chart"' in text
