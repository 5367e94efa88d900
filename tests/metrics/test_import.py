"""Importing files end to end: the job row, the observations, re-imports and bad files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from core.jobs import job_claim
from core.models import JobStatus
from metrics import services
from metrics.models import (
    Geography,
    MetricImport,
    NationalBenchmark,
    Observation,
    Release,
    Subgroup,
)
from metrics.tasks import metric_import_run_task

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "metrics"
HEADER = b"year,state,county,state_name,county_name,share_employed,share_employed_quality\n"
GOOD_ROW = b"2020,01,001,Alabama,Autauga County,0.5,Strong\n"


def run_import(content: bytes, *, name: str = "upload.csv", release: str = "2025", **kwargs):
    job = services.metric_import_start(
        actor=None,
        upload=ContentFile(content, name=name),
        release_name=release,
        enqueue=False,
        **kwargs,
    )
    claimed = job_claim(MetricImport, job.pk)
    assert claimed is not None
    services.metric_import_run(job=claimed)
    claimed.refresh_from_db()
    return claimed


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def database_state() -> tuple:
    observations = sorted(
        Observation.objects.values_list(
            "geography_id",
            "metric_id",
            "subgroup_id",
            "year",
            "release_id",
            "value",
            "value_a",
            "value_b",
            "lb",
            "ub",
            "quality",
        )
    )
    benchmarks = sorted(NationalBenchmark.objects.values_list("metric_id", "year", "value"))
    subgroups = sorted(Subgroup.objects.values_list("subgroup_type", "name"))
    return observations, benchmarks, subgroups


def value_of(fips: str, variable: str, year: int, subgroup: str = "All", release: str = "2025"):
    lookup = {"subgroup__subgroup_type": "all"} if subgroup == "All" else {}
    return Observation.objects.get(
        geography__fips=fips,
        metric__variable=variable,
        year=year,
        subgroup__name=subgroup,
        release__name=release,
        **lookup,
    )


@pytest.mark.django_db
def test_county_file_import_stores_long_rows_and_reports_progress():
    job = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.progress_done, job.progress_total) == (54, 54)
    assert job.geography_kind == "county"
    assert job.observations_read == job.observations_written == Observation.objects.count()
    income = value_of("35013", "pctl_income_20", 2014)
    assert income.value == pytest.approx(14521.32, abs=0.01) and income.quality == 1
    assert income.lb is not None and income.ub is not None
    # Names come from our own list, never from the file's broken 2014 row.
    assert Geography.objects.get(fips="35013").name == "Doña Ana County"
    assert Release.objects.get(name="2025").is_active


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing():
    run_import(fixture("city_2025_sample.csv"))
    before = database_state()
    again = run_import(fixture("city_2025_sample.csv"))
    assert again.status == JobStatus.SUCCEEDED
    assert again.observations_written == 0 and again.observations_read > 0
    assert database_state() == before


@pytest.mark.django_db
def test_corrected_value_is_updated_on_reimport():
    run_import(HEADER + GOOD_ROW)
    job = run_import(HEADER + GOOD_ROW.replace(b"0.5", b"0.6"))
    assert job.observations_written == 1
    assert value_of("01001", "share_employed", 2020).value == 0.6


@pytest.mark.django_db
def test_releases_sit_side_by_side_and_one_is_active():
    run_import(HEADER + GOOD_ROW, release="2024")
    run_import(HEADER + GOOD_ROW.replace(b"0.5", b"0.7"), release="2025")
    assert value_of("01001", "share_employed", 2020, release="2024").value == 0.5
    assert value_of("01001", "share_employed", 2020, release="2025").value == 0.7
    assert list(Release.objects.filter(is_active=True).values_list("name", flat=True)) == ["2024"]
    services.release_activate(actor=None, release=Release.objects.get(name="2025"))
    assert list(Release.objects.filter(is_active=True).values_list("name", flat=True)) == ["2025"]


@pytest.mark.django_db
def test_subgroup_files_and_city_files_keep_their_all_rows_apart():
    run_import(fixture("city_2025_sample.csv"))
    run_import(fixture("city_race_ethnicity_2025_sample.csv"))
    job = run_import(fixture("city_race_share_2025_sample.csv.gz"), name="63.csv.gz")
    assert job.status == JobStatus.SUCCEEDED, job.message
    overall = value_of("0103076", "pctl_income_20", 2014)
    breakdown_total = Observation.objects.get(
        geography__fips="0103076",
        metric__variable="pctl_income_20",
        year=2014,
        subgroup__subgroup_type="race-ethnicity",
        subgroup__name="All",
    )
    assert overall.value != breakdown_total.value
    flag_only = value_of("0412000", "share_debt_coll", 2021, subgroup="Neighborhoods of color")
    assert flag_only.value is None and flag_only.quality == 3


@pytest.mark.django_db
def test_old_release_layout_with_year_given():
    job = run_import(fixture("county_2024_recent_oldnames.csv"), year=2022, release="2024")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.unknown_columns == ["index_transit_trips", "index_transit_trips_quality"]
    assert "index_transit_trips" in job.message
    ratio = value_of("01001", "ratio_black_nh_house_value_households", 2022, release="2024")
    assert (ratio.value_a, ratio.value_b) == pytest.approx((0.208, 0.275))


@pytest.mark.django_db
def test_national_medians_file_fills_the_benchmarks():
    job = run_import(fixture("county_medians_2025.csv"))
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.geography_kind == "national"
    assert NationalBenchmark.objects.get(metric__variable="share_employed", year=2017).value == (
        pytest.approx(0.7999)
    )
    assert run_import(fixture("county_medians_2025.csv")).observations_written == 0


@pytest.mark.django_db
def test_task_claims_the_row_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.metric_import_start(
            actor=None, upload=ContentFile(HEADER + GOOD_ROW, name="a.csv"), release_name="2025"
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    metric_import_run_task(job.pk)  # a second delivery finds nothing to claim
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and Observation.objects.count() == 1


@pytest.mark.django_db
def test_upload_is_stored_under_a_generated_name():
    job = run_import(HEADER + GOOD_ROW, name="../../etc/passwd.csv")
    assert job.original_name == "passwd.csv"
    assert "passwd" not in job.file.name and job.file.name.startswith("metric-imports/")


@pytest.mark.django_db
def test_management_command_imports_and_fails_loudly(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(HEADER + GOOD_ROW)
    call_command("import_metrics", str(good), "--release", "2023", "--activate")
    assert "1 added or changed" in capsys.readouterr().out
    assert Release.objects.get(is_active=True).name == "2023"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(HEADER + GOOD_ROW.replace(b"0.5", b"lots"))
    with pytest.raises(CommandError, match="row 2, column share_employed"):
        call_command("import_metrics", str(bad))
    with pytest.raises(CommandError, match="one FILE or --shipped"):
        call_command("import_metrics")


@pytest.mark.django_db
def test_management_command_imports_the_shipped_files(monkeypatch, tmp_path, capsys):
    release_dir = tmp_path / services.SHIPPED_RELEASE
    release_dir.mkdir()
    for name in ("city_2025_sample.csv", "county_medians_2025.csv"):
        (release_dir / name).write_bytes(fixture(name))
    monkeypatch.setattr(services, "SHIPPED_DIR", tmp_path)
    monkeypatch.setattr(
        services, "SHIPPED_FILES", ("city_2025_sample.csv", "county_medians_2025.csv")
    )
    call_command("import_metrics", "--shipped")
    out = capsys.readouterr().out
    assert "city_2025_sample.csv: " in out and "county_medians_2025.csv: 239 values" in out
    assert NationalBenchmark.objects.count() == 239


@pytest.mark.django_db
def test_shipped_files_are_queued_once(monkeypatch, tmp_path, django_capture_on_commit_callbacks):
    release_dir = tmp_path / services.SHIPPED_RELEASE
    release_dir.mkdir()
    (release_dir / "county.csv.gz").write_bytes(gzip.compress(fixture("county_2025_sample.csv")))
    monkeypatch.setattr(services, "SHIPPED_DIR", tmp_path)
    monkeypatch.setattr(services, "SHIPPED_FILES", ("county.csv.gz",))
    with django_capture_on_commit_callbacks(execute=True):
        assert "background" in services.metric_imports_shipped_start()
    assert services.metric_imports_shipped_start() == ""
    job = MetricImport.objects.get()
    assert job.status == JobStatus.SUCCEEDED and job.shipped
    assert Observation.objects.filter(geography__fips="35013").exists()


# --- Broken files: each one is a failed job naming the row (and column), nothing written ---

BROKEN = {
    "empty": (b"", 1, None, "empty"),
    "header only": (HEADER, 2, None, "no data rows"),
    "binary junk": (bytes(range(256)) * 40, 1, None, "binary"),
    "excel workbook": (b"PK\x03\x04" + b"\x00" * 200, 1, None, "spreadsheet"),
    "wrong delimiter": (
        HEADER.replace(b",", b";") + GOOD_ROW.replace(b",", b";"),
        1,
        "year;state;county",
        "commas",
    ),
    "missing id columns": (
        b"year,state_name,share_employed\n2020,Alabama,0.5\n",
        1,
        "state",
        "id columns",
    ),
    "duplicate keys": (
        HEADER + GOOD_ROW + b"2020,1,1,Alabama,Autauga County,0.6,Weak\n",
        3,
        "county",
        "duplicate",
    ),
    "text in a numeric column": (
        HEADER + GOOD_ROW + b"2021,01,001,Alabama,Autauga County,high,Strong\n",
        3,
        "share_employed",
        "not a number",
    ),
    "share out of range": (
        HEADER + GOOD_ROW + b"2021,01,001,Alabama,Autauga County,1.25,Strong\n",
        3,
        "share_employed",
        "range",
    ),
    "spreadsheet formula": (
        HEADER + GOOD_ROW + b'2021,01,001,Alabama,Autauga County,"=HYPERLINK(""x"")",Strong\n',
        3,
        "share_employed",
        "formula",
    ),
    "truncated last line": (
        HEADER + GOOD_ROW + b"2021,01,001,Alabama,Auta",
        3,
        "share_employed",
        "fields",
    ),
    "unterminated quote": (
        HEADER + GOOD_ROW + b'2021,01,001,"Alabama,Autauga County,0.5,Strong\n',
        3,
        None,
        "cannot be read",
    ),
    "unknown FIPS code": (
        HEADER + GOOD_ROW + b"2021,01,999,Alabama,Nowhere County,0.5,Strong\n",
        3,
        "county",
        "01999",
    ),
    "year that is not a year": (
        HEADER + b"twenty,01,001,Alabama,Autauga County,0.5,Strong\n",
        2,
        "year",
        "not a year",
    ),
    "no metric columns": (b"year,state,county,colour\n2020,01,001,red\n", 1, None, "metric"),
    "duplicate header column": (
        b"year,state,county,share_employed,share_employed\n2020,01,001,0.5,0.5\n",
        1,
        "share_employed",
        "twice",
    ),
    "infinite value": (
        HEADER + b"2020,01,001,Alabama,Autauga County,inf,Strong\n",
        2,
        "share_employed",
        "not a number",
    ),
    "damaged gzip": (gzip.compress(HEADER + GOOD_ROW * 200)[:-40], 1, None, "damaged"),
    "two id schemes": (
        b"year,state,county,place,share_employed\n2020,01,001,00100,0.5\n",
        1,
        "place",
        "not both",
    ),
    "subgroup file with an empty subgroup": (
        b"year,state,county,subgroup,subgroup_type,share_employed\n"
        b"2020,01,001,Black,race-ethnicity,0.5\n2020,01,001,NA,race-ethnicity,0.5\n",
        3,
        "subgroup",
        "empty",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_fails_the_job_and_changes_nothing(case):
    run_import(fixture("county_2025_sample.csv"))
    run_import(fixture("county_medians_2025.csv"))
    before = database_state()
    content, row, column, words = BROKEN[case]
    name = "broken.csv.gz" if content[:2] == b"\x1f\x8b" else "broken.csv"
    job = run_import(content, name=name)
    assert job.status == JobStatus.FAILED
    assert f"row {row}" in job.message
    if column:
        assert f"column {column}" in job.message
    assert words in job.message.lower()
    assert job.error_report.startswith("row,column,message")
    assert job.error_count >= 1
    assert database_state() == before


@pytest.mark.django_db
def test_file_over_the_size_limit_fails(settings):
    settings.METRICS_IMPORT_MAX_BYTES = 5_000
    before = database_state()
    body = b"".join(
        b"%d,01,001,Alabama,Autauga County,0.5,Strong\n" % year for year in range(1990, 2101)
    )
    rows = b"".join(body.replace(b",01,001,", b",01,%03d," % n) for n in (1, 3, 5))
    job = run_import(HEADER + rows)
    assert job.status == JobStatus.FAILED
    assert "larger than the limit" in job.message and "row " in job.message
    assert database_state() == before


@pytest.mark.django_db
def test_compressed_file_that_inflates_past_the_limit_fails(settings):
    settings.METRICS_IMPORT_MAX_BYTES = 50_000
    rows = b"".join(b"%d,01,001,Alabama,Autauga County,0.5,Strong\n" % y for y in range(1990, 2101))
    bomb = gzip.compress(HEADER + rows * 40)  # about 200 kB inflated, a few kB packed
    job = run_import(bomb, name="small.csv.gz")
    assert job.status == JobStatus.FAILED and "larger than the limit" in job.message


@pytest.mark.django_db
def test_error_report_lists_every_problem_and_neutralises_formulas():
    content = HEADER + b"".join(b"2020,01,%03d,Alabama,X,=cmd|x,Strong\n" % n for n in (1, 3, 5))
    job = run_import(content)
    assert job.error_count == 3 and "3 problems" in job.message
    lines = job.error_report.splitlines()
    assert lines[1].startswith("2,share_employed,")
    assert len(lines) == 4
