"""Every page under load, on the production setup, with years of history.

    .venv/bin/python bench/load.py [--coalitions 300] [--members 12] [--revisions 180000]
        [--comments 20000] [--measures 9000] [--users 50] [--seconds 60] [--workers 3]
        [--port 8791] [--keep]

Brings up the production setup on this machine: a throwaway PostgreSQL database on
127.0.0.1:5432, Redis on 127.0.0.1:6379 (cache, sessions' throttles, broker), gunicorn with
``--workers`` processes and ``DEBUG`` off. It migrates, imports the shipped 2025 Mobility
Metrics (``manage.py import_metrics --shipped --activate``: every observation of the release),
then builds the coalitions through the project's own services (memberships, strategy, logic
models and their measurement plans, worksheet answers) and bulk inserts for what services only
ever add one at a time (revisions, comments). One coalition, "the heavy one", gets 10× the
revisions and comments of the others.

Simulated members are threads, each with the session cookie of a member of its coalition. They
do what members do: open the dashboard, worksheets with metric tables, history, the profile,
peers, the strategy, the measurement plan and MAP sections, call the API, and autosave in bursts
(three saves a few hundred milliseconds apart). Half of them work in an ordinary coalition, half
in the heavy one, at the same time, so both are measured under the same load; the pages alone
(concurrency 1) are also asked in turn, one request for each coalition. Printed, for each: p50/p95
per page alone and with ``--users`` members at once, each p95 divided by the p95 of the account
page (the trivial signed-in view) measured in the same phase, the HTML size, and the heavy
coalition's p95 and size against the ordinary one's. The targets (issue 17): every p95 at
50 users ≤ 3× the account page; no page's p95 or size more than 1.2× with 10× the history.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
# Autosave where every contributing role may write (W6.6's overview), so each member can.
AUTOSAVE_WORKSHEET, AUTOSAVE_FIELD = "w6_6", "overview"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--coalitions", type=int, default=300)
    p.add_argument("--members", type=int, default=12)
    p.add_argument("--revisions", type=int, default=180_000)
    p.add_argument("--comments", type=int, default=20_000)
    p.add_argument("--measures", type=int, default=9_000)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--seconds", type=int, default=60, help="length of each concurrent phase")
    p.add_argument("--repeat", type=int, default=15, help="requests per page at concurrency 1")
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--port", type=int, default=0, help="default: a free port")
    p.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--database", help="reuse a database an earlier --keep run built")
    return p.parse_args()


ARGS = parse_args()
if not ARGS.port:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        ARGS.port = probe.getsockname()[1]
DB_NAME = ARGS.database or f"bench_load_{os.getpid()}"
VAR = tempfile.mkdtemp(prefix="bench-load-")
ENV = {
    **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)},
    "DJANGO_SETTINGS_MODULE": "mobility.settings",
    "DATABASE_URL": f"{ARGS.pg}/{DB_NAME}",
    "CELERY_BROKER_URL": ARGS.redis,
    "CELERY_QUEUE": f"bench-load-{os.getpid()}",
    "DEBUG": "0",
    "SECRET_KEY": "bench-load-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "MOBILITY_VAR_DIR": VAR,
    # Plain HTTP on 127.0.0.1: the cookies must travel without TLS.
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "EMAIL_URL": "consolemail://",
}


def create_database() -> None:
    import psycopg

    with psycopg.connect(f"{ARGS.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{ARGS.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def setup_django() -> None:
    os.environ.update(ENV)
    import django

    django.setup()


def step(label: str, started: list[float]) -> None:
    now = time.perf_counter()
    print(f"   {label}: {now - started[0]:.1f} s", flush=True)
    started[0] = now


# --- building the data ---------------------------------------------------------------


def build() -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from coalitions.models import Coalition, Membership, Role
    from metrics.models import Geography, Metric, Observation
    from plans import definitions
    from plans.map import services as map_services
    from plans.models import Comment, Revision, WorksheetResponse

    clock = [time.perf_counter()]
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    step("migrate, collectstatic", clock)
    call_command("import_metrics", shipped=True, activate=True, verbosity=0)
    observations = Observation.objects.count()
    step(f"metrics imported ({observations:,} observations)", clock)

    n = ARGS.coalitions
    counties = list(Geography.objects.filter(kind="county").order_by("fips")[: n + 1])
    password = make_password("bench-password-123")
    users = User.objects.bulk_create(
        User(email=f"member{i}@bench.example", name=f"Member {i}", password=password)
        for i in range(n * ARGS.members)
    )
    coalitions = Coalition.objects.bulk_create(
        Coalition(name=f"Coalition {i}", geography=counties[i % len(counties)]) for i in range(n)
    )
    roles = [Role.PROJECT_MANAGER, Role.DATA_LEAD, Role.MANAGEMENT_TEAM] + [Role.MEMBER] * (
        ARGS.members - 3
    )
    Membership.objects.bulk_create(
        Membership(coalition=c, user=users[ci * ARGS.members + k], role=roles[k])
        for ci, c in enumerate(coalitions)
        for k in range(ARGS.members)
    )
    step(f"{n} coalitions × {ARGS.members} members", clock)

    # Strategy through the services: areas, theories, logic models (their measurement plans
    # follow), headline goals.
    metrics = list(Metric.objects.order_by("variable").values_list("variable", flat=True))
    per = max(1, ARGS.measures // n)
    actions_per = max(1, per // 3)  # each logic model here yields three measures
    for c in coalitions:
        pm = c.memberships.get(role=Role.PROJECT_MANAGER)
        map_services.vision_save(actor=pm, statement=f"Every family in {c.name} can move up.")
        areas = [
            map_services.priority_area_save(actor=pm, name=f"Priority {k}", pillar="")
            for k in range(3)
        ]
        for area in areas:
            map_services.theory_save(actor=pm, problem="p", solution="s", priority_area=area)
            map_services.headline_goal_save(
                actor=pm,
                priority_area=area,
                metric_variable="share_employed",
                baseline="71%",
                baseline_date=dt.date(2023, 12, 31),
                target="75%",
                target_date=dt.date(2030, 12, 31),
            )
        for k in range(actions_per):
            map_services.strategic_action_save(
                actor=pm,
                fields={"title": f"Action {k}", "priority_area": areas[k % 3]},
                elements={
                    "output": f"Output {k}",
                    "outcome_short": f"Short-term outcome {k}",
                    "outcome_long": f"Long-term outcome {k}",
                },
            )
    from plans.map.models import Measure

    step(f"strategy ({Measure.objects.count():,} measures)", clock)

    # Worksheet answers; revisions and comments in bulk (the services add them one by one).
    editable = [
        ws
        for ws in definitions.worksheets()
        if ws.filled_by.mode == "coalition"
        and not ws.repeats
        and _text_field(ws)
        and ws.key != "w2_1"
        and ws.step in (1, 3, 4, 5)
    ][:6]
    heavy = coalitions[0]
    normal_share = ARGS.revisions / (n + 9)  # the heavy coalition counts ten times
    now = timezone.now()
    total_revisions = total_comments = 0
    for c in coalitions:
        weight = 10 if c.pk == heavy.pk else 1
        members = list(c.memberships.select_related("user"))
        table = [{"metric": v} for v in metrics[:40]]
        responses = [
            WorksheetResponse(
                coalition=c,
                worksheet_key="w2_1",
                data={"metrics_table": table},
                version=1,
                status="in_progress",
            )
        ]
        responses += [
            WorksheetResponse(
                coalition=c,
                worksheet_key=ws.key,
                data={_text_field(ws): f"Answer to {ws.title}"},
                version=1,
                status="in_progress",
            )
            for ws in editable
        ]
        taken = set(
            WorksheetResponse.objects.filter(coalition=c, owner=None).values_list(
                "worksheet_key", flat=True
            )
        )
        responses = WorksheetResponse.objects.bulk_create(
            r for r in responses if r.worksheet_key not in taken
        )
        count = int(normal_share * weight)
        revisions = []
        for i in range(count):
            r = responses[i % len(responses)]
            r.version += 1
            revisions.append(
                Revision(
                    coalition=c,
                    response=r,
                    version=r.version,
                    data=r.data,
                    author=members[i % len(members)].user,
                    created_at=now - dt.timedelta(minutes=count - i),
                )
            )
        Revision.objects.bulk_create(revisions, batch_size=5000)
        for r in responses:
            WorksheetResponse.objects.filter(pk=r.pk).update(version=r.version)
        comments = int(ARGS.comments / (n + 9) * weight)
        Comment.objects.bulk_create(
            (
                Comment(
                    coalition=c,
                    worksheet_key=responses[i % len(responses)].worksheet_key,
                    author=members[i % len(members)].user,
                    body=f"Comment {i} on this worksheet.",
                    created_at=now - dt.timedelta(minutes=comments - i),
                )
                for i in range(comments)
            ),
            batch_size=5000,
        )
        total_revisions += count
        total_comments += comments
    step(f"{total_revisions:,} revisions, {total_comments:,} comments", clock)
    analyze()
    step("ANALYZE", clock)
    return {
        "normal": coalitions[1].pk,
        "heavy": heavy.pk,
        "worksheet": editable[0].key,
        "field": _text_field(editable[0]),
        "observations": observations,
    }


def analyze() -> None:
    """Planner statistics, as autovacuum keeps them on a live database: without them, a
    freshly bulk-loaded table looks empty and PostgreSQL picks plans no real site would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def reuse() -> dict:
    """The world of a database an earlier run built and kept (migrated to this code first)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    analyze()
    from coalitions.models import Coalition
    from metrics.models import Observation
    from plans.models import WorksheetResponse

    heavy = Coalition.objects.get(name="Coalition 0")
    normal = Coalition.objects.get(name="Coalition 1")
    keys = set(
        WorksheetResponse.objects.filter(coalition=normal, owner=None).values_list(
            "worksheet_key", flat=True
        )
    )
    from plans import definitions

    ws = next(
        w
        for w in definitions.worksheets()
        if w.key in keys
        and w.key != "w2_1"
        and _text_field(w)
        and not w.repeats
        and w.step in (1, 3, 4, 5)
    )
    return {
        "normal": normal.pk,
        "heavy": heavy.pk,
        "worksheet": ws.key,
        "field": _text_field(ws),
        "observations": Observation.objects.count(),
    }


def _text_field(ws) -> str:
    for f in ws.fields:
        if f.type in ("long_text", "short_text"):
            return f.key
    return ""


def sessions(coalition_pk: int, count: int) -> list[str]:
    """Session keys of ``count`` sign-ins by the coalition's members (round robin)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from coalitions.models import Membership

    store = import_module(settings.SESSION_ENGINE).SessionStore
    members = list(
        Membership.objects.filter(coalition_id=coalition_pk).select_related("user").order_by("pk")
    )
    keys = []
    for i in range(count):
        user = members[i % len(members)].user
        s = store()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        keys.append(s.session_key)
    return keys


# --- the server ------------------------------------------------------------------------


def serve() -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "mobility.wsgi:application",
            "--bind",
            f"127.0.0.1:{ARGS.port}",
            "--workers",
            str(ARGS.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{ARGS.port}/healthz", timeout=10)
                return server
            except urllib.error.HTTPError:
                return server  # it answers (a busy broker check may say 503)
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.3)
    except BaseException:
        server.kill()
        raise
    server.kill()
    raise SystemExit("gunicorn did not answer on /healthz")


# --- simulated members -----------------------------------------------------------------


def pages(world: dict, coalition_pk: int) -> dict[str, str]:
    from django.urls import reverse

    c = {"pk": coalition_pk}
    api = {"coalition_pk": coalition_pk}
    ws = world["worksheet"]
    return {
        "account (trivial)": reverse("accounts:profile"),
        "steps dashboard": reverse("plans:steps", kwargs=c),
        "worksheet W2.1 (40 metrics)": reverse("plans:worksheet", kwargs={**c, "key": "w2_1"}),
        f"worksheet {ws}": reverse("plans:worksheet", kwargs={**c, "key": ws}),
        f"history {ws}": reverse("plans:worksheet_history", kwargs={**c, "key": ws}),
        "profile": reverse("profiles:profile", kwargs=c),
        "peers": reverse("profiles:peers", kwargs=c),
        "metric detail": reverse("profiles:metric", kwargs={**c, "variable": "share_employed"}),
        "strategy": reverse("map:strategy", kwargs=c),
        "measurement plan": reverse("map:measures", kwargs=c),
        "MAP section M4": reverse("map:section", kwargs={**c, "key": "M4"}),
        "MAP draft": reverse("map:plan", kwargs=c),
        "API worksheets": reverse("api:worksheet-list", kwargs=api),
        "API revisions": reverse("api:worksheet-revisions", kwargs={**api, "key": ws}),
    }


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain="127.0.0.1",
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )


class Member:
    def __init__(self, base: str, session: str, world: dict, coalition_pk: int) -> None:
        from django.conf import settings

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.jar.set_cookie(_cookie(settings.SESSION_COOKIE_NAME, session))
        self.world = world
        self.pages = pages(world, coalition_pk)
        self.coalition_pk = coalition_pk
        self.editor = f"bench{random.randrange(10**9)}"
        self.group = ""

    def get(self, path: str) -> tuple[float, int, str]:
        started = time.perf_counter()
        with self.opener.open(self.base + path, timeout=120) as response:
            body = response.read()
        return time.perf_counter() - started, len(body), body.decode("utf-8", "replace")

    def autosave_burst(self) -> list[float]:
        """Open the worksheet, then three autosaves as someone types."""
        from django.urls import reverse

        key = AUTOSAVE_WORKSHEET
        page = reverse("plans:worksheet", kwargs={"pk": self.coalition_pk, "key": key})
        _, _, html = self.get(page)
        version = VERSION.search(html)
        token = TOKEN.search(html)
        if not (version and token):
            raise RuntimeError(f"{key} has no version or CSRF token: {html[:200]!r}")
        url = self.base + reverse(
            "plans:worksheet_autosave", kwargs={"pk": self.coalition_pk, "key": key}
        )
        took = []
        for i in range(3):
            data = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token.group(1),
                    "version": version.group(1),
                    "editor": self.editor,
                    AUTOSAVE_FIELD: f"Typing {random.random()} {i}",
                }
            ).encode()
            request = urllib.request.Request(url, data=data, headers={"Referer": self.base + page})  # noqa: S310
            started = time.perf_counter()
            with self.opener.open(request, timeout=120) as response:
                response.read()
            took.append(time.perf_counter() - started)
            time.sleep(0.2)
        return took


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def sequential(pair: dict[str, Member]) -> dict[str, tuple[dict, dict]]:
    """Each page alone, the ordinary and the heavy coalition's in turn, request by request,
    so both see the same machine."""
    times: dict[str, dict[str, list[float]]] = {name: {} for name in pair}
    sizes: dict[str, dict[str, int]] = {name: {} for name in pair}
    first = next(iter(pair.values()))
    for label in first.pages:
        for member in pair.values():
            for _ in range(ARGS.workers * 2):
                member.get(member.pages[label])  # warm this page's caches in every worker
        for _ in range(ARGS.repeat):
            for name, member in pair.items():
                took, size, _ = member.get(member.pages[label])
                times[name].setdefault(label, []).append(took)
                sizes[name][label] = size
    for _ in range(max(1, ARGS.repeat // 3)):
        for name, member in pair.items():
            times[name].setdefault("autosave", []).extend(member.autosave_burst())
    return {name: (times[name], sizes[name]) for name in pair}


def concurrent(members: list[Member]) -> tuple[dict[str, dict[str, list[float]]], dict[str, int]]:
    """Every member at once for ``--seconds``: a random page, then reading or typing time."""
    times: dict[str, dict[str, list[float]]] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + ARGS.seconds
    labels = list(members[0].pages)

    def work(member: Member) -> None:
        rng = random.Random(member.editor)
        while time.perf_counter() < stop:
            label = rng.choice([*labels, "autosave"])
            try:
                if label == "autosave":
                    took = member.autosave_burst()
                else:
                    took = [member.get(member.pages[label])[0]]
            except Exception as exc:  # noqa: BLE001 - counted and reported
                reason = f"{label}: {str(exc)[:80]}"
                with lock:
                    errors[reason] = errors.get(reason, 0) + 1
                continue
            with lock:
                times.setdefault(member.group, {}).setdefault(label, []).extend(took)
            time.sleep(rng.uniform(0.2, 1.0))  # reading, typing

    threads = [threading.Thread(target=work, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors


def report(title: str, one: dict, many: dict, sizes: dict) -> dict[str, tuple[float, float]]:
    trivial1 = percentile(one["account (trivial)"], 0.95)
    trivial = percentile(many.get("account (trivial)", []), 0.95)
    print(f"\n## {title}")
    print(
        "| page | p50 c1 (ms) | p95 c1 (ms) | p95 c1 ratio | p50 c50 (ms) | p95 c50 (ms) "
        "| p95 c50 ratio | requests c50 | HTML kB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    out = {}
    for label in one:
        c1, cn = one[label], many.get(label, [])
        p95n = percentile(cn, 0.95)
        out[label] = (percentile(c1, 0.95), p95n)
        print(
            f"| {label} | {statistics.median(c1) * 1000:.0f} | {percentile(c1, 0.95) * 1000:.0f} "
            f"| {percentile(c1, 0.95) / trivial1:.1f} | "
            f"{(statistics.median(cn) * 1000 if cn else float('nan')):.0f} | {p95n * 1000:.0f} "
            f"| {p95n / trivial:.1f} | {len(cn)} | {sizes.get(label, 0) / 1024:.0f} |"
        )
    return out


def main() -> None:
    if not ARGS.database:
        create_database()
    server = None
    try:
        setup_django()
        world = reuse() if ARGS.database else build()
        base = f"http://127.0.0.1:{ARGS.port}"
        server = serve()
        # Half the members work in an ordinary coalition, half in the one with 10× the
        # history, at the same time: the two are measured under the same load.
        members = []
        for name, count in (("normal", ARGS.users // 2), ("heavy", ARGS.users - ARGS.users // 2)):
            for key in sessions(world[name], count):
                member = Member(base, key, world, world[name])
                member.group = name
                members.append(member)
        pair = {"normal": members[0], "heavy": members[-1]}
        alone = sequential(pair)
        many, errors = concurrent(members)
        served = sum(len(v) for group in many.values() for v in group.values())
        print(
            f"\n{ARGS.users} members at once for {ARGS.seconds} s: {served} requests, "
            f"{served / ARGS.seconds:.1f} a second, {sum(errors.values())} errors"
        )
        for reason, count in sorted(errors.items()):
            print(f"   error ×{count}: {reason}")
        results: dict = {}
        for name, title in (
            ("normal", "An ordinary coalition"),
            ("heavy", "The coalition with 10× the revisions and comments"),
        ):
            one, sizes = alone[name]
            results[name] = (report(title, one, many.get(name, {}), sizes), sizes)
        print("\n## 10× history against the ordinary coalition (same run; p95 and size)")
        print("| page | p95 growth alone | p95 growth at concurrency | HTML growth |")
        print("|---|---|---|---|")
        for label, (heavy1, heavyn) in results["heavy"][0].items():
            normal1, normaln = results["normal"][0].get(label) or (float("nan"),) * 2
            size_n = results["normal"][1].get(label) or 1
            size_h = results["heavy"][1].get(label) or 0
            print(
                f"| {label} | {heavy1 / normal1:.2f} | {heavyn / normaln:.2f} "
                f"| {size_h / size_n:.2f} |"
            )
        print(
            f"\n{ARGS.coalitions} coalitions × {ARGS.members} members, {world['observations']:,} "
            f"observations, gunicorn {ARGS.workers} workers, PostgreSQL, Redis, DEBUG off."
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        from django.db import connections

        connections.close_all()
        if ARGS.keep or ARGS.database:
            print(f"Kept the database: --database {DB_NAME}")
        else:
            drop_database()


if __name__ == "__main__":
    main()
