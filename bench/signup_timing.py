"""Time sign-up for an address that has an account and for a new one.

    .venv/bin/python bench/signup_timing.py [--runs 15]

A throwaway SQLite database, Django's real password hasher (PBKDF2, as deployed), the
Django test client posting the sign-up form; emails are queued as on a real server (the
worker's part is not timed). The last line: the median of each path and their difference.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = tempfile.mkdtemp(prefix="bench-signup-")
os.environ["MOBILITY_VAR_DIR"] = VAR
os.environ["DATABASE_URL"] = f"sqlite:///{VAR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402
from mobility.celery import app  # noqa: E402

PASSWORD = "a long enough passphrase"  # noqa: S105 - a throwaway bench account


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    setup_test_environment()
    call_command("migrate", verbosity=0)
    app.conf.task_always_eager = False
    User.objects.create_user(email="known@example.org", password=PASSWORD)
    client = Client()
    form = {"name": "Ana", "password1": PASSWORD, "password2": PASSWORD}
    times: dict[str, list[float]] = {"known": [], "new": []}
    hashers = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    limits = dict.fromkeys(
        ["signin-account", "signin-address", "reset-account", "reset-address"], (10**6, 60)
    )
    limits.update({"signup-account": (10**6, 60), "signup-address": (10**6, 60)})
    with override_settings(PASSWORD_HASHERS=hashers, THROTTLE_LIMITS=limits):
        for n in range(runs + 1):  # the first round warms up
            for kind, email in (("known", "known@example.org"), ("new", f"new{n}@example.org")):
                start = time.perf_counter()
                response = client.post("/accounts/signup/", {**form, "email": email})
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, response.status_code
                if n:
                    times[kind].append(elapsed)
    known, new = (statistics.median(times[k]) for k in ("known", "new"))
    print(f"known address {known:.0f} ms, new address {new:.0f} ms (median of {runs}), ", end="")
    print(f"difference {new - known:+.0f} ms")


if __name__ == "__main__":
    main()
