"""Progress reports: a frozen document of blocks, rendered as PDF and Word by the plan's
export job, in the plan's language."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import JobStatus
from plans.implementation import services
from plans.implementation.models import ProgressReport
from plans.map.models import PlanSettings
from plans.map.pdf import render_html
from tests.map.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

# Status changes are dated when they are recorded: the period runs to today.
TODAY = timezone.localdate()
PERIOD = {"period_start": dt.date(2025, 1, 1), "period_end": TODAY}


def _activity(plan, member, pm):
    services.strategic_action_status_set(
        actor=member, action=plan["wage"], status="in_progress", note="Drafting"
    )
    services.strategic_action_status_set(
        actor=member, action=plan["transit"], status="stalled", reason="NO-DRIVERS to hire"
    )
    services.milestone_done_set(
        actor=member, milestone=plan["wage"].milestones.first(), done_on=dt.date(2025, 7, 1)
    )
    services.early_win_save(
        actor=member, date=dt.date(2025, 5, 1), description="Fifty people hired"
    )


def _tables(report: ProgressReport) -> dict[str, dict]:
    return {
        b["key"]: b
        for s in report.document["sections"]
        for b in s["blocks"]
        if b["type"] == "table"
    }


def test_the_report_says_what_moved_stalled_won_and_comes_next(
    plan, member, pm, django_capture_on_commit_callbacks, tmp_path
):
    _activity(plan, member, pm)
    with django_capture_on_commit_callbacks(execute=True):
        report, exports = services.progress_report_start(
            actor=member, formats=["pdf", "docx"], **PERIOD
        )
    tables = _tables(report)
    titles = [s["title"] for s in report.document["sections"]]
    assert titles == ["Overview", "What moved", "What stalled", "Early wins", "The next milestones"]
    changed = tables["progress-status-changes"]["rows"]
    assert [r[:3] for r in changed] == [
        ["Living wage ordinance", "Jobs", "In progress"],
        ["Night buses", "Jobs", "Stalled"],
    ]
    assert tables["progress-milestones-done"]["rows"] == [
        ["Draft ordinance", "Living wage ordinance", "July 1, 2025"]
    ]
    assert tables["progress-stalled"]["rows"][0][:3] == ["Night buses", "Jobs", "Stalled"]
    assert "NO-DRIVERS" not in str(report.document)  # reasons only when chosen
    assert tables["progress-wins"]["rows"][0][:2] == ["May 1, 2025", "Fifty people hired"]
    assert tables["progress-next"]["rows"] == [
        ["Council vote", "Living wage ordinance", "March 31, 2027"]
    ]
    for export in exports:
        export.refresh_from_db()
        assert export.status == JobStatus.SUCCEEDED, export.error_report
    pdf = next(e for e in exports if e.format == "pdf")
    text = pdf_text(pdf.file.open("rb").read(), tmp_path)
    assert "What stalled" in text and "Fifty people hired" in text and "Council vote" in text
    word = next(e for e in exports if e.format == "docx")
    body = "\n".join(
        p.text for p in docx.Document(io.BytesIO(word.file.open("rb").read())).paragraphs
    )
    assert "Progress report, January 1, 2025 to " in body
    assert pdf.download_name == f"progress-report-{TODAY:%Y-%m-%d}.pdf"


def test_a_report_is_frozen_later_changes_do_not_change_it(plan, member, pm):
    _activity(plan, member, pm)
    report, _exports = services.progress_report_start(actor=member, **PERIOD)
    before = render_html(report.document)
    services.strategic_action_status_set(actor=member, action=plan["wage"], status="done")
    services.early_win_save(actor=member, date=dt.date(2025, 6, 1), description="LATER-WIN")
    report.refresh_from_db()
    assert render_html(report.document) == before
    assert "LATER-WIN" not in before


def test_reasons_only_by_a_project_managers_choice(plan, member, pm):
    _activity(plan, member, pm)
    with pytest.raises(Exception) as err:
        services.progress_report_start(actor=member, include_reasons=True, **PERIOD)
    assert "project manager" in str(err.value)
    report, _ = services.progress_report_start(actor=pm, include_reasons=True, **PERIOD)
    assert "NO-DRIVERS" in str(report.document)


def test_the_report_is_in_the_plans_language(plan, member, pm, coalition):
    PlanSettings.objects.create(coalition=coalition, language="es")
    report, _ = services.progress_report_start(actor=member, **PERIOD)
    assert report.language == "es"
    assert "de enero de 2025" in report.document["period_text"]


def test_bad_periods_are_refused_with_nothing_saved(plan, member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        services.progress_report_start(
            actor=member, period_start=dt.date(2025, 6, 1), period_end=dt.date(2025, 1, 1)
        )
    assert "period_end" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.progress_report_start(actor=member, formats=["odt"], **PERIOD)
    assert not ProgressReport.objects.exists()


def test_the_page_and_the_api_start_and_list_reports(client, plan, team):
    client.force_login(team["member"].user)
    coalition_id = plan["area"].coalition_id
    url = reverse("implementation:reports", args=[coalition_id])
    response = client.post(
        url, {"period_start": "2025-01-01", "period_end": "2025-12-31", "formats": ["pdf"]}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Progress report, January 1, 2025 to December 31, 2025" in page
    bad = client.post(
        url, {"period_start": "2025-12-31", "period_end": "2025-01-01", "formats": ["pdf"]}
    )
    assert "The end of the period comes before its start." in bad.content.decode()
    api = reverse("api:impl-report-list", args=[coalition_id])
    made = client.post(
        api,
        {"period_start": "2026-01-01", "period_end": "2026-03-31", "formats": ["docx"]},
        content_type="application/json",
    )
    assert made.status_code == 202, made.content
    listed = client.get(api).json()
    assert len(listed) == 2
    files = listed[0]["files"]
    assert files[0]["format"] == "docx"
    if files[0]["status"] == "succeeded":
        assert client.get(files[0]["download_url"]).status_code == 200


def test_what_moved_lists_the_new_values_of_the_period(plan, member):
    from tests.implementation.test_scorecard import _measured

    measure = _measured(plan, TODAY.year)
    report, _ = services.progress_report_start(actor=member, **PERIOD)
    rows = _tables(report)["progress-values"]["rows"]
    assert rows[0][:2] == ["Workers at a living wage", "Measure"]
    assert rows[0][2] == "180" and rows[0][3]
    earlier = {"period_start": dt.date(2020, 1, 1), "period_end": dt.date(2020, 12, 31)}
    report, _ = services.progress_report_start(actor=member, **earlier)
    assert "progress-values" not in _tables(report)
    assert measure.pk
