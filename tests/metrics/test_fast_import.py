"""The fast import path: whole-file reading, re-imports recognised by fingerprint, and (on
PostgreSQL) a table per release. Every case here runs on SQLite and PostgreSQL alike unless
it says otherwise; the slow path is the reference the fast one must agree with."""

from __future__ import annotations

import gzip
from types import SimpleNamespace

import pytest
from django.db import connection

from core.models import JobStatus
from metrics import fastread, importing, partitions, services
from metrics.models import Metric, Observation, Release, ReleaseDigest, Subgroup
from tests.metrics.test_import import (
    GOOD_ROW,
    HEADER,
    database_state,
    fixture,
    run_import,
    value_of,
)

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="partitions exist on PostgreSQL only"
)
CLEAN = (
    ("county_2025_sample.csv", "11_county.csv"),
    ("city_2025_sample.csv", "61_city.csv"),
    ("city_race_ethnicity_2025_sample.csv", "62_city_race-ethnicity.csv"),
    ("city_race_share_2025_sample.csv.gz", "63_city_race-share.csv.gz"),
)


def rows_of(release_name: str) -> list[tuple]:
    return sorted(
        Observation.objects.filter(release__name=release_name).values_list(
            "geography__fips",
            "metric__variable",
            "subgroup__subgroup_type",
            "subgroup__name",
            "year",
            "value",
            "value_a",
            "value_b",
            "lb",
            "ub",
            "quality",
        )
    )


@pytest.mark.django_db
def test_clean_files_are_read_in_one_go_and_give_what_the_streaming_reader_gives(monkeypatch):
    for source, name in CLEAN:
        job = run_import(fixture(source), name=name, release="fast")
        assert job.status == JobStatus.SUCCEEDED, job.message
    with monkeypatch.context() as patch:
        patch.setattr(fastread, "read_columnar", lambda *args, **kwargs: None)
        for source, name in CLEAN:
            job = run_import(fixture(source), name=name, release="slow")
            assert job.status == JobStatus.SUCCEEDED, job.message
    fast, slow = rows_of("fast"), rows_of("slow")
    assert len(fast) > 1000 and fast == slow
    # The float columns really hold the file's numbers (not text, not rounded).
    assert any(row[6] is not None for row in fast)  # value_a of the house value ratios


@pytest.mark.django_db
def test_clean_files_never_reach_the_streaming_writer(monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("the streaming path was taken for a clean file")

    monkeypatch.setattr(importing, "observations_write", refuse)
    job = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.progress_done, job.progress_total) == (54, 54)


@pytest.mark.django_db
def test_a_bad_cell_sends_the_file_to_the_streaming_reader_which_names_it():
    before = database_state()
    bad = HEADER + GOOD_ROW + GOOD_ROW.replace(b"001", b"003").replace(b"0.5", b"0.5x")
    job = run_import(bad)
    assert job.status == JobStatus.FAILED
    assert "row 3, column share_employed" in job.message and "0.5x" in job.message
    assert database_state() == before


@pytest.mark.django_db
def test_reimporting_the_same_file_is_recognised_and_writes_nothing():
    first = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    before = database_state()
    again = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    assert again.status == JobStatus.SUCCEEDED
    assert again.unchanged_since_id == first.pk and again.fingerprint == first.fingerprint
    assert again.observations_written == 0
    assert again.observations_read == first.observations_read
    assert (again.geography_kind, again.breakdown) == (first.geography_kind, first.breakdown)
    assert "Nothing to change" in again.message and "11_county.csv" in again.message
    assert database_state() == before
    third = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    assert third.unchanged_since_id == first.pk  # the original import, not the shortcut


@pytest.mark.django_db
def test_the_same_rows_in_another_file_are_compared_and_write_nothing():
    run_import(fixture("city_2025_sample.csv"), name="61_city.csv")  # the overall file first
    run_import(fixture("city_race_share_2025_sample.csv"), name="63_race-share.csv")
    before = database_state()
    again = run_import(fixture("city_race_share_2025_sample.csv.gz"), name="63_race-share.csv")
    assert again.status == JobStatus.SUCCEEDED
    assert again.unchanged_since_id is None and again.observations_written == 0
    assert again.observations_read > 0
    assert database_state() == before


@pytest.mark.django_db
def test_another_import_in_between_means_the_file_is_read_again():
    run_import(HEADER + GOOD_ROW)
    run_import(HEADER + GOOD_ROW.replace(b"0.5", b"0.6"))
    back = run_import(HEADER + GOOD_ROW)
    assert back.unchanged_since_id is None and back.observations_written == 1
    assert value_of("01001", "share_employed", 2020).value == 0.5


@pytest.mark.django_db
def test_a_failed_import_in_between_keeps_the_shortcut():
    first = run_import(HEADER + GOOD_ROW)
    failed = run_import(HEADER + GOOD_ROW.replace(b"0.5", b"=1+1"))
    assert failed.status == JobStatus.FAILED
    again = run_import(HEADER + GOOD_ROW)
    assert again.unchanged_since_id == first.pk


@pytest.mark.django_db
def test_another_release_does_not_count():
    run_import(HEADER + GOOD_ROW, release="2024")
    job = run_import(HEADER + GOOD_ROW, release="2025")
    assert job.unchanged_since_id is None and job.observations_written == 1


def test_the_fingerprint_follows_what_decides_the_rows(tmp_path):
    data = HEADER + GOOD_ROW

    def fingerprint(content: bytes = data, **job) -> str:
        fields = {"year": None, "original_name": "a.csv", **job}
        path = tmp_path / "upload"
        path.write_bytes(content)
        with path.open("rb") as handle:
            return services.import_fingerprint(SimpleNamespace(**fields), handle)

    base = fingerprint()
    assert base == fingerprint()
    assert base != fingerprint(data + GOOD_ROW)
    assert base != fingerprint(year=2024)
    assert base != fingerprint(original_name="62_race-ethnicity.csv")
    assert base != fingerprint(gzip.compress(data))


@pytest.mark.django_db
def test_the_digest_is_rebuilt_by_its_own_job_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = run_import(fixture("city_2025_sample.csv"), name="61_city.csv")
    assert job.status == JobStatus.SUCCEEDED
    assert not ReleaseDigest.objects.exists()  # not before the import is committed
    for callback in callbacks:
        callback()
    assert ReleaseDigest.objects.filter(release=job.release, kind="city").exists()


@pytest.mark.django_db
def test_the_digest_job_of_a_deleted_release_does_nothing():
    services.release_digest_refresh(release_id=987654, kind="city")
    assert not ReleaseDigest.objects.exists()


@pytest.mark.django_db
def test_an_empty_result_still_writes_through_sqlite_and_postgresql():
    # Every metric cell empty: rows are read, none has anything in it.
    job = run_import(HEADER + b"2020,01,001,Alabama,Autauga County,,\n")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.observations_read == 0 and not Observation.objects.exists()


# --- PostgreSQL: a table per release ------------------------------------------------------


def partition_of(release: Release) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent"
            " WHERE p.relname = 'metrics_observation' AND c.relname = %s",
            [partitions.name(release.pk)],
        )
        row = cursor.fetchone()
    return row[0] if row else None


@postgresql_only
@pytest.mark.django_db
def test_a_release_gets_a_table_of_its_own_and_loses_it_when_deleted():
    job = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    release = job.release
    assert partition_of(release) == partitions.name(release.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partitions.name(release.pk)}")  # noqa: S608
        assert cursor.fetchone()[0] == job.observations_written > 0
        cursor.execute(f"SELECT count(*) FROM {partitions.DEFAULT}")  # noqa: S608
        assert cursor.fetchone()[0] == 0
    # A second file of another kind goes into the same table.
    city = run_import(fixture("city_2025_sample.csv"), name="61_city.csv")
    assert city.status == JobStatus.SUCCEEDED and city.observations_written > 0
    release_id = release.pk
    services.release_delete(actor=None, release=release)
    with connection.cursor() as cursor:
        assert not partitions.exists(cursor, release_id)
    assert not Observation.objects.exists()


@postgresql_only
@pytest.mark.django_db
def test_a_release_with_rows_outside_its_table_is_merged_in_place():
    release = services.release_get_or_create(name="2025")
    Observation.objects.create(
        release=release,
        geography_id=value_geography("01001"),
        metric=Metric.objects.get(variable="share_employed"),
        subgroup=Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0],
        year=2020,
        value=0.1,
    )
    job = run_import(HEADER + GOOD_ROW)
    assert job.status == JobStatus.SUCCEEDED and job.observations_written == 1
    assert partition_of(release) is None
    assert value_of("01001", "share_employed", 2020).value == 0.5


def value_geography(fips: str) -> int:
    from metrics.models import Geography

    return Geography.objects.get(fips=fips).pk


@postgresql_only
@pytest.mark.django_db
def test_partitioning_an_existing_table_keeps_every_row():
    run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    run_import(fixture("city_2025_sample.csv"), name="61_city.csv", release="2024")
    before = database_state()
    with connection.cursor() as cursor:
        partitions.unpartition(cursor)
        assert not partitions.is_partitioned(cursor)
        assert database_state() == before
        partitions.partition_existing(cursor)
        assert partitions.is_partitioned(cursor)
    assert database_state() == before
    for release in Release.objects.all():
        assert partition_of(release) == partitions.name(release.pk)


@postgresql_only
@pytest.mark.django_db
def test_a_broken_file_into_a_new_release_leaves_no_table_behind():
    job = run_import(HEADER + GOOD_ROW + b"2020,01,003,Alabama,Baldwin County,0.5,Strong,x\n")
    assert job.status == JobStatus.FAILED
    with connection.cursor() as cursor:
        assert not partitions.exists(cursor, job.release_id)


@pytest.mark.django_db
def test_the_same_rows_in_another_file_are_known_by_their_digest(monkeypatch):
    first = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    assert len(first.rows_digest) == 64

    def refuse(*args, **kwargs):
        raise AssertionError("the rows were compared one by one")

    monkeypatch.setattr(importing, "_postgresql_merge", refuse)
    before = database_state()
    again = run_import(gzip.compress(fixture("county_2025_sample.csv")), name="11_county.csv.gz")
    assert again.status == JobStatus.SUCCEEDED, again.message
    assert again.unchanged_since_id is None and again.observations_written == 0
    assert again.rows_digest == first.rows_digest
    assert database_state() == before


@pytest.mark.django_db
def test_the_rows_digest_does_not_depend_on_chunks_or_paths(monkeypatch):
    whole = run_import(fixture("city_2025_sample.csv"), name="61_city.csv", release="a")
    original = fastread.open_columnar

    def small_chunks(*args, **kwargs):
        return original(*args, **{**kwargs, "rows_per_chunk": 3})

    monkeypatch.setattr(fastread, "open_columnar", small_chunks)
    chunked = run_import(fixture("city_2025_sample.csv"), name="61_city.csv", release="b")
    # Another release: its ids are the same, so the digest is too.
    assert chunked.rows_digest == whole.rows_digest
    changed = run_import(
        fixture("city_2025_sample.csv").replace(b",Strong,", b",Weak,", 1),
        name="61_city.csv",
        release="b",
    )
    assert changed.rows_digest != whole.rows_digest and changed.observations_written == 1


@pytest.mark.django_db
def test_a_fault_in_the_fast_reader_costs_nothing_but_time(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(fastread, "_long_rows", broken)
    with caplog.at_level("ERROR", logger="metrics.fastread"):
        job = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.observations_written > 0 and job.rows_digest == ""  # the streaming reader
    assert "fastread gave up on 11_county.csv" in caplog.text


@pytest.mark.django_db
def test_a_file_of_another_kind_in_between_keeps_the_shortcut():
    first = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    run_import(fixture("city_2025_sample.csv"), name="61_city.csv")
    again = run_import(fixture("county_2025_sample.csv"), name="11_county.csv")
    assert again.unchanged_since_id == first.pk and again.observations_written == 0
    # The same rows in other bytes are recognised by the last county import's digest.
    other = run_import(gzip.compress(fixture("county_2025_sample.csv")), name="11_county.csv.gz")
    assert other.unchanged_since_id is None and other.observations_written == 0
    assert other.rows_digest == first.rows_digest
