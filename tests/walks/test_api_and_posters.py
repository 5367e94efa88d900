"""The data walks API (and its OpenAPI schema) and the poster PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import JobStatus
from walks import services
from walks.models import Answer, WalkExport
from walks.posters import posters_html, qr_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(lead):
    client = APIClient()
    client.force_authenticate(lead.user)
    return client


def test_build_a_walk_through_the_api(api, coalition, lead):
    base = f"/api/coalitions/{coalition.pk}/walks/"
    made = api.post(
        base,
        {"title_en": "API walk", "use_en": "Used for the plan.", "demographics": ["age_band"]},
        format="json",
    )
    assert made.status_code == 201, made.content
    walk_id = made.json()["id"]
    assert made.json()["public_path"].startswith("/w/")
    station = api.post(
        f"{base}{walk_id}/stations/",
        {
            "variable": "walk_poverty",
            "caption_en": "Children in poverty here.",
            "questions_en": ["What surprises you?"],
        },
        format="json",
    )
    assert station.status_code == 201, station.content
    weak = api.post(
        f"{base}{walk_id}/stations/",
        {"variable": "walk_weak", "caption_en": "x", "questions_en": ["Why?"]},
        format="json",
    )
    assert weak.status_code == 400 and "variable" in weak.json()
    opened = api.post(f"{base}{walk_id}/status/", {"status": "open"}, format="json")
    assert opened.json()["status"] == "open"
    bad = api.post(base, {"title_en": ""}, format="json")
    assert bad.status_code == 400


def test_moderate_tag_and_send_through_the_api(api, walk, coalition, team):
    answer = services.answer_submit(
        station=walk.stations.first(),
        device_id="d",
        address="",
        language="en",
        texts={0: "Rent takes half my pay"},
    )[0]
    base = f"/api/coalitions/{coalition.pk}/walks/{walk.pk}/"
    pending = api.get(base + "answers/?status=pending").json()
    assert [a["id"] for a in pending] == [answer.pk]
    assert (
        api.post(
            base + f"answers/{answer.pk}/moderate/", {"status": "approved"}, format="json"
        ).json()["status"]
        == "approved"
    )
    tagged = api.post(
        base + f"answers/{answer.pk}/tag/",
        {"themes": ["Rent"], "is_quote": True},
        format="json",
    ).json()
    assert tagged["themes"] == ["Rent"] and tagged["is_quote"]
    sent = api.post(base + "send-to-plan/")
    assert sent.json() == {"residents": 1, "themes": 1, "quotes": 1}
    # Members may not read residents' answers; a member records a facilitated group.
    member = APIClient()
    member.force_authenticate(team["member"].user)
    assert member.get(base + "answers/").status_code == 403
    group = member.post(
        base + f"stations/{walk.stations.first().pk}/facilitated/",
        {"counts": {"agree": 6}, "quotes": ["We walk to work."]},
        format="json",
    )
    assert group.status_code == 201 and all(a["facilitated"] for a in group.json())
    assert Answer.objects.filter(facilitated=True).count() == 2


def test_the_schema_lists_the_walks_endpoints(client):
    schema = client.get(reverse("api:schema")).content.decode()
    for path in (
        "/api/coalitions/{coalition_pk}/walks/",
        "/api/coalitions/{coalition_pk}/walks/{walk_pk}/answers/{id}/moderate/",
        "/api/coalitions/{coalition_pk}/walks/{walk_pk}/send-to-plan/",
    ):
        assert path in schema or path.replace("{id}", "{pk}") in schema, path


def test_qr_code_is_local_svg():
    svg = str(qr_svg("https://example.org/w/abc/1/"))
    assert svg.startswith("<svg") and "viewBox" in svg and "http" not in svg.split(">", 1)[0]


def test_poster_html_has_one_poster_per_station_with_link_and_no_weak_year(walk):
    html = posters_html(walk, language="es", site="https://map.example.org")
    assert html.count('class="poster"') == 2
    assert f"https://map.example.org/w/{walk.token}/1/?lang=es" in html
    assert "¿Qué le sorprende?" in html
    assert "2023" in html  # said as left out (Weak) ...
    assert "Estación 1" in html or "Station 1" in html


def test_the_poster_export_job_makes_an_a3_pdf(
    walk, lead, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.walk_export_start(
            actor=lead, walk=walk, language="en", site="http://testserver"
        )
    export = WalkExport.objects.get(pk=export.pk)
    assert export.status == JobStatus.SUCCEEDED, export.error_report
    assert export.pages == 2
    data = export.file.read()
    assert data.startswith(b"%PDF")
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:  # poppler's pdfinfo names the page size
        path = tmp_path / "posters.pdf"
        path.write_bytes(data)
        info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True).stdout
        assert "(A3)" in info, info


def test_a_running_poster_job_is_polled_and_then_offers_its_file(client, walk, lead):
    export = WalkExport.objects.create(walk=walk, status=JobStatus.RUNNING)
    client.force_login(lead.user)
    status_url = reverse("walks:export_status", args=[walk.coalition_id, walk.pk, export.pk])
    page = client.get(reverse("walks:walk", args=[walk.coalition_id, walk.pk])).content.decode()
    assert f'hx-get="{status_url}"' in page
    WalkExport.objects.filter(pk=export.pk).update(status=JobStatus.SUCCEEDED, pages=2)
    line = client.get(status_url).content.decode()
    assert "hx-get" not in line and "Download the PDF (2 pages)" in line
