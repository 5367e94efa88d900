"""The PDF: what it contains, that it is tagged, and that the renderer fetches nothing of ours."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading

import pytest
from django.urls import reverse

from core.models import JobStatus
from plans.map import pdf, services
from plans.map.document import build_document
from plans.map.models import PlanExport

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def inflated(data: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to look for catalog entries."""
    import re
    import zlib

    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[match.end() : match.end() + 2_000_000]))
        except zlib.error:
            continue
    return b"".join(out)


def pdf_info(data: bytes, tmp_path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def trap_server():
    """A web server on 127.0.0.1 that records every request; the renderer must send none."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_fetcher_refuses_files_network_and_escapes(trap_server, tmp_path):
    base, hits = trap_server
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LOCAL-FILE")
    html = f"""<html lang="en"><head><title>t</title>
      <link rel="stylesheet" href="/static/css/map_pdf.css">
      <link rel="stylesheet" href="{base}/evil.css">
      <style>@import url("{base}/import.css"); p {{ background: url("{base}/bg.png") }}</style>
      </head><body><h1>Plan</h1>
      <img src="file://{secret}" alt="x"><img src="{base}/pixel.png" alt="y">
      <img src="/static/../../../../etc/passwd" alt="z">
      <object data="file://{secret}"></object>
      <iframe src="{base}/frame"></iframe>
      <p style="background: url('file://{secret}')">text</p></body></html>"""
    fetcher = pdf.StaticOnlyFetcher()
    data, pages = pdf.html_to_pdf(html, fetcher=fetcher)
    assert data.startswith(b"%PDF") and pages >= 1
    assert hits == []
    assert fetcher.served == ["css/map_pdf.css"]
    refused = " ".join(fetcher.refused)
    assert f"file://{secret}" in refused
    assert f"{base}/pixel.png" in refused and f"{base}/evil.css" in refused
    assert "TOP-SECRET-LOCAL-FILE" not in pdf_text(data, tmp_path)


def test_user_html_is_sanitised_before_the_pdf(coalition, pm, trap_server, tmp_path):
    base, hits = trap_server
    services.map_section_save(
        key="M1",
        actor=pm,
        narrative=(
            f'Hello **world** <img src="{base}/a.png"> <script>alert(1)</script>'
            f'<link rel="stylesheet" href="{base}/b.css"> [file](file:///etc/passwd) '
            f'<span style="background:url({base}/c.png)">styled</span>'
        ),
    )
    document = build_document(coalition)
    (text_block,) = [b for b in document["sections"][1]["blocks"] if b["type"] == "text"]
    html = text_block["html"]
    assert "<strong>world</strong>" in html
    for bad in ("<img", "<script", "<link", "file:", "style=", base):
        assert bad not in html
    data, _pages = pdf.document_pdf(document)
    assert hits == []
    assert "alert(1)" not in pdf_text(data, tmp_path)


def test_pdf_has_sections_in_order_contents_and_tags(coalition, pm, tmp_path):
    services.vision_save(actor=pm, statement="Everyone thrives here.")
    services.strategic_action_save(
        actor=pm,
        fields={"title": "Living wage ordinance"},
        elements={"input": "Two staff", "outcome_long": "Higher incomes"},
    )
    data, pages = pdf.document_pdf(build_document(coalition))
    text = pdf_text(data, tmp_path)
    titles = [s["title"] for s in build_document(coalition)["sections"]]
    body = text[text.index(titles[-1]) + len(titles[-1]) :]  # after the table of contents
    positions = [body.find(t) for t in titles]
    assert all(p >= 0 for p in positions), list(zip(titles, positions, strict=True))
    assert positions == sorted(positions)
    assert "Contents" in text and "Everyone thrives here." in text
    assert "Living wage ordinance" in text and "Two staff" in text
    assert f"/ {pages}" in text  # running page numbers
    info = pdf_info(data, tmp_path)
    assert "Tagged:          yes" in info
    assert "Title:           " + build_document(coalition)["title"] in info
    structure = subprocess.run(
        ["pdfinfo", "-struct", str(tmp_path / "plan.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "H1" in structure and "Table" in structure
    objects = inflated(data)
    assert b"/Outlines" in objects and b"/Lang" in objects


def test_export_job_stores_a_private_file(
    client, team, coalition, pm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery runs on commit
        export = services.plan_export_start(actor=pm)
    export = PlanExport.objects.get(pk=export.pk)
    assert export.status == JobStatus.SUCCEEDED, export.error_report
    assert export.pages >= 12 and export.size > 1000
    assert export.progress_done == export.progress_total == 4
    url = reverse("map:export_download", args=[coalition.pk, export.pk])
    client.force_login(team["viewer"].user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "private" in response["Cache-Control"]
    status = client.get(reverse("map:export_status", args=[coalition.pk, export.pk]))
    assert b"Download PDF" in status.content and b"hx-get" not in status.content


def test_a_running_export_polls_and_a_failed_one_says_why(client, team, coalition, pm_user):
    running = PlanExport.objects.create(
        coalition=coalition, status="running", progress_total=4, progress_done=2
    )
    client.force_login(team["viewer"].user)
    page = client.get(reverse("map:export_status", args=[coalition.pk, running.pk]))
    assert b'hx-trigger="every 2s"' in page.content and b'value="50"' in page.content
    download = client.get(reverse("map:export_download", args=[coalition.pk, running.pk]))
    assert download.status_code == 404


def test_export_of_another_coalition_is_not_found(client, team, coalition, pm_user):
    from tests.factories import MembershipFactory

    other = MembershipFactory(role="project_manager")
    export = PlanExport.objects.create(coalition=other.coalition, status=JobStatus.SUCCEEDED)
    client.force_login(team["project_manager"].user)
    url = reverse("map:export_download", args=[coalition.pk, export.pk])
    assert client.get(url).status_code == 404


def test_the_pdf_speaks_the_language_it_was_made_in(coalition, pm, tmp_path):
    from django.utils import translation

    services.strategic_action_save(
        actor=pm,
        fields={"title": "Vivienda", "lead_organisation": "Ciudad"},
        elements={},
    )
    with translation.override("es"):
        document = build_document(coalition)
    assert document["language"] == "es"
    data, _pages = pdf.document_pdf(document)  # outside any request, as in the worker
    text = pdf_text(data, tmp_path)
    assert "Modelo lógico de cambio de sistemas" in text and "Acción estratégica" in text
    assert b"/Lang (es)" in inflated(data)


def test_process_settings_stay_out_of_the_plan(coalition, team):
    from plans import services as plan_services
    from plans.map.document import DocContext, worksheet_blocks

    plan_services.worksheet_response_save(
        worksheet_key="w5_2",
        data={
            "sharing_mode": "anonymized",
            "due_date": "2026-03-31",
            "participation_mode": "all_members",
        },
        base_version=0,
        actor=team["project_manager"],
    )
    from plans.selectors import shared_response

    assert shared_response(coalition, "w5_2").data["sharing_mode"] == "anonymized"
    text = str(worksheet_blocks(DocContext(coalition), ("w5_2",), "M4"))
    assert "shared" not in text and "2026" not in text
