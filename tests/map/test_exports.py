"""Exports of the plan and its executive summary, as PDF and Word, and the data appendix.

The Word files are read back with python-docx; the PDFs with pdftotext.
"""

from __future__ import annotations

import io
import logging
import re

import docx
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from core.models import JobStatus
from metrics import models as m
from metrics.charts import format_value
from plans.map import services
from plans.map.charting import document_charts
from plans.map.document import build_document
from plans.map.front import logo_bytes as front_logo
from plans.map.models import PlanExport
from plans.map.summary import summary_document
from plans.map.tasks import plan_export_run_task
from plans.map.word import document_docx
from plans.models import WorksheetResponse
from tests.map.helpers import png_bytes
from tests.map.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

# Keys a reader must never see (choice keys, slugs, variables of the data we seed).
RAW_KEYS = ("rewarding-work", "share_employed", "compensation", "listening_session", "data_walk")


def _seed_metrics(coalition) -> m.Release:
    """Three years of every catalog metric for the coalition's place; one of them Weak; the
    national medians."""
    m.Release.objects.update(is_active=False)
    release = m.Release.objects.create(name="export-test", is_active=True)
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    rows, medians = [], []
    for i, metric in enumerate(m.Metric.objects.order_by("position")):
        for year in (2019, 2021, 2023):
            text_ratio = metric.unit == "text_ratio"
            rows.append(
                m.Observation(
                    release=release,
                    geography=coalition.geography,
                    metric=metric,
                    subgroup=everyone,
                    year=year,
                    value=None if text_ratio else 0.4 + i / 1000,
                    value_a=0.119 if text_ratio else None,
                    value_b=0.246 if text_ratio else None,
                    lb=None if text_ratio else 0.38 + i / 1000,
                    ub=None if text_ratio else 0.42 + i / 1000,
                    quality=3 if metric.variable == "share_employed" else 1,
                )
            )
        medians.append(m.NationalBenchmark(release=release, metric=metric, year=2023, value=0.5))
    m.Observation.objects.bulk_create(rows)
    m.NationalBenchmark.objects.bulk_create(medians)
    return release


def _world(team) -> dict:
    pm = team["project_manager"]
    coalition = pm.coalition
    coalition.geography.kind = "county"
    coalition.geography.save()
    _seed_metrics(coalition)
    services.vision_save(actor=pm, statement="Every family in the county can build wealth.")
    area = services.priority_area_save(
        actor=pm, name="Good jobs", pillar="rewarding-work", rationale="Wages lag the state."
    )
    services.strategic_action_save(
        actor=pm,
        fields={
            "title": "Living wage ordinance",
            "priority_area": area,
            "lead_organisation": "County Council",
        },
        elements={"input": "Staff time", "outcome_long": "Higher incomes"},
    )
    measure = coalition.measures.get(element_kind="outcome_long")
    services.measure_save(
        measure=measure,
        actor=pm,
        fields={"measure": "Median income", "metric_variable": "share_employed", "target": "60%"},
    )
    team["member"].organisation, team["member"].listed_in_plan = "Food Bank", True
    team["member"].save()
    team["data_lead"].organisation = "Secret Partner Org"  # did not agree to be named
    team["data_lead"].save()
    services.plan_settings_save(
        actor=pm,
        acknowledgements="We thank the **residents** who took part.",
        page_size="a4",
        logo=ContentFile(png_bytes(240, 100), name="logo.png"),
    )
    WorksheetResponse.objects.create(
        coalition=coalition,
        worksheet_key="w6_3",
        version=1,
        data={
            "events": [
                {
                    "method": "listening_session",
                    "date": "2026-03-14",
                    "location": "Library",
                    "populations": [],
                    "participants": 1250,
                    "languages": "English, Spanish",
                    "supports": ["compensation"],
                },
                {"method": "data_walk", "date": "2026-02-02", "participants": 18},
            ]
        },
    )
    services.map_section_save(actor=pm, key="M1", narrative="Why we did this, in brief.")
    return {"pm": pm, "coalition": coalition, "area": area}


def _docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _word_text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _page_size(data: bytes, tmp_path) -> str:
    import shutil
    import subprocess

    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    path = tmp_path / "size.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return next(line for line in info.stdout.splitlines() if line.startswith("Page size"))


def _run(export: PlanExport) -> PlanExport:
    plan_export_run_task(export.pk)
    export.refresh_from_db()
    return export


def _start(world, kind: str, fmt: str, version=None) -> PlanExport:
    return PlanExport.objects.create(
        coalition=world["coalition"], version=version, kind=kind, format=fmt
    )


# --- the data appendix ---------------------------------------------------------------------


def test_the_appendix_lists_every_metric_by_pillar_formatted_with_weak_marked(team):
    world = _world(team)
    document = build_document(world["coalition"], audience="public")
    appendix = next(s for s in document["sections"] if s["key"] == "M11")
    tables = [
        b
        for b in appendix["blocks"]
        if b["type"] == "table"
        and b["key"].startswith("appendix-")
        and b["key"] not in ("appendix-engagement", "appendix-report-back")
    ]
    assert len(tables) == m.Pillar.objects.count()
    rows = [row for t in tables for row in t["rows"]]
    assert len(rows) == m.Metric.objects.filter(levels__contains="county").count()
    employed = m.Metric.objects.get(variable="share_employed")
    row = next(r for r in rows if r[1] == employed.label)
    position = list(m.Metric.objects.order_by("position")).index(employed)
    assert row[2] == format_value(0.4 + position / 1000, "share") + " (Weak)"
    assert row[3] == "2023" and row[5] == "Weak" and row[7] == "Higher"
    assert row[6] == format_value(0.5, "share") and " to " in row[4]
    assert tables[0]["headers"][:3] == ["Predictor", "Metric", "Latest value"]


def test_the_engagement_summary_counts_without_sensitive_answers(team):
    world = _world(team)
    document = build_document(world["coalition"], audience="public")
    appendix = next(s for s in document["sections"] if s["key"] == "M11")
    engagement = next(b for b in appendix["blocks"] if b.get("key") == "appendix-engagement")
    assert engagement["rows"][0][:2] == ["Data walk", "February 2, 2026"]
    assert engagement["rows"][1][0] == "Listening session" and "1,250" in engagement["rows"][1]
    assert "Payment or stipend" not in str(engagement)
    summary = [b["text"] for b in appendix["blocks"] if b["type"] == "text"]
    assert any("2 community activities with 1,268 people" in t for t in summary)


# --- Word -------------------------------------------------------------------------------------


def test_word_has_the_same_sections_in_order_as_word_headings_and_tables(team):
    world = _world(team)
    document = build_document(world["coalition"], audience="public")
    word = _docx(document_docx(document))
    headings1 = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    body = [s["title"] for s in document["sections"] if "front" not in s["shows"]]
    assert headings1 == ["About this plan", "Contents", *body]
    levels = {p.style.name for p in word.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Quote"} <= levels
    text = _word_text(word)
    assert "Row " not in text
    for key in RAW_KEYS:
        assert key not in text, key
    assert "Secret Partner Org" not in text and "Food Bank" in text
    # The appendix's tables are real tables with a header row.
    appendix = [t for t in word.tables if t.rows[0].cells[0].text == "Predictor"]
    assert len(appendix) == m.Pillar.objects.count()
    assert appendix[0].rows[0]._tr.trPr.xpath("./w:tblHeader")
    assert any("(Weak)" in c.text for t in appendix for row in t.rows for c in row.cells)
    # Charts: their summary sentence and their data table (Word cannot show the SVG).
    charts = document_charts(document)
    assert charts and all(c.summary in text for c in charts)
    first = charts[0].table
    assert any(
        [c.text for c in t.rows[0].cells] == list(first.headers)
        and [c.text for c in t.rows[1].cells] == list(first.rows[0])
        for t in word.tables
    )
    # A4 from the settings.
    assert round(word.sections[0].page_width.mm) == 210


def test_word_summary_has_its_parts_on_a_few_pages(team):
    world = _world(team)
    summary = summary_document(build_document(world["coalition"], audience="public"))
    word = _docx(document_docx(summary))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Overview",
        "Our vision",
        "Our priorities",
        "Who is in the coalition",
    ]
    assert len(word.sections) == 1  # no page per part
    text = _word_text(word)
    assert "Why we did this, in brief." in text
    assert "Living wage ordinance (lead: County Council)" in text
    assert "Food Bank" in text and "Secret Partner Org" not in text


# --- the job: four kinds of file -------------------------------------------------------------


def test_the_job_makes_all_four_files(team, tmp_path):
    world = _world(team)
    made = {}
    for kind in ("plan", "summary"):
        for fmt in ("pdf", "docx"):
            export = _run(_start(world, kind, fmt))
            assert export.status == JobStatus.SUCCEEDED, export.error_report
            assert export.file.name.endswith(f".{fmt}")
            made[kind, fmt] = export.file.read()
    plan_pdf = pdf_text(made["plan", "pdf"], tmp_path)
    summary_pdf = pdf_text(made["summary", "pdf"], tmp_path)
    assert "Contents" in plan_pdf and "Food Bank" in plan_pdf and "Secret Partner" not in plan_pdf
    assert "December" in plan_pdf or re.search(r"[A-Z][a-z]+ \d{1,2}, 20\d\d", plan_pdf)
    assert "The Mobility Metrics of" in plan_pdf and "(Weak)" in plan_pdf
    assert "Executive summary" in summary_pdf and "Our vision" in summary_pdf
    assert "Row " not in plan_pdf and "Row " not in summary_pdf
    assert "(A4)" in _page_size(made["plan", "pdf"], tmp_path)  # from the settings
    summary = PlanExport.objects.get(kind="summary", format="pdf")
    assert 1 <= summary.pages <= 4
    assert _docx(made["plan", "docx"]).paragraphs


def test_a_failed_export_says_why_and_is_logged_with_its_traceback(
    team, client, monkeypatch, caplog
):
    world = _world(team)

    def broken(document, **kw):
        raise ValueError("Unknown unit 'text_ratio'")

    monkeypatch.setattr("plans.map.pdf.document_pdf", broken)
    with caplog.at_level(logging.ERROR, logger="core.jobs"):
        export = _run(_start(world, "plan", "pdf"))
    assert export.status == JobStatus.FAILED
    assert export.error_report == "ValueError: Unknown unit 'text_ratio'"
    record = next(r for r in caplog.records if r.name == "core.jobs")
    assert record.exc_info and "ValueError" in caplog.text
    client.force_login(world["pm"].user)
    page = client.get(reverse("map:plan", args=[world["coalition"].pk])).content.decode()
    assert "Why: ValueError: Unknown unit &#x27;text_ratio&#x27;" in page
    api = client.get(
        reverse(
            "api:map-export-detail", kwargs={"coalition_pk": world["coalition"].pk, "pk": export.pk}
        )
    ).json()
    assert api["error"] == "ValueError: Unknown unit 'text_ratio'"


def test_the_plan_page_starts_a_word_summary(team, client, django_capture_on_commit_callbacks):
    world = _world(team)
    client.force_login(world["pm"].user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("map:export_start", args=[world["coalition"].pk]),
            {"version": "", "kind": "summary", "format": "docx"},
        )
    export = PlanExport.objects.get()
    assert (export.kind, export.format, export.status) == ("summary", "docx", JobStatus.SUCCEEDED)
    response = client.get(reverse("map:export_download", args=[world["coalition"].pk, export.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="mobility-action-plan-summary-draft.docx"' in response["Content-Disposition"]


def test_api_starts_each_kind_and_refuses_an_unknown_one(team, api_client):
    world = _world(team)
    url = reverse("api:map-export-list", kwargs={"coalition_pk": world["coalition"].pk})
    api_client.force_login(team["member"].user)
    bad = api_client.post(url, {"kind": "poster"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()
    made = api_client.post(url, {"kind": "summary", "format": "docx"}, format="json")
    assert made.status_code == 202
    assert (made.json()["kind"], made.json()["format"]) == ("summary", "docx")


# --- published files -------------------------------------------------------------------------


def test_the_public_page_offers_the_published_versions_files(team, client):
    world = _world(team)
    pm = world["pm"]
    version = services.map_version_freeze(actor=pm, override_reason="A test plan.")
    version.approved = True
    version.save()
    for kind, fmt in (("plan", "pdf"), ("summary", "pdf"), ("summary", "docx")):
        export = PlanExport.objects.create(
            coalition=world["coalition"],
            version=version,
            kind=kind,
            format=fmt,
            status=JobStatus.SUCCEEDED,
            finished_at=timezone.now(),
        )
        export.file.save(f"x.{fmt}", ContentFile(f"{kind}-{fmt}".encode()), save=True)
    services.map_version_publish(version=version, actor=pm)
    page = client.get(reverse("map_public:plan", args=[version.public_token])).content.decode()
    assert "Download the executive summary (Word)" in page
    assert "Download the plan (Word)" not in page
    summary = client.get(reverse("map_public:summary_pdf", args=[version.public_token]))
    assert b"".join(summary.streaming_content) == b"summary-pdf"
    assert summary["Content-Type"] == "application/pdf"
    word = client.get(reverse("map_public:summary_docx", args=[version.public_token]))
    assert "attachment" in word["Content-Disposition"]
    assert client.get(reverse("map_public:docx", args=[version.public_token])).status_code == 404
    services.map_version_unpublish(version=version, actor=pm)
    assert (
        client.get(reverse("map_public:summary_pdf", args=[version.public_token])).status_code
        == 404
    )


def test_publishing_needs_the_plans_pdf_not_only_a_summary(team):
    world = _world(team)
    version = services.map_version_freeze(actor=world["pm"], override_reason="A test plan.")
    version.approved = True
    version.save()
    PlanExport.objects.create(
        coalition=world["coalition"],
        version=version,
        kind="summary",
        format="pdf",
        status=JobStatus.SUCCEEDED,
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.map_version_publish(version=version, actor=world["pm"])


def test_the_pdf_is_us_letter_by_default_and_draws_the_logo_it_was_given(pm, tmp_path):
    from plans.map import pdf

    document = build_document(pm.coalition, audience="public")
    fetcher = pdf.StaticOnlyFetcher()
    data, _pages = pdf.html_to_pdf(pdf.render_html(document), fetcher=fetcher)
    assert "(letter)" in _page_size(data, tmp_path)
    assert "document/logo" not in fetcher.served and not fetcher.refused
    services.plan_settings_save(actor=pm, logo=ContentFile(png_bytes(), name="l.png"))
    document = build_document(pm.coalition, audience="public")
    fetcher = pdf.StaticOnlyFetcher(logo=front_logo(document))
    pdf.html_to_pdf(pdf.render_html(document), fetcher=fetcher)
    assert "document/logo" in fetcher.served and not fetcher.refused


def test_the_engagement_summary_follows_what_the_project_manager_keeps_internal(team):
    world = _world(team)
    services.map_visibility_set(
        actor=world["pm"],
        worksheet="w6_3",
        field_path="events.participants",
        visibility="internal",
    )
    document = build_document(world["coalition"], audience="public")
    appendix = next(s for s in document["sections"] if s["key"] == "M11")
    engagement = next(b for b in appendix["blocks"] if b.get("key") == "appendix-engagement")
    assert "People taking part" not in engagement["headers"]
    assert "1,250" not in str(appendix["blocks"])
    internal = build_document(world["coalition"])
    assert "1,250" in str(next(s for s in internal["sections"] if s["key"] == "M11"))
