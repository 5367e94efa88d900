"""A plan a county council can adopt, end to end (issue 12's "done when").

A real-shaped coalition: three priority areas with headline goals (one with a subgroup gap
target), ten strategic actions with leads, costs, funding and milestones, measures on metrics
of every unit of the catalog, and sensitive answers in every feeding worksheet's internal
fields (W4.2 opposition, W4.4 invitations and payments, W10.2 risks...). The project manager
freezes it through the check, exports the plan and the summary as PDF and the plan as Word,
and publishes it; a signed-out reader opens the public page. Neither the files nor the page
may show ``Row``, a raw key or a sensitive answer; numbers read by their unit and the logic
model from input to long term. The pages of both PDFs are saved as PNGs in the artefacts.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest

from coalitions.models import Role
from metrics import models as m
from plans.map import services
from plans.map.models import ExportFormat, ExportKind, MapVersion, PlanExport
from tests.browser.test_invite_journey import sign_in
from tests.browser.waiting import visible
from tests.factories import MembershipFactory
from tests.map.sample_plan import SECRET, fill_every_feeding_worksheet, found_keys, raw_keys
from tests.map.test_every_metric import TYPED_TARGETS, _expected, _observe_every_metric

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date
KINDS = ("input", "output", "outcome_short", "outcome_medium", "outcome_long")
LOGIC_MODEL_ORDER = (
    "Inputs",
    "Outputs",
    "Short-term outcomes",
    "Medium-term outcomes",
    "Long-term outcomes",
)


def _subgroup_series(coalition, variable: str, name: str, values: dict[int, float]) -> None:
    release = m.Release.objects.get(is_active=True)
    group = m.Subgroup.objects.get_or_create(subgroup_type="race-ethnicity", name=name)[0]
    metric = m.Metric.objects.get(variable=variable)
    m.Observation.objects.bulk_create(
        m.Observation(
            release=release,
            geography=coalition.geography,
            metric=metric,
            subgroup=group,
            year=year,
            value=value,
            quality=1,
        )
        for year, value in values.items()
    )


def _real_shaped_plan(pm, reviewer) -> list[m.Metric]:
    coalition = pm.coalition
    metrics = _observe_every_metric(coalition)
    _subgroup_series(coalition, "share_employed", "Black", {2017: 0.31, 2019: 0.33, 2021: 0.34})
    fill_every_feeding_worksheet(pm)  # internal fields carry SECRET

    services.vision_save(actor=pm, statement="Every family in Boone County can build wealth.")
    services.theory_save(
        actor=pm,
        problem="the gap in wealth between Black and white families",
        solution="help renters buy homes and grow good jobs",
        impact_medium="more families owning homes",
        impact_long="wealth that passes between generations",
    )
    areas = [
        services.priority_area_save(actor=pm, name=name, pillar=pillar)
        for name, pillar in (
            ("Good jobs", "rewarding-work"),
            ("Homes people can afford", "opportunity-rich-and-inclusive-neighborhoods"),
            ("Healthy families", "healthy-environment-and-access-to-good-health-care"),
        )
    ]
    services.headline_goal_save(
        actor=pm,
        priority_area=areas[0],
        metric_variable="share_employed",
        target="45%",
        target_date=D(2030, 12, 31),
        subgroup="Black",
        gap_target="-3",
    )
    by_unit = {}
    for metric in metrics:
        by_unit.setdefault(metric.unit, metric)
    for area, metric in zip(areas[1:], list(by_unit.values())[1:3], strict=True):
        services.headline_goal_save(
            actor=pm,
            priority_area=area,
            metric_variable=metric.variable,
            target=TYPED_TARGETS[metric.unit],
            target_date=D(2030, 12, 31),
        )
    for i in range(10):
        services.strategic_action_save(
            actor=pm,
            fields={
                "title": f"Strategic action {i + 1}",
                "priority_area": areas[i % 3],
                "lead_organisation": f"Lead agency {i + 1}",
                "partners": "Housing Authority, First Bank",
                "start_date": D(2027, 1, 1),
                "end_date": D(2029, 12, 31),
                "estimated_cost": Decimal(250000 + i * 1000),
                "funding_source": "County general fund",
                "funding_status": ("secured", "requested", "needed")[i % 3],
                "decision_asked": f"Adopt ordinance {i + 1}" if i < 3 else "",
            },
            elements={kind: f"{kind.replace('_', ' ')} of action {i + 1}" for kind in KINDS},
            milestones=[{"title": f"Milestone of action {i + 1}", "due_date": D(2028, 6, 30)}],
        )
    measures = list(pm.coalition.measures.order_by("pk"))
    for measure, metric in zip(measures, by_unit.values(), strict=False):
        services.measure_save(
            measure=measure,
            actor=pm,
            fields={
                "measure": f"{metric.label} in the county",
                "metric_variable": metric.variable,
                "target": TYPED_TARGETS[metric.unit],
                "target_date": D(2030, 12, 31),
                "responsible": "County data office",
            },
        )
    review_round = services.review_round_start(actor=pm, reviewers=[(reviewer, "coalition")])
    services.review_decide(
        review=review_round.reviews.get(), actor=reviewer, decision="approved", comment="Yes."
    )
    return list(by_unit.values())


def _pdf_text(data: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pngs(data: bytes, tmp_path, artifacts_dir, name: str) -> int:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    for old in artifacts_dir.glob(f"council-{name}-*.png"):
        old.unlink()  # an earlier run's pages
    subprocess.run(
        ["pdftoppm", "-png", "-r", "45", str(path), str(artifacts_dir / f"council-{name}")],
        check=True,
    )
    return len(list(artifacts_dir.glob(f"council-{name}-*.png")))


def _clean(text: str, where: str, keys: set[str]) -> None:
    assert "Row " not in text, where
    assert SECRET not in text, where
    assert found_keys([text], keys) == set(), where


def _export(page, base, coalition, version, kind: str, fmt: str) -> PlanExport:
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/versions/{version.pk}/")
    page.get_by_label("What", exact=True).select_option(kind)
    page.get_by_label("Format", exact=True).select_option(fmt)
    page.get_by_role("button", name="Export this version").click()
    page.wait_for_url(f"{base}/coalitions/{coalition.pk}/plan/")
    export = PlanExport.objects.filter(version=version, kind=kind, format=fmt).latest("pk")
    assert export.status == "succeeded", export.error_report
    return export


def test_a_council_receives_a_designed_plan(
    browser, live_server, password, artifacts_dir, tmp_path, reference_data
):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    import docx

    pm = MembershipFactory(role=Role.PROJECT_MANAGER, coalition__name="Boone County Mobility")
    reviewer = MembershipFactory(coalition=pm.coalition, role=Role.MEMBER)
    MembershipFactory(coalition=pm.coalition, role=Role.DATA_LEAD)
    coalition = pm.coalition
    pm.user.set_password(password)
    pm.user.save()
    linked = _real_shaped_plan(pm, reviewer)
    keys = raw_keys()
    base = live_server.url

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30000)
    sign_in(page, base, pm.user.email, password)

    # Freeze through the check, with the reason it asks for.
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/")
    page.get_by_role("link", name="Freeze a version now").click()
    page.get_by_label("Why freeze this version anyway?").fill("The council reads it on Monday.")
    page.get_by_role("button", name="Freeze version 1").click()
    assert visible(page.get_by_text("Every section was approved when it was frozen."))
    version = MapVersion.objects.get(coalition=coalition)

    plan_pdf = _export(page, base, coalition, version, ExportKind.PLAN, ExportFormat.PDF)
    summary = _export(page, base, coalition, version, ExportKind.SUMMARY, ExportFormat.PDF)
    word = _export(page, base, coalition, version, ExportKind.PLAN, ExportFormat.DOCX)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").first.click()
    downloaded = info.value.path().read_bytes()
    assert downloaded.startswith(b"%PDF")

    # The plan's PDF: clean, numbers by unit, the logic model in order.
    text = _pdf_text(plan_pdf.file.read(), tmp_path, "plan")
    _clean(text, "plan PDF", keys)
    flat = " ".join(text.split())
    for metric in linked:
        assert _expected(metric) in flat, (metric.unit, _expected(metric))
    assert "$250,000" in flat and "Adopt ordinance 1" in flat
    assert "Milestone of action 1" in flat and "June 30, 2028" in flat
    model = flat.index("Systems change logic model")
    positions = [flat.index(h, model) for h in LOGIC_MODEL_ORDER]
    assert positions == sorted(positions)
    assert "Status: Draft" not in flat and "Draft" not in flat.split("Contents")[0]
    pages = _pngs(plan_pdf.file.open("rb").read(), tmp_path, artifacts_dir, "plan")
    assert pages == plan_pdf.pages

    # The summary: two to four pages for leaders, from the same plan.
    summary_text = " ".join(_pdf_text(summary.file.read(), tmp_path, "summary").split())
    _clean(summary_text, "summary PDF", keys)
    assert 2 <= summary.pages <= 4, summary.pages
    assert "Every family in Boone County can build wealth." in summary_text
    assert "Adopt ordinance 1" in summary_text
    _pngs(summary.file.open("rb").read(), tmp_path, artifacts_dir, "summary")

    # Word: headings as Word headings, tables as tables, the same clean content.
    document = docx.Document(io.BytesIO(word.file.read()))
    words = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    _clean(words + "\n" + cells, "Word", keys)
    assert any(p.style.name == "Heading 1" for p in document.paragraphs)
    assert len(document.tables) >= 5

    # Publish; a signed-out reader on a phone reads the same clean plan.
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/versions/{version.pk}/")
    page.get_by_role("button", name="Publish this version").click()
    public_url = page.locator("a[href*='/published-plans/']").first.get_attribute("href")
    context.close()
    reader = browser.new_context(viewport={"width": 390, "height": 800})
    public = reader.new_page()
    public.goto(base + public_url)
    public.screenshot(path=str(artifacts_dir / "council-public.png"), full_page=False)
    body = public.locator("main").inner_text()
    _clean(body, "public page", keys)
    flat_public = " ".join(body.split())
    for metric in linked:
        assert _expected(metric) in flat_public, metric.unit
    assert "Every family in Boone County can build wealth." in flat_public
    sentence = (
        "To address the gap in wealth between Black and white families, we will help renters "
        "buy homes and grow good jobs"
    )
    assert sentence in flat and sentence in flat_public
    reader.close()
