"""`make run`: the embedded mode in one process tree.

Says which system libraries are missing (PDF exports are off without Pango), applies
migrations, seeds the demo account, then starts the web server and a real Celery worker
(with the periodic-task scheduler inside it) on the file-system broker. Ctrl-C stops both.

The web server is waitress (threads, pure Python: one process suits SQLite's single
writer), with DEBUG off and static files served by whitenoise; it listens on 127.0.0.1
unless HOST says otherwise. DEBUG=1 (`make dev`) runs Django's debug server instead.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8000"))
THREADS = int(os.environ.get("WEB_THREADS", "8"))


def debug_requested() -> bool:
    return os.environ.get("DEBUG", "").strip().lower() in ("1", "true", "yes", "on")


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def web_command(host: str, port: int, *, debug: bool) -> list[str]:
    """The web server: Django's debug server with DEBUG, else waitress."""
    if debug:
        return _python("manage.py", "runserver", f"{host}:{port}", "--noreload", "--skip-checks")
    return _python(
        "-m",
        "waitress",
        f"--host={host}",
        f"--port={port}",
        f"--threads={THREADS}",
        "--ident=mobility",
        "mobility.wsgi:application",
    )


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0


def _wait_until_up(url: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own localhost
                return True
        except OSError:
            time.sleep(0.3)
    return False


def _stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility.settings")
    if os.environ.get("DATABASE_URL"):
        print("make run is the embedded mode; unset DATABASE_URL (production runs gunicorn).")
        return 2
    if not _port_free(HOST, PORT):
        print(f"Port {PORT} on {HOST} is in use. Stop what uses it or run: make run PORT=8001")
        return 2
    subprocess.call(_python("-m", "core.system", "run"))  # one line if PDFs are off
    debug = debug_requested()
    # A known demo password is for `make dev`; a real installation gets a random one, once.
    account = ["seed_demo"] if debug else ["first_admin"]
    for step in (["migrate", "--noinput", "-v", "0"], account):
        if subprocess.call(_python("manage.py", *step)) != 0:
            return 1
    subprocess.call(_python("manage.py", "embedded_first_start"))
    worker = subprocess.Popen(
        _python(
            "-m",
            "celery",
            "-A",
            "mobility",
            "worker",
            "--beat",
            "--schedule",
            str(Path(os.environ.get("MOBILITY_VAR_DIR", ROOT / "var")) / "celerybeat-schedule"),
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        )
    )
    web = subprocess.Popen(web_command(HOST, PORT, debug=debug))
    processes = [web, worker]
    try:
        url = f"http://{HOST}:{PORT}/"
        if _wait_until_up(url):
            print(
                "\n  Mobility Action Planner is running at "
                + url
                + (
                    "\n  Sign in as demo@example.org with the password mobility-demo"
                    if debug
                    else "\n  Sign in with your account (the first administrator's is shown above)"
                )
                + "\n  The background worker is running beside it. Press Ctrl-C to stop."
                + (
                    "\n  DEBUG is on (Django's development server): never use this for real data.\n"
                    if debug
                    else "\n"
                ),
                flush=True,
            )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("A process stopped; shutting down the other one.")
        return 1
    except KeyboardInterrupt:
        print("\nStopping the web server and the worker…")
        return 0
    finally:
        _stop(processes)


if __name__ == "__main__":
    sys.exit(main())
