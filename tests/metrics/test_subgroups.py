"""Subgroup files of every breakdown, checked against Urban's technical specification."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import JobStatus
from metrics import services
from metrics.models import MetricImport, Observation, Release
from metrics.profiles.reading import subgroup_type_text
from metrics.specification import specification_load
from tests.metrics.test_import import FIXTURES, database_state, fixture, run_import
from tests.metrics.test_profiles import member_client

pytestmark = pytest.mark.django_db

OVERALL = {"county": "county_2025_sample.csv", "city": "city_2025_sample.csv"}
PLACE = {"county": "35013", "city": "0103076"}  # Doña Ana County, NM; Auburn city, AL
# (fixture, level, subgroup type as filed): every breakdown besides race (shipped files).
BREAKDOWNS = [
    ("county_income_2025_sample.csv", "county", "income"),
    ("county_age_2025_sample.csv", "county", "age"),
    ("county_gender_2025_sample.csv", "county", "gender"),
    ("county_tenure_2025_sample.csv", "county", "tenure"),
    ("county_disability_2025_sample.csv", "county", "disability"),
    ("county_industry_2025_sample.csv", "county", "industry"),
    ("county_mothers_education_2025_sample.csv", "county", "mothers-education"),
    ("city_income_2025_sample.csv", "city", "income"),
    ("city_age_2025_sample.csv", "city", "age"),
    ("city_gender_2025_sample.csv", "city", "gender"),
    ("city_tenure_2025_sample.csv", "city", "tenure"),
    ("city_disability_2025_sample.csv", "city", "disability"),
    ("city_poverty_2025_sample.csv", "city", "poverty"),
]


def overall(level: str) -> None:
    job = run_import(fixture(OVERALL[level]), name=OVERALL[level])
    assert job.status == JobStatus.SUCCEEDED, job.message


def subgroups_of(variable: str, kind: str, fips: str) -> set[str]:
    return set(
        Observation.objects.filter(
            metric__variable=variable,
            geography__fips=fips,
            subgroup__subgroup_type=kind,
            value__isnull=False,
        ).values_list("subgroup__name", flat=True)
    )


def test_urbans_whole_race_ethnicity_file_brings_its_six_more_metrics():
    overall("county")
    job = run_import(
        fixture("county_race_ethnicity_full_2025_sample.csv"),
        name="12_mobility-metrics_county_race-ethnicity_longitudinal.csv",
    )
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.breakdown == "race-ethnicity" and not job.unknown_columns
    spec = specification_load()
    by_race = [v for (v, level), kinds in spec.breakdowns.items() if level == "county"]
    by_race = [v for v in by_race if "race-ethnicity" in spec.breakdowns_of(v, "county")]
    assert len(by_race) == 14 and set(by_race) == set(job.variables)
    listed = set(spec.subgroup_names["race-ethnicity"])
    for variable in by_race:
        found = subgroups_of(variable, "race-ethnicity", "35013")
        assert "All" in found and found - {"All"} and found - {"All"} <= listed, variable
    # Two of the six the shipped file lacks: their values, bounds and flags are there.
    for variable in ("pctl_income_20", "share_employed"):
        row = Observation.objects.get(
            metric__variable=variable, subgroup__name="Hispanic", year=2023
        )
        assert row.quality == 2 and row.lb < row.value < row.ub  # Marginal


@pytest.mark.parametrize(("name", "level", "kind"), BREAKDOWNS, ids=lambda v: str(v))
def test_every_breakdown_imports_and_shows_on_the_metric_page(client, name, level, kind):
    overall(level)
    job = run_import(fixture(name), name=name)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.breakdown == kind and job.geography_kind == level
    spec = specification_load()
    variable = job.variables[0]
    found = subgroups_of(variable, kind, PLACE[level]) - {"All"}
    assert found and found <= set(spec.subgroup_names[kind])
    Release.objects.filter(name="2025").update(is_active=True)
    coalition = member_client(client, PLACE[level])
    page = client.get(
        reverse("profiles:metric", args=[coalition.pk, variable]), {"weak": "1"}
    ).content.decode()
    assert str(subgroup_type_text(kind)) in page
    assert sorted(found)[0].replace("'", "&#x27;") in page


# --- Bad input: a message naming the row and column, nothing written ---------------------


def test_unknown_subgroup_names_are_refused_naming_row_and_column():
    overall("county")
    before = database_state()
    content = fixture("county_gender_2025_sample.csv").replace(b",Female,", b",Females,", 1)
    job = run_import(content, name="16_county_gender.csv")
    assert job.status == JobStatus.FAILED
    assert "row 3, column subgroup" in job.message and "'Females'" in job.message
    assert "Female; Male" in job.message
    assert database_state() == before


def test_unknown_subgroup_type_is_refused_naming_row_and_column():
    overall("county")
    before = database_state()
    content = fixture("county_gender_2025_sample.csv").replace(b",gender,", b",sex,")
    job = run_import(content, name="16_county_gender.csv")
    assert job.status == JobStatus.FAILED
    assert "column subgroup_type" in job.message and "'sex'" in job.message
    assert database_state() == before


def test_a_file_of_the_other_level_than_the_import_says_is_refused():
    overall("county")
    overall("city")
    before = database_state()
    job = run_import(fixture("city_gender_2025_sample.csv"), name="gender.csv", level="county")
    assert job.status == JobStatus.FAILED
    assert "row 1, column place" in job.message and "city (place) rows" in job.message
    # The file name says county (as Urban names its files), the rows are cities.
    named = run_import(fixture("city_gender_2025_sample.csv"), name="16_county_gender.csv")
    assert named.status == JobStatus.FAILED and "column place" in named.message
    assert database_state() == before


def test_place_codes_where_county_codes_are_expected_are_named():
    overall("county")
    before = database_state()
    content = fixture("county_gender_2025_sample.csv").replace(b",35,013,", b",01,03076,", 1)
    job = run_import(content, name="16_county_gender.csv")
    assert job.status == JobStatus.FAILED
    assert "row 2, column county" in job.message and "place (city) code" in job.message
    assert database_state() == before


def test_a_subgroup_file_needs_the_overall_file_of_its_level_first():
    overall("city")  # a city overall file does not make a county release
    before = database_state()
    job = run_import(fixture("county_gender_2025_sample.csv"), name="16_county_gender.csv")
    assert job.status == JobStatus.FAILED
    assert "row 1, column subgroup" in job.message
    assert "import the overall county file first" in job.message
    assert database_state() == before
    overall("county")
    again = run_import(fixture("county_gender_2025_sample.csv"), name="16_county_gender.csv")
    assert again.status == JobStatus.SUCCEEDED, again.message


def test_the_import_page_takes_the_level(client, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    overall("city")
    path = FIXTURES / "city_gender_2025_sample.csv"
    with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("metrics:import_list"),
            {"file": handle, "release": "2025", "level": "county"},
        )
    assert response.status_code == 302
    job = MetricImport.objects.latest("pk")
    assert job.level == "county" and job.status == JobStatus.FAILED
    assert "column place" in job.message


# --- First start: subgroup files wait for the overall file of their level ----------------


def test_shipped_subgroup_files_wait_for_their_overall_file(
    monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    release_dir = tmp_path / services.SHIPPED_RELEASE
    release_dir.mkdir()
    for name in ("county_2025_sample.csv", "county_gender_2025_sample.csv"):
        (release_dir / name).write_bytes(fixture(name))
    monkeypatch.setattr(services, "SHIPPED_DIR", tmp_path)
    monkeypatch.setattr(services, "SHIPPED_AFTER", {"county": ("county_gender_2025_sample.csv",)})
    # The subgroup file alone first: it is queued only once its overall file is in.
    monkeypatch.setattr(services, "SHIPPED_FILES", ("county_gender_2025_sample.csv",))
    with django_capture_on_commit_callbacks(execute=True):
        services.metric_imports_shipped_start()
    waiting = MetricImport.objects.get()
    assert waiting.status == JobStatus.PENDING and waiting.task_id == ""
    monkeypatch.setattr(
        services, "SHIPPED_FILES", ("county_2025_sample.csv", "county_gender_2025_sample.csv")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.metric_imports_shipped_start()
    jobs = {j.original_name: j for j in MetricImport.objects.all()}
    assert {j.status for j in jobs.values()} == {JobStatus.SUCCEEDED}
    gender = jobs["county_gender_2025_sample.csv"]
    assert gender.pk == waiting.pk and gender.breakdown == "gender"
    assert gender.started_at > jobs["county_2025_sample.csv"].finished_at


def test_shipped_files_list_overall_files_before_subgroup_files():
    names = list(services.SHIPPED_FILES)
    waiting = [n for group in services.SHIPPED_AFTER.values() for n in group]
    assert set(waiting) <= set(names)
    assert max(names.index(n) for n in names if n not in waiting) < min(
        names.index(n) for n in waiting
    )
    for name in names:
        assert (services.SHIPPED_DIR / services.SHIPPED_RELEASE / name).is_file()


# --- A missing breakdown says which case it is --------------------------------------------


def metric_page(client, fips: str, variable: str, *, staff: bool = False, **query) -> str:
    Release.objects.filter(name="2025").update(is_active=True)
    coalition = member_client(client, fips)
    if staff:
        user = coalition.memberships.get().user
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    url = reverse("profiles:metric", args=[coalition.pk, variable])
    return client.get(url, query).content.decode()


def test_a_breakdown_urban_does_not_publish_says_so_for_the_level(client):
    overall("county")
    page = metric_page(client, "35013", "share_election_turnout")
    assert "not disaggregated for counties" in page
    assert "has not imported" not in page


def test_a_breakdown_not_imported_here_says_so_with_a_link_for_staff(client):
    overall("county")
    run_import(fixture("county_gender_2025_sample.csv"), name="16_county_gender.csv")
    page = metric_page(client, "35013", "share_employed")
    assert "Gender" in page and "not disaggregated" not in page
    assert "Race and ethnicity: the Urban Institute publishes this breakdown" in page
    assert "Disability: the Urban Institute publishes this breakdown" in page
    assert "Ask the site's staff to import it." in page
    assert f'href="{reverse("metrics:import_list")}"' not in page
    staff_page = metric_page(client, "35013", "share_employed", staff=True)
    assert f'href="{reverse("metrics:import_list")}"' in staff_page
    assert "Ask the site's staff" not in staff_page


def test_a_breakdown_imported_without_values_for_this_place_says_so(client):
    overall("county")
    run_import(fixture("county_gender_2025_sample.csv"), name="16_county_gender.csv")
    page = metric_page(client, "02261", "share_employed")  # not in the gender file
    assert "Gender: the Urban Institute publishes no values of this breakdown" in page
    assert "Race and ethnicity: the Urban Institute publishes this breakdown" in page


def test_a_breakdown_with_only_weak_values_says_they_are_hidden(client):
    overall("county")
    weak = fixture("county_gender_2025_sample.csv").replace(b"Strong", b"Weak")
    run_import(weak, name="16_county_gender.csv")
    page = metric_page(client, "35013", "share_employed")
    assert "Gender: every value for this place is rated Weak" in page
    shown = metric_page(client, "35013", "share_employed", weak="1")
    assert "rated Weak, and Weak values are hidden" not in shown
