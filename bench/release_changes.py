"""Time the "what changed" step of a metrics release against the read it cannot avoid.

Target: the release update job (plans.tracking.releases.release_update_run) for all
coalitions takes at most 2x the time of reading the observations its linked measures and
goals need (``observations_read``).

Runs on a throwaway database: a fresh SQLite file by default, or the PostgreSQL server of
DATABASE_URL (a database named mobility_bench_tracking is created and dropped). It imports
the shipped national county file into release 2025, makes COALITIONS coalitions (one county
each, two members) with 10 measures linked to metrics and 3 linked headline goals, then:

* **read**: ``observations_read`` for every linked measure and goal (median of 6: three
  before the first update and one before each typical update);
* **first update**: the job on a coalition set with no values yet (everything is new);
* **typical update**: the job after a release revised 20% of the values, changed the quality
  flag of 5% and added the latest year (the values are edited back to stand for the older
  release, then the job runs against 2025 again); median of 3 rounds.

Each job run prints its time by step (the job's functions timed in place); BENCH_PROFILE=1
also prints a cProfile of the first typical update; BENCH_GC_FREEZE=1 freezes the objects
alive before the measures (``gc.freeze()``, as a worker could once started) so that Python's
garbage collector stops walking Django's own objects. BENCH_DB_NAME names the PostgreSQL
database (default mobility_bench_tracking).

    .venv/bin/python bench/release_changes.py [COALITIONS]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/release_changes.py
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DB_NAME", "mobility_bench_tracking")


def main() -> None:
    coalitions = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    tmp = tempfile.mkdtemp(prefix="mobility-bench-")
    os.environ["MOBILITY_VAR_DIR"] = tmp
    base = ""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{base}/{DB_NAME}"
        os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
        os.environ.setdefault("ALLOWED_HOSTS", "localhost")
        os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
        _postgres(base, "DROP DATABASE IF EXISTS", f"CREATE DATABASE {DB_NAME}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "mobility.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    release = _import_county_file()
    owners_made = _coalitions(coalitions)
    read_s, first_s, typical_s, counts = _measure(release)
    vendor = connection.vendor
    connection.close()
    print(
        f"release update over {coalitions} coalitions, {owners_made} linked measures and goals "
        f"({vendor}): read {read_s:.2f} s; first update {first_s:.2f} s "
        f"({first_s / read_s:.1f}x, {counts[0]} values added); typical update "
        f"{typical_s:.2f} s ({typical_s / read_s:.1f}x, {counts[1]} added, {counts[2]} changed)"
        " (target <= 2x)"
    )
    if base:
        _postgres(base, "DROP DATABASE IF EXISTS")


def _import_county_file():
    from django.core.files.base import ContentFile

    from core.jobs import job_claim
    from metrics import services
    from metrics.models import MetricImport, Release

    shipped = ROOT / "metrics" / "data" / "releases" / "2025"
    name = "11_mobility-metrics_county_longitudinal.csv.gz"
    job = services.metric_import_start(
        actor=None,
        upload=ContentFile((shipped / name).read_bytes(), name=name),
        release_name="2025",
        enqueue=False,
    )
    services.metric_import_run(job=job_claim(MetricImport, job.pk))
    return Release.objects.get(name="2025")


def _coalitions(count: int) -> int:
    """``count`` coalitions on distinct counties, each with two members, 10 linked measures and
    3 linked headline goals."""
    from accounts.models import User
    from coalitions.models import Coalition, Membership
    from metrics.models import Geography, Metric
    from plans.map.models import HeadlineGoal, Measure, PriorityArea

    rng = random.Random(14)
    counties = list(Geography.objects.filter(kind="county", last_year__gte=2020)[:count])
    metrics = list(Metric.objects.filter(levels__contains="county").values_list("variable", "unit"))
    made = Coalition.objects.bulk_create(
        Coalition(name=f"Bench {i}", geography=g) for i, g in enumerate(counties)
    )
    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.org", name=f"Bench {i}") for i in range(2 * len(made))
    )
    Membership.objects.bulk_create(
        Membership(coalition=c, user=users[2 * i + k], role="member")
        for i, c in enumerate(made)
        for k in (0, 1)
    )
    areas = PriorityArea.objects.bulk_create(PriorityArea(coalition=c, name="Area") for c in made)
    measures, goals = [], []
    for coalition, area in zip(made, areas, strict=True):
        for variable, unit in rng.sample(metrics, 13)[:10]:
            measures.append(
                Measure(
                    coalition=coalition,
                    element_kind="outcome_short",
                    measure=variable,
                    metric_variable=variable,
                    unit=unit,
                    frequency="annual",
                )
            )
        for variable, unit in rng.sample(metrics, 3):
            goals.append(
                HeadlineGoal(
                    coalition=coalition,
                    priority_area=area,
                    metric_variable=variable,
                    indicator=variable,
                    unit=unit,
                    baseline_value=0.5,
                    baseline_date=dt.date(2019, 12, 31),
                    target_value=0.6,
                    target_date=dt.date(2030, 12, 31),
                )
            )
    Measure.objects.bulk_create(measures, batch_size=2000)
    HeadlineGoal.objects.bulk_create(goals, batch_size=2000)
    return len(measures) + len(goals)


ROUNDS = 3
STEPS = (
    "_owners",
    "observations_read",
    "_existing",
    "changes_compute",
    "_values_create",
    "_values_update",
    "_notices_create",
    "_notify",
    "plan_inputs_changed_many",
)


def _run_job(release, label: str) -> tuple[float, object]:
    """Run the job once and print where its time went (the job's steps, timed in place)."""
    from core.jobs import job_claim
    from plans.tracking import releases
    from plans.tracking.models import ReleaseUpdate

    spent: dict[str, float] = {}
    originals = {name: getattr(releases, name) for name in STEPS}

    def timed(name, function):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return run

    for name, function in originals.items():
        setattr(releases, name, timed(name, function))
    collecting: list[float] = []

    def collector(phase, info):  # Python's cyclic garbage collector, wherever it ran
        if phase == "start":
            collecting.append(time.perf_counter())
        else:
            spent["gc"] = spent.get("gc", 0.0) + time.perf_counter() - collecting.pop()

    gc.callbacks.append(collector)
    job = ReleaseUpdate.objects.create(release=release)
    claimed = job_claim(ReleaseUpdate, job.pk)
    try:
        started = time.perf_counter()
        releases.release_update_run(job=claimed)
        total = time.perf_counter() - started
    finally:
        gc.callbacks.remove(collector)
        for name, function in originals.items():
            setattr(releases, name, function)
    rest = total - sum(spent[name] for name in STEPS if name in spent)
    print(
        f"{label}: {total:.2f} s = "
        + ", ".join(f"{name.strip('_')} {spent.get(name, 0.0):.2f}" for name in STEPS)
        + f", rest {rest:.2f} (Python's garbage collection in all of these: "
        + f"{spent.get('gc', 0.0):.2f})"
    )
    return total, claimed


def _read(release) -> float:
    from metrics.models import Metric
    from plans.tracking.releases import _owners, observations_read

    started = time.perf_counter()
    observations_read(release, _owners(dict(Metric.objects.values_list("variable", "pk"))))
    return time.perf_counter() - started


def _stand_back() -> None:
    """Stand the values back to an older release: 20% other values, 5% other quality flags,
    no value for the latest year (the same draw every time)."""
    from plans.tracking.models import TrackedValue

    rng = random.Random(7)
    values = list(TrackedValue.objects.order_by("pk"))
    latest = max(v.date for v in values)
    drop = [v.pk for v in values if v.date == latest]
    changed = []
    for v in values:
        if v.date == latest:
            continue
        draw = rng.random()
        if draw < 0.20:
            v.value = v.value * 1.01 + 0.001
            changed.append(v)
        elif draw < 0.25:
            v.quality = 3 if v.quality != 3 else 1
            changed.append(v)
    TrackedValue.objects.bulk_update(changed, ["value", "quality"], batch_size=2000)
    TrackedValue.objects.filter(pk__in=drop).delete()


def _measure(release) -> tuple[float, float, float, tuple[int, int, int]]:
    """(read, first update, typical update, counts): the read is the median of the three
    reads before the first update and the one before each typical update; the typical
    update the median of three rounds (a shared machine's load comes and goes)."""
    from django.urls import reverse

    reverse("core:home")  # load the URLconf, as a long-lived worker has
    if os.environ.get("BENCH_GC_FREEZE"):
        gc.freeze()  # what a worker could do once started: the collector skips old objects
    reads = [_read(release) for _ in range(3)]
    first_s, first = _run_job(release, "first update")
    typicals = []
    for round_ in range(ROUNDS):
        _stand_back()
        reads.append(_read(release))
        if os.environ.get("BENCH_PROFILE") and round_ == 0:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            typical_s, typical = _run_job(release, "typical update")
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(70)
        else:
            typical_s, typical = _run_job(release, "typical update")
        typicals.append(typical_s)
    counts = (first.values_added, typical.values_added, typical.values_revised)
    print("reads: " + ", ".join(f"{r:.2f}" for r in reads) + " s")
    return statistics.median(reads), first_s, statistics.median(typicals), counts


def _postgres(base: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement if statement.startswith("CREATE") else f"{statement} {DB_NAME}")


if __name__ == "__main__":
    main()
