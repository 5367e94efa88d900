"""The staff import pages and the metrics API."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import JobStatus
from metrics import services
from metrics.models import Geography, MetricImport, Observation, Release

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "metrics"
HEADER = b"year,state,county,state_name,county_name,share_employed,share_employed_quality\n"


def upload(content: bytes, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def staff_upload(client, content: bytes, capture, name: str = "file.csv", **data):
    with capture(execute=True):
        return client.post(
            reverse("metrics:import_list"),
            {"file": upload(content, name), "release": "2025", **data},
        )


@pytest.mark.django_db
def test_staff_upload_runs_the_import_and_shows_the_result(
    staff_client, django_capture_on_commit_callbacks
):
    content = (FIXTURES / "county_2025_sample.csv").read_bytes()
    response = staff_upload(staff_client, content, django_capture_on_commit_callbacks)
    job = MetricImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("metrics:import_detail", args=[job.pk])
    page = staff_client.get(response["Location"]).content.decode()
    assert "Finished" in page and "1337" in page and "county_2025_sample" not in page
    assert 'hx-get="' not in page  # finished: the progress block stops polling
    listing = staff_client.get(reverse("metrics:import_list")).content.decode()
    assert "file.csv" in listing and "The active release is 2025" in listing


@pytest.mark.django_db
def test_staff_switch_the_active_release(staff_client, staff):
    first = Release.objects.create(name="2024", is_active=True)
    second = Release.objects.create(name="2025")
    page = staff_client.get(reverse("metrics:import_list")).content.decode()
    assert "Make 2025 active" in page and "Make 2024 active" not in page
    response = staff_client.post(reverse("metrics:release_activate", args=[second.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_active and not first.is_active
    assert second.activated_by == staff and second.activated_at is not None
    page = staff_client.get(reverse("metrics:import_list")).content.decode()
    assert f"switched on by {staff}" in page


@pytest.mark.django_db
def test_staff_services_refuse_a_user_who_is_not_staff(user):
    release = Release.objects.create(name="2025")
    with pytest.raises(PermissionDenied):
        services.release_activate(actor=user, release=release)
    with pytest.raises(PermissionDenied):
        services.release_delete(actor=user, release=release)
    with pytest.raises(PermissionDenied):
        services.metric_import_start(actor=user, upload=upload(b"x"), release_name="2024")
    release.refresh_from_db()
    assert not release.is_active and list(Release.objects.values_list("name", flat=True)) == [
        "2025"
    ]


@pytest.mark.django_db
def test_upload_form_refuses_other_file_types(staff_client):
    response = staff_client.post(
        reverse("metrics:import_list"),
        {"file": upload(b"PK\x03\x04", "data.xlsx"), "release": "2025"},
    )
    assert response.status_code == 400
    assert "Upload a .csv or .csv.gz file." in response.content.decode()
    assert not MetricImport.objects.exists()


@pytest.mark.django_db
def test_failed_import_page_lists_errors_and_offers_the_csv(
    staff_client, django_capture_on_commit_callbacks
):
    content = HEADER + b"2020,01,001,Alabama,Autauga County,high,Strong\n"
    staff_upload(staff_client, content, django_capture_on_commit_callbacks)
    job = MetricImport.objects.get()
    assert job.status == JobStatus.FAILED
    page = staff_client.get(reverse("metrics:import_detail", args=[job.pk])).content.decode()
    assert "share_employed" in page and "is not a number" in page
    report = staff_client.get(reverse("metrics:import_errors", args=[job.pk]))
    assert report["Content-Type"].startswith("text/csv")
    assert "attachment" in report["Content-Disposition"]
    assert report.content.decode().splitlines()[1].startswith("2,share_employed,")


@pytest.mark.django_db
def test_progress_block_polls_while_the_job_waits(staff_client):
    job = MetricImport.objects.create(
        original_name="x.csv",
        release=Release.objects.create(name="2025"),
        progress_done=5,
        progress_total=10,
        status=JobStatus.RUNNING,
    )
    page = staff_client.get(reverse("metrics:import_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "5 of 10 rows read" in page
    assert 'value="50"' in page


# --- API -------------------------------------------------------------------------------


@pytest.fixture
def imported(db, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from metrics import services

    for name in (
        "county_2025_sample.csv",
        "city_2025_sample.csv",  # a subgroup file goes into a release with the overall one
        "city_race_ethnicity_2025_sample.csv",
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.metric_import_start(
                actor=None,
                upload=ContentFile((FIXTURES / name).read_bytes(), name=name),
                release_name="2025",
            )
    assert set(MetricImport.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}


@pytest.mark.django_db
def test_api_catalog_lists_every_metric_with_pillar_and_predictor(api_client, user):
    api_client.force_authenticate(user)
    data = api_client.get("/api/metrics/").json()
    assert len(data) == 47
    employed = next(m for m in data if m["variable"] == "share_employed")
    assert employed["pillar"] == "Rewarding Work"
    assert employed["predictor"] == "Employment opportunities"
    assert employed["direction"] == "higher" and employed["has_bounds"] is True
    assert len({m["pillar"] for m in data}) == 5 and len({m["predictor"] for m in data}) == 24


@pytest.mark.django_db
def test_api_geography_search_folds_accents(api_client, user):
    api_client.force_authenticate(user)
    data = api_client.get("/api/geographies/", {"search": "dona ana"}).json()
    assert [g["fips"] for g in data["results"]] == ["35013"]
    cities = api_client.get("/api/geographies/", {"search": "auburn", "kind": "city"}).json()
    assert {g["kind"] for g in cities["results"]} == {"city"}


@pytest.mark.django_db
def test_api_observations_filter_by_metric_year_and_subgroup_type(api_client, user, imported):
    api_client.force_authenticate(user)
    dona_ana = Geography.objects.get(fips="35013")
    url = f"/api/geographies/{dona_ana.pk}/observations/"
    data = api_client.get(url, {"metric": "pctl_income_20", "year": 2014}).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["quality"] == "Strong" and row["subgroup_type"] == "all"
    assert row["value"] == pytest.approx(14521.32, abs=0.01)
    auburn = Geography.objects.get(fips="0103076")
    by_race = api_client.get(
        f"/api/geographies/{auburn.pk}/observations/",
        {"subgroup_type": "race-ethnicity", "metric": "share_poverty_exposure", "year": 2014},
    ).json()
    assert {r["subgroup"] for r in by_race["results"]} >= {"Black", "All"}
    missing = api_client.get(url, {"release": "1999"})
    assert missing.status_code == 404


@pytest.mark.django_db
def test_api_import_for_staff_only(api_client, user, staff, django_capture_on_commit_callbacks):
    api_client.force_authenticate(user)
    with django_capture_on_commit_callbacks(execute=True):
        services.metric_import_start(  # the overall city file the subgroup file joins
            actor=None,
            upload=upload((FIXTURES / "city_2025_sample.csv").read_bytes(), "61_city.csv"),
            release_name="2025",
        )
    content = (FIXTURES / "city_race_share_2025_sample.csv").read_bytes()
    forbidden = api_client.post("/api/metrics/imports/", {"file": upload(content)})
    assert forbidden.status_code == 403
    api_client.force_authenticate(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/metrics/imports/", {"file": upload(content), "release": "2025"}
        )
    assert response.status_code == 202
    job_id = response.json()["id"]
    detail = api_client.get(f"/api/metrics/imports/{job_id}/").json()
    assert detail["status"] == "succeeded" and detail["breakdown"] == "race-share"
    assert detail["percent"] == 100 and detail["error_report"] == []


@pytest.mark.django_db
def test_api_import_refuses_a_file_for_the_other_level(
    api_client, staff, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(staff)
    content = (FIXTURES / "city_2025_sample.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/metrics/imports/", {"file": upload(content, "61_city.csv"), "level": "county"}
        )
    assert response.status_code == 202 and response.json()["level"] == "county"
    detail = api_client.get(f"/api/metrics/imports/{response.json()['id']}/").json()
    assert detail["status"] == "failed"
    assert detail["error_report"][0]["row"] == "1"
    assert not Observation.objects.exists()
    wrong = api_client.post(
        "/api/metrics/imports/", {"file": upload(content, "61_city.csv"), "level": "state"}
    )
    assert wrong.status_code == 400 and "level" in wrong.json()


@pytest.mark.django_db
def test_api_import_reports_errors_by_row_and_column(
    api_client, staff, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(staff)
    content = HEADER + b"2020,01,001,Alabama,Autauga County,2.5,Strong\n"
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api_client.post("/api/metrics/imports/", {"file": upload(content)}).json()["id"]
    detail = api_client.get(f"/api/metrics/imports/{job_id}/").json()
    assert detail["status"] == "failed"
    assert detail["error_report"] == [
        {
            "row": "2",
            "column": "share_employed",
            "message": "2.5 is outside the possible range 0 to 1.",
        }
    ]
    bad_type = api_client.post("/api/metrics/imports/", {"file": upload(b"x", "a.xlsx")})
    assert bad_type.status_code == 400


@pytest.mark.django_db
def test_api_schema_lists_the_metrics_endpoints(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/metrics/",
        "/api/metrics/imports/",
        "/api/metrics/imports/{id}/",
        "/api/geographies/",
        "/api/geographies/{id}/observations/",
    ):
        assert path in schema["paths"], path


@pytest.mark.django_db
def test_api_latest_keeps_each_metrics_own_last_year(api_client, user, imported):
    api_client.force_authenticate(user)
    dona_ana = Geography.objects.get(fips="35013")
    url = f"/api/geographies/{dona_ana.pk}/observations/"
    data = api_client.get(url, {"latest": "true", "subgroup_type": "all"}).json()
    latest = {row["metric"]: row["year"] for row in data["results"]}
    assert latest["rate_injury_death"] == 2023
    assert latest["share_election_turnout"] == 2020
    assert latest["rate_learning"] == 2018
    assert len(latest) == data["count"]  # one row per metric


@pytest.mark.django_db
def test_import_pages_speak_spanish(staff_client):
    staff_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    page = staff_client.get(reverse("metrics:import_list")).content.decode()
    assert "Importaciones de Mobility Metrics" in page
    assert "Archivo de Mobility Metrics" in page and "Importar un archivo" in page


@pytest.mark.django_db
def test_a_repeated_upload_says_which_import_it_repeats(
    staff_client, api_client, staff, django_capture_on_commit_callbacks
):
    content = (FIXTURES / "county_2025_sample.csv").read_bytes()
    staff_upload(staff_client, content, django_capture_on_commit_callbacks, name="11_county.csv")
    staff_upload(staff_client, content, django_capture_on_commit_callbacks, name="11_county.csv")
    first, again = MetricImport.objects.order_by("pk")
    assert again.status == JobStatus.SUCCEEDED and again.unchanged_since_id == first.pk
    page = staff_client.get(reverse("metrics:import_detail", args=[again.pk])).content.decode()
    assert "Nothing to change" in page and "Same file as" in page
    assert reverse("metrics:import_detail", args=[first.pk]) in page
    api_client.force_authenticate(staff)
    detail = api_client.get(f"/api/metrics/imports/{again.pk}/").json()
    assert detail["unchanged_since"] == first.pk and detail["observations_written"] == 0
    assert detail["fingerprint"] == first.fingerprint and len(detail["fingerprint"]) == 64
