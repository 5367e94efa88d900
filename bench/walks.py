"""50 residents answering a data walk at once, against a real server on the embedded default.

    .venv/bin/python bench/walks.py [--residents 50] [--stations 5] [--port 8765]

Makes a throwaway embedded install (SQLite under a temporary MOBILITY_VAR_DIR, no
DATABASE_URL), migrates it, builds an open walk of five stations from synthetic metric
series, then starts the web server ``make run`` starts (waitress, DEBUG off; ``--runserver``
for Django's debug server) on it. Each resident is a
thread with its own cookie jar: it reads a station (GET, which also gives the CSRF cookie),
then answers it (POST with two written answers and a quick reaction), station after station:
all 50 on the walk at once, each taking 1 to 4 seconds to read a station before answering
(``--burst``: no reading time, all 50 post each answer at the same instant).
Printed: p50/p95/max of the answer POSTs (the request until the redirect arrives), their
count and failures, the station page GETs, and the page weight of a station (HTML and the
stylesheet it links; no other request is needed: no script, no image).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = tempfile.mkdtemp(prefix="bench-walks-")
ENV = {
    **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
    "MOBILITY_VAR_DIR": VAR,
    "DJANGO_SETTINGS_MODULE": "mobility.settings",
}
os.environ.update(ENV)
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def build(stations: int) -> str:
    from accounts.models import User
    from coalitions.models import Coalition, Membership
    from metrics import models as m
    from walks import services

    call_command("migrate", verbosity=0)
    geography = m.Geography.objects.get_or_create(
        fips="35013",
        defaults={
            "kind": "county",
            "state_fips": "35",
            "state_name": "New Mexico",
            "name": "Doña Ana County",
        },
    )[0]
    coalition = Coalition.objects.create(name="Bench coalition", geography=geography)
    user = User.objects.create_user(email="lead@example.org", password="x" * 20)
    lead = Membership.objects.create(coalition=coalition, user=user, role="data_lead")
    pillar = m.Pillar.objects.get_or_create(slug="rewarding-work", defaults={"name": "RW"})[0]
    predictor = m.Predictor.objects.get_or_create(
        slug="employment-opportunities", defaults={"name": "EO", "pillar": pillar}
    )[0]
    m.Release.objects.update(is_active=False)
    release = m.Release.objects.create(name="bench", is_active=True)
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    walk = services.data_walk_save(
        actor=lead,
        fields={
            "title_en": "Bench walk",
            "title_es": "Recorrido de prueba",
            "use_en": "The coalition reads every answer.",
            "demographics": ["age_band"],
        },
    )
    for i in range(stations):
        metric = m.Metric.objects.create(
            variable=f"bench_metric_{i}",
            label=f"Bench metric {i}",
            unit="share",
            direction="higher",
            predictor=predictor,
        )
        for year in range(2014, 2024):
            m.Observation.objects.create(
                release=release,
                geography=geography,
                metric=metric,
                subgroup=everyone,
                year=year,
                value=0.3 + (year - 2014) * 0.01 + i * 0.02,
                quality=1 if year % 3 else 2,
            )
        services.station_save(
            actor=lead,
            walk=walk,
            variable=metric.variable,
            caption_en="What this number means for families here, in plain words.",
            caption_es="Lo que este número significa para las familias.",
            questions_en=[
                "What surprises you?",
                "Does this match your experience?",
                "What is missing?",
            ],
            questions_es=[
                "¿Qué le sorprende?",
                "¿Coincide esto con su experiencia?",
                "¿Qué falta?",
            ],
        )
    services.data_walk_status_set(actor=lead, walk=walk, status="open")
    return walk.token


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"The server did not answer at {url}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def _retrying(call, failures: list):  # noqa: ANN001, ANN202
    # runserver's listen queue is short: a connection refused or reset under 50 simultaneous
    # connects is retried (and counted), as a phone's browser would.
    for _attempt in range(5):
        try:
            return call()
        except (ConnectionResetError, urllib.error.URLError) as exc:
            if isinstance(exc, urllib.error.HTTPError):
                raise
            failures.append("retried connection")
            time.sleep(0.05)
    return call()


def resident(base, token, stations, n, times, reads, failures, barrier):  # noqa: ANN001, PLR0913
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    for position in range(1, stations + 1):
        url = f"{base}/w/{token}/{position}/?lang={'es' if n % 3 == 0 else 'en'}"
        began = time.perf_counter()
        page = _retrying(lambda u=url: opener.open(u, timeout=30).read().decode(), failures)
        reads.append(time.perf_counter() - began)
        if barrier is not None:
            # Every resident has read the station: now they all answer at the same moment.
            barrier.wait()
        else:
            # Reading time: residents answer at their own pace, all 50 on the walk together.
            time.sleep(random.uniform(1.0, 4.0))
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": TOKEN.search(page).group(1),
                "q0": f"Resident {n} at station {position}: the buses are late.",
                "q1": f"Resident {n}: yes, this is what we live at {position}.",
                "reaction": "agree",
            }
        ).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        began = time.perf_counter()
        try:
            _retrying(lambda r=request: opener.open(r, timeout=30).read(), failures)
            failures.append(f"no redirect at {position}")
        except urllib.error.HTTPError as exc:
            elapsed = time.perf_counter() - began
            if exc.code == 302:
                times.append(elapsed)
            else:
                failures.append(str(exc.code))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--stations", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--burst",
        action="store_true",
        help="all residents post each answer at the same instant (no reading time)",
    )
    parser.add_argument(
        "--runserver", action="store_true", help="Django's debug server instead of waitress"
    )
    args = parser.parse_args()
    token = build(args.stations)
    base = f"http://127.0.0.1:{args.port}"
    # The server `make run` starts (mobility.embedded.web_command): waitress, DEBUG off;
    # --runserver for Django's debug server, as `make dev` starts it.
    from mobility.embedded import web_command

    server = subprocess.Popen(
        web_command("127.0.0.1", args.port, debug=args.runserver),
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{base}/healthz")
        station = urllib.request.urlopen(f"{base}/w/{token}/1/", timeout=10).read()  # noqa: S310
        css = urllib.request.urlopen(f"{base}/static/css/app.css", timeout=10).read()  # noqa: S310
        times: list[float] = []
        reads: list[float] = []
        failures: list[str] = []
        barrier = threading.Barrier(args.residents) if args.burst else None
        threads = [
            threading.Thread(
                target=resident,
                args=(base, token, args.stations, n, times, reads, failures, barrier),
            )
            for n in range(args.residents)
        ]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=10)
    ms = sorted(t * 1000 for t in times)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)] if ms else float("nan")
    print(
        f"residents={args.residents} stations={args.stations} answers={len(ms)} "
        f"failures={len(failures)} {sorted(set(failures))[:3]} wall={wall:.1f}s"
    )
    print(
        f"answer POST ms: p50={statistics.median(ms):.0f} p95={p95:.0f} max={ms[-1]:.0f}"
        if ms
        else "no answers"
    )
    read_ms = sorted(t * 1000 for t in reads)
    print(
        f"station page GET ms (chart drawn per request): p50={statistics.median(read_ms):.0f} "
        f"p95={read_ms[max(0, int(len(read_ms) * 0.95) - 1)]:.0f}"
    )
    print(
        f"station page: html={len(station):,} B, stylesheet={len(css):,} B, "
        f"total={len(station) + len(css):,} B (uncompressed, no script, no image)"
    )


if __name__ == "__main__":
    main()
