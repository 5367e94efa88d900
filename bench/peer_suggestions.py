"""Time peer suggestions over every county (target: <= 100 ms per request).

Runs on a throwaway database: a fresh SQLite file by default, or the PostgreSQL server of
DATABASE_URL (a database named mobility_bench_peers is created and dropped). It imports
the shipped national county file, builds the release digest, then asks for the peers of
200 counties drawn at random, first with a cold process cache and then warm.

    .venv/bin/python bench/peer_suggestions.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/peer_suggestions.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="mobility-bench-")
    os.environ["MOBILITY_VAR_DIR"] = tmp
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = base + "/mobility_bench_peers"
        os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
        os.environ.setdefault("ALLOWED_HOSTS", "localhost")
        os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
        _recreate_postgres(base)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mobility.settings"
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from core.jobs import job_claim
    from metrics import services
    from metrics.models import Geography, MetricImport, Release
    from metrics.profiles import peers
    from metrics.profiles.digest import release_digest_build

    shipped = ROOT / "metrics" / "data" / "releases" / "2025"
    name = "11_mobility-metrics_county_longitudinal.csv.gz"
    job = services.metric_import_start(
        actor=None,
        upload=ContentFile((shipped / name).read_bytes(), name=name),
        release_name="2025",
        enqueue=False,
    )
    services.metric_import_run(job=job_claim(MetricImport, job.pk))
    release = Release.objects.get(name="2025")
    started = time.perf_counter()
    release_digest_build(release=release, kind="county")
    digest_s = time.perf_counter() - started

    counties = list(Geography.objects.filter(kind="county", last_year=2023))
    sample = random.Random(7).sample(counties, 200)
    peers.peer_cache_clear()
    started = time.perf_counter()
    peers.suggest_peers(sample[0], release)
    cold_ms = (time.perf_counter() - started) * 1000
    times = []
    for county in sample:
        started = time.perf_counter()
        result = peers.suggest_peers(county, release)
        times.append((time.perf_counter() - started) * 1000)
        assert result, county
    vendor = connection.vendor
    connection.close()
    times.sort()
    print(
        f"peer suggestions over {len(counties)} counties ({vendor}): "
        f"cold {cold_ms:.0f} ms, warm median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.1f} ms, max {times[-1]:.1f} ms "
        f"(target <= 100 ms); digest build {digest_s:.1f} s"
    )
    if vendor == "postgresql":
        _drop_postgres(base)


def _recreate_postgres(base: str) -> None:
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS mobility_bench_peers")
        conn.execute("CREATE DATABASE mobility_bench_peers")


def _drop_postgres(base: str) -> None:
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS mobility_bench_peers")


if __name__ == "__main__":
    main()
