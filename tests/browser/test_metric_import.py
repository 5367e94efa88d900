"""Staff import a Mobility Metrics file in Chromium and watch the progress bar move."""

from pathlib import Path

import pytest

from core.models import JobStatus
from metrics.models import MetricImport, Release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "metrics"


def sign_in(page, live_server, person, password):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1")


@pytest.mark.usefixtures("reference_data")
def test_staff_upload_a_file_and_read_the_result(page, live_server, staff, password, artifacts_dir):
    sign_in(page, live_server, staff, password)
    page.goto(live_server.url + "/staff/metrics/imports/")
    page.get_by_label("Mobility Metrics file").set_input_files(
        str(FIXTURES / "county_2025_sample.csv")
    )
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("text=1337 values read from 54 rows")
    assert page.get_by_role("heading", level=1).inner_text() == "Import of county_2025_sample.csv"
    page.screenshot(path=str(artifacts_dir / "metric-import-done.png"), full_page=True)


def test_progress_bar_follows_the_job(page, live_server, staff, password):
    job = MetricImport.objects.create(
        original_name="big.csv",
        release=Release.objects.create(name="2025"),
        status=JobStatus.RUNNING,
        progress_done=5,
        progress_total=10,
    )
    sign_in(page, live_server, staff, password)
    page.goto(f"{live_server.url}/staff/metrics/imports/{job.pk}/")
    assert page.get_by_label("Progress").get_attribute("value") == "50"
    MetricImport.objects.filter(pk=job.pk).update(progress_done=9)
    page.wait_for_selector("text=9 of 10 rows read", timeout=10000)
    MetricImport.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, message="All done.")
    page.wait_for_selector("text=All done.", timeout=10000)
    assert page.get_by_label("Progress").get_attribute("value") == "100"
