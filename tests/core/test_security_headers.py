"""A strict Content-Security-Policy on every response, and pages that need nothing looser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent.parent
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
# Rendered by WeasyPrint, never by a browser.
NOT_FOR_BROWSERS = ("templates/plans/pdf/",)


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in (p.strip() for p in header.split(";"))
        if part
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/accounts/login/", "/api/schema/", "/api/docs/", "/healthz", "/no-such-page/"],
)
def test_every_response_carries_the_strict_policy(client, url):
    assert _policy(client.get(url)) == POLICY


@pytest.mark.django_db
def test_signed_in_pages_and_static_files_carry_it_too(user_client):
    assert _policy(user_client.get(reverse("accounts:tokens"))) == POLICY
    assert _policy(user_client.get("/static/css/app.css")) == POLICY


def _templates() -> list[Path]:
    found = []
    for folder in (ROOT / "templates", ROOT / "metrics" / "templates"):
        for path in folder.rglob("*.html"):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(NOT_FOR_BROWSERS):
                found.append(path)
    return found


def test_no_template_has_inline_script_or_style():
    offenders = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    for path in _templates():
        text = path.read_text()
        for pattern in (inline_script, re.compile(r"<style\b", re.I), re.compile(r"\sstyle=")):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
        if re.search(r"\son[a-z]+=", text) or "javascript:" in text or "hx-on" in text:
            offenders.append(f"{path.relative_to(ROOT)}: inline event handler")
    assert not offenders, offenders


def test_the_api_docs_page_loads_its_script_as_a_file(client):
    page = client.get("/api/docs/").content.decode()
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_the_policy_is_one_setting():
    assert "'unsafe-inline'" not in settings.CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in settings.CONTENT_SECURITY_POLICY
