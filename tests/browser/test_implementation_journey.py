"""Issue 14's "done when", as one journey: a coalition carries out its frozen plan.

Values for three measures (typed, pasted with a bad row, and from a newly activated Mobility
Metrics release that revises one), a milestone ticked, an action stalled, the statuses and
the "what changed" notice, the weekly digest with the due reminders and a one-click
unsubscribe, a progress report PDF, and the scorecard published and read signed out.

Chromium drives every step a person takes; the set-up (the plan, its measures, the two
releases' data) goes through services and factories. A real Celery worker runs every job:
the release update that activation starts, the report's export, and the beat's reminder and
weekly digest tasks, sent as the beat sends them. The worker writes its emails as the
console backend prints them, into files (settings_test, MOBILITY_TEST_EMAIL_DIR).
"""

from __future__ import annotations

import datetime as dt
import email
import re
import shutil
import subprocess
from email.policy import default as email_policy
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from coalitions.models import Role
from core.models import JobStatus
from metrics import models as m
from notifications.reminders import add_months
from notifications.services import notification_preferences
from plans.map import services as map_services
from plans.map.blocks import date_words
from plans.map.models import Measure, Milestone, StrategicAction
from plans.models import Notification
from plans.tracking.models import ReleaseUpdate
from tests.browser.test_invite_journey import sign_in
from tests.browser.test_profile_journey import axe_problems
from tests.conftest import wait_for
from tests.factories import CoalitionFactory, MembershipFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VARIABLE = "share_employed_journey"
HAND = "Workers covered by the living wage"
PASTED = "Night bus riders a year"
RELEASED = "Share of adults employed"
NO_DATA = "Night bus stops with a shelter"
REASON = "No drivers to hire"
NOTE = "Talks with the drivers' union go on"
WIN = "The first hearing filled the council chamber"


# --- set-up: the frozen plan and the data of two releases --------------------------------


def _release(name: str, geography, rows: list[tuple[int, float]], *, active: bool = False):
    pillar = m.Pillar.objects.get_or_create(slug="rewarding-work", defaults={"name": "Work"})[0]
    predictor = m.Predictor.objects.get_or_create(
        slug="employment-opportunities", defaults={"name": "Jobs", "pillar": pillar}
    )[0]
    metric = m.Metric.objects.get_or_create(
        variable=VARIABLE,
        defaults={
            "label": "Employed adults",
            "unit": "share",
            "direction": "higher",
            "predictor": predictor,
        },
    )[0]
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    release = m.Release.objects.create(name=name, is_active=active)
    for year, value in rows:
        m.Observation.objects.create(
            release=release,
            geography=geography,
            metric=metric,
            subgroup=everyone,
            year=year,
            value=value,
            quality=1,
        )
    return release


def _measure(action: StrategicAction, pm, **fields) -> Measure:
    measure = Measure.objects.get(element__action=action, element_kind=fields.pop("kind"))
    return map_services.measure_save(measure=measure, actor=pm, fields=fields)


def _frozen_plan(pm, today: dt.date) -> None:
    """Two actions with milestones and four measures; the plan frozen. Year ``y`` is this
    year: the metric's first release has y-4 and y-3, the next revises y-3 and adds y-2."""
    y = today.year
    area = map_services.priority_area_save(actor=pm, name="Jobs", pillar="rewarding-work")
    wage = map_services.strategic_action_save(
        actor=pm,
        fields={
            "title": "Living wage ordinance",
            "priority_area": area,
            "lead_organisation": "City Workforce Office",
            "start_date": today - dt.timedelta(days=700),
            "end_date": today + dt.timedelta(days=700),
        },
        elements={"output": "Ordinance adopted", "outcome_short": "More adults at work"},
        milestones=[
            {"title": "Draft ordinance", "due_date": today - dt.timedelta(days=20)},
            {"title": "Council vote", "due_date": today + dt.timedelta(days=5)},
        ],
    )
    buses = map_services.strategic_action_save(
        actor=pm,
        fields={"title": "Night buses", "priority_area": area, "lead_organisation": "Transit"},
        elements={"output": "Night routes run", "outcome_short": "Night workers get home"},
    )
    _measure(
        wage,
        pm,
        kind="output",
        measure=HAND,
        unit="number",
        baseline="500",
        baseline_date=dt.date(y - 2, 12, 31),
        target="20,000",
        target_date=dt.date(y + 2, 12, 31),
        frequency="monthly",
    )
    _release(
        str(today.year - 1), pm.coalition.geography, [(y - 4, 0.41), (y - 3, 0.43)], active=True
    )
    released = _measure(  # linking the metric copies the active release's years
        wage,
        pm,
        kind="outcome_short",
        measure=RELEASED,
        metric_variable=VARIABLE,
        baseline="40%",
        baseline_date=dt.date(y - 5, 12, 31),
        target="60%",
        target_date=dt.date(y + 4, 12, 31),
        frequency="annual",
    )
    _measure(
        buses,
        pm,
        kind="output",
        measure=PASTED,
        unit="number",
        subgroups=["Black", "Hispanic"],
        baseline="12,000",
        baseline_date=dt.date(y - 4, 12, 31),
        target="30,000",
        target_date=dt.date(y + 4, 12, 31),
        frequency="annual",
    )
    _measure(
        buses,
        pm,
        kind="outcome_short",
        measure=NO_DATA,
        unit="number",
        baseline="10",
        baseline_date=dt.date(y - 2, 12, 31),
        target="80",
        target_date=dt.date(y + 4, 12, 31),
    )
    map_services.map_version_freeze(actor=pm, override_reason="The council reads it Monday.")
    assert released.values.count() == 2


def _other_coalition(user, today: dt.date) -> None:
    """The same person manages a second coalition with a milestone due: the digest groups."""
    other = MembershipFactory(
        user=user, coalition=CoalitionFactory(name="Alamo Partners"), role=Role.PROJECT_MANAGER
    )
    action = StrategicAction.objects.create(coalition=other.coalition, title="Bus passes")
    Milestone.objects.create(action=action, title="Pilot route", due_date=today + dt.timedelta(3))


# --- the worker's emails -----------------------------------------------------------------


def _emails(folder: Path) -> list[email.message.EmailMessage]:
    """The messages the file backend wrote: the console's text, 79 dashes between them."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk.lstrip(), policy=email_policy))
    return found


def _beat(entry: str) -> None:
    """Send one task of the beat schedule as celery beat does: by name, with its args."""
    from mobility.celery import app

    scheduled = settings.CELERY_BEAT_SCHEDULE[entry]
    app.send_task(scheduled["task"], args=scheduled.get("args", ()))


# --- the journey ------------------------------------------------------------------------


def test_carry_out_the_plan_from_values_to_the_public_scorecard(
    browser, live_server, password, artifacts_dir, tmp_path, celery_worker_factory
):
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("pdftotext and pdftoppm (poppler-utils) are needed")
    today = timezone.localdate()
    y = today.year
    pm = MembershipFactory(
        role=Role.PROJECT_MANAGER, coalition__name="Doña Ana Mobility", user__name="Pat Organiser"
    )
    ann = MembershipFactory(coalition=pm.coalition, role=Role.MEMBER, user__name="Ann Lee")
    coalition, base = pm.coalition, live_server.url
    _frozen_plan(pm, today)
    _other_coalition(pm.user, today)
    _release(str(y), coalition.geography, [(y - 4, 0.41), (y - 3, 0.44), (y - 2, 0.47)])
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    celery_worker_factory(env={"SITE_URL": base, "MOBILITY_TEST_EMAIL_DIR": str(mail_dir)})

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30000)
    sign_in(page, base, pm.user.email, password)
    scorecard = f"{base}/coalitions/{coalition.pk}/implementation/"

    # 1. A value by hand, in the values table: last month's count, due again next month.
    typed = add_months(today + dt.timedelta(days=3), -1)
    page.goto(scorecard)
    page.get_by_role("link", name=HAND).click()
    page.get_by_label("Period 1", exact=True).fill(typed.isoformat())
    page.get_by_label("Value 1", exact=True).fill("4,200")
    page.get_by_label("Note 1", exact=True).fill("Payroll register")
    page.get_by_role("button", name="Save the rows").click()
    expect(page.get_by_text("1 value saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="4,200", exact=True)).to_be_visible()

    # 2. A pasted block with one bad row: the good rows are saved, the bad one comes back.
    page.goto(scorecard)
    page.get_by_role("link", name=PASTED).click()
    page.get_by_label("Rows from a spreadsheet").fill(
        f"Year\tRiders\tSubgroup\n{y - 3}\t14,500\n{y - 2}\t17,800\n{y - 2}\t2,100\tBlack\n"
        f"{y - 1}\tabout 20k\n"
    )
    page.get_by_role("button", name="Save the pasted rows").click()
    expect(page.get_by_text("3 values saved.")).to_be_visible()
    expect(page.get_by_text("Row 4:")).to_be_visible()
    assert page.get_by_label("Rows from a spreadsheet").input_value().strip() == (
        f"{y - 1}\tabout 20k"
    )  # only the bad row comes back, to fix and send again
    page.get_by_label("Rows from a spreadsheet").fill(f"{y - 4}\t13,100")
    page.get_by_role("button", name="Save the pasted rows").click()
    expect(page.get_by_text("1 value saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="17,800", exact=True)).to_be_visible()
    expect(page.locator(".status-on_track").first).to_be_visible()
    expect(page.locator("figure.chart svg")).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "journey-pasted-values.png"), full_page=True)

    # 3. Staff activate the next release; the worker updates the linked measure.
    staff = StaffFactory()
    staff_page = browser.new_context().new_page()
    sign_in(staff_page, base, staff.email, password)
    staff_page.goto(f"{base}/staff/metrics/imports/")
    staff_page.get_by_role("button", name=f"Make {y} active").click()
    expect(staff_page.get_by_text(f"Release {y} is now the one pages show.")).to_be_visible()
    staff_page.context.close()

    def update_done():
        job = ReleaseUpdate.objects.filter(release__name=str(y)).first()
        return job if job and job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED) else None

    job = wait_for(update_done, timeout=60)
    assert job and job.status == JobStatus.SUCCEEDED, job and job.error_report

    # The dashboard says what changed; so does the notification.
    page.goto(f"{base}/coalitions/{coalition.pk}/")
    notice = page.locator("section.notice")
    expect(
        notice.get_by_role("heading", name=f"What changed with the Mobility Metrics release {y}")
    ).to_be_visible()
    rows = notice.get_by_role("row")
    expect(rows.filter(has_text=str(y - 3))).to_contain_text("revised from 43.0% to 44.0%")
    expect(rows.filter(has_text=str(y - 2))).to_contain_text("new value: 47.0%")
    notice.screenshot(path=str(artifacts_dir / "journey-release-notice.png"))
    page.goto(f"{base}/coalitions/{coalition.pk}/notifications/")
    expect(
        page.get_by_text(
            f"The Mobility Metrics release {y} changed 2 values of your measures and goals."
        )
    ).to_be_visible()

    # 4. Tick a milestone with the day it was reached.
    reached = today - dt.timedelta(days=12)
    page.goto(scorecard)
    page.get_by_role("link", name="Living wage ordinance").click()
    row = page.get_by_role("row").filter(has_text="Draft ordinance")
    row.get_by_label("Date “Draft ordinance” was done").fill(reached.isoformat())
    row.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("“Draft ordinance” is marked done.")).to_be_visible()
    expect(page.get_by_text(f"Done on {date_words(reached)}")).to_be_visible()
    assert axe_problems(page) == []

    # 5. Mark the other action stalled, with a reason, an owner and an internal note.
    page.goto(scorecard)
    page.get_by_role("link", name="Night buses").click()
    page.get_by_role("combobox", name="Status").select_option("stalled")
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_text("Say why the action is stalled.")).to_be_visible()
    page.get_by_label("Why (needed when stalled or dropped; internal unless published)").fill(
        REASON
    )
    page.get_by_role("combobox", name="Owner").select_option(label="Ann Lee")
    page.get_by_label("Note on the change").fill(NOTE)
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_text("The status is saved.")).to_be_visible()
    expect(page.get_by_text(f"Why: {REASON}")).to_be_visible()

    # An early win, logged and published by the project manager.
    page.get_by_role("link", name="Early wins").first.click()
    page.get_by_label("Date", exact=True).fill((today - dt.timedelta(days=30)).isoformat())
    page.get_by_label("What happened").fill(WIN)
    page.get_by_label("Strategic action").select_option(label="Living wage ordinance")
    page.get_by_label("Show on the public scorecard (project managers)").check()
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_text("The early win is logged.")).to_be_visible()

    # 6. The scorecard: each measure's status and latest value, the actions' states.
    page.goto(scorecard)
    statuses = {
        name: page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
        for name in (HAND, PASTED, RELEASED, NO_DATA)
    }
    expect(statuses[RELEASED].get_by_text("On track")).to_be_visible()  # 47.0% after the release
    expect(statuses[RELEASED].get_by_text("47.0%")).to_be_visible()
    expect(statuses[PASTED].get_by_text("On track")).to_be_visible()
    expect(statuses[HAND].get_by_text("Off track")).to_be_visible()
    expect(statuses[HAND].get_by_text("4,200")).to_be_visible()
    expect(statuses[NO_DATA].get_by_text("No recent data")).to_be_visible()
    expect(page.get_by_text("Milestones: 1 of 2 done.")).to_be_visible()
    expect(page.locator(".badge.impl-stalled").first).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "journey-scorecard.png"), full_page=True)
    assert axe_problems(page) == []
    page.get_by_role("combobox", name="Status").select_option("stalled")
    page.get_by_role("button", name="Filter").click()  # a GET form: works without JavaScript
    expect(page.get_by_role("link", name="Night buses")).to_be_visible()
    expect(page.get_by_role("link", name="Living wage ordinance")).to_have_count(0)
    page.goto(f"{base}/coalitions/{coalition.pk}/plan/measures/")
    row = page.get_by_role("row").filter(has_text=RELEASED)
    latest = row.locator("td[data-label='Latest value and status']")
    expect(latest).to_contain_text("47.0%")
    expect(latest).to_contain_text("On track")

    # 7. The beat's reminders, then its weekly digest: one email a person, by coalition.
    _beat("send-reminders")
    due_soon = ("Council vote", "Pilot route", HAND)

    def reminded() -> bool:
        texts = Notification.objects.filter(
            user=pm.user, kind__in=["milestone_due", "measure_due"]
        ).values_list("text", flat=True)
        return all(any(what in text for text in texts) for what in due_soon)

    assert wait_for(reminded, timeout=30), list(Notification.objects.values_list("text"))
    _beat("send-weekly-digests")
    assert wait_for(lambda: len(_emails(mail_dir)) == 2, timeout=30), _emails(mail_dir)
    digest = next(e for e in _emails(mail_dir) if e["To"] == pm.user.email)
    assert re.search(r"Your weekly summary: \d+ notifications$", digest["Subject"])
    body = digest.get_content()
    (artifacts_dir / "journey-digest.txt").write_text(body, encoding="utf-8")
    due = Notification.objects.get(user=pm.user, kind="measure_due").text
    assert f"A new value of “{HAND}” is due on " in due and due in body
    assert (
        body.index("Alamo Partners")
        < body.index("“Pilot route” of “Bus passes”")
        < body.index("Doña Ana Mobility")
        < body.index("The milestone “Council vote” of “Living wage ordinance” is due on")
    )
    assert body.index("Doña Ana Mobility") < body.index(due)
    assert f"release {y} changed 2 values" in body
    assert f"{base}/coalitions/{coalition.pk}/" in body
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = str(digest["List-Unsubscribe"]).strip()
    assert one_click.startswith(f"<{base}/accounts/notifications/unsubscribe/")
    ann_digest = next(e for e in _emails(mail_dir) if e["To"] == ann.user.email)
    assert "Council vote" not in ann_digest.get_content()  # reminders go to who must act

    # The one-click link for milestones works signed out; the other kinds keep coming.
    link = re.search(r"Milestones due or overdue: (\S+)", body).group(1)
    visitor = browser.new_context().new_page()
    visitor.goto(link)
    expect(visitor.get_by_text("Milestones due or overdue")).to_be_visible()
    visitor.get_by_role("button", name="Stop these emails").click()
    expect(visitor.get_by_text(f"No more emails about these go to {pm.user.email}")).to_be_visible()
    chosen = notification_preferences(pm.user)
    assert chosen["milestone_due"] == "app" and chosen["measure_due"] == "weekly"

    # 8. A progress report as PDF, made by the worker, downloaded and read.
    page.goto(scorecard)
    page.get_by_role("link", name="Progress reports").first.click()
    page.get_by_label("From").fill(dt.date(y - 2, 1, 1).isoformat())
    page.get_by_role("button", name="Make the report").click()
    download = page.get_by_role("link", name="Download PDF").first
    download.wait_for(timeout=60000)
    with page.expect_download() as info:
        download.click()
    pdf = tmp_path / "progress.pdf"
    info.value.save_as(pdf)
    for old in artifacts_dir.glob("journey-report-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(artifacts_dir / "journey-report")],
        check=True,
    )
    assert list(artifacts_dir.glob("journey-report-*.png"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "What stalled" in flat and "Night buses" in flat
    assert "47.0%" in flat and "4,200" in flat  # the release's new value, the typed one
    assert WIN in flat and "Council vote" in flat  # the early win, the next milestone
    assert REASON not in flat  # reasons only when a project manager chooses

    # 9. Publish the scorecard; a signed-out visitor reads it, without internal material.
    page.goto(scorecard)
    page.get_by_role("button", name="Publish the scorecard").click()
    expect(page.get_by_text("The scorecard is public.")).to_be_visible()
    public_path = page.get_by_role("link", name="Open the public scorecard").get_attribute("href")
    visitor.goto(base + str(public_path))
    expect(visitor.get_by_role("heading", name="Night buses")).to_be_visible()
    expect(visitor.get_by_text("Stalled").first).to_be_visible()
    expect(visitor.get_by_text("47.0%")).to_be_visible()
    expect(visitor.get_by_text("On track").first).to_be_visible()
    expect(visitor.get_by_text(WIN)).to_be_visible()
    public_text = visitor.locator("main").inner_text()
    for internal in (REASON, NOTE, "Ann Lee", "Pat Organiser"):
        assert internal not in public_text, internal
    expect(visitor.locator(f"a[href*='/coalitions/{coalition.pk}/']")).to_have_count(0)
    visitor.screenshot(path=str(artifacts_dir / "journey-public-scorecard.png"), full_page=True)
    visitor.context.close()
    context.close()
