import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_language_switcher_turns_pages_spanish(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in page and "Sign in" in page
    response = client.post(
        reverse("set_language"), {"language": "es", "next": reverse("accounts:login")}
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="es">' in page
    assert "Iniciar sesión" in page
    assert "Saltar al contenido principal" in page


# --- the interface catalogues ----------------------------------------------------------------

CATALOGUES = [
    Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po",
    Path(settings.BASE_DIR) / "metrics" / "locale" / "es" / "LC_MESSAGES" / "django.po",
]
# Python named placeholders (%(name)s), str.format fields ({name}) and Django's template ones.
NAMED = re.compile(r"%\((\w+)\)[sdifr]|\{(\w*)\}")
POSITIONAL = re.compile(r"%(?!\()[-+ #0]*\d*(?:\.\d+)?[sdifr]")


def _entries(path: Path):
    return [e for e in polib.pofile(str(path)) if not e.obsolete and e.msgid]


def _forms(entry) -> list[tuple[str, str]]:
    """(source, translation) pairs: one, or one per plural form."""
    if entry.msgid_plural:
        return [
            (entry.msgid if i == 0 else entry.msgid_plural, text)
            for i, text in sorted(entry.msgstr_plural.items())
        ]
    return [(entry.msgid, entry.msgstr)]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_every_interface_string_has_a_spanish_translation_that_is_not_fuzzy(path):
    entries = _entries(path)
    assert entries
    untranslated = [e.msgid for e in entries if any(not t.strip() for _s, t in _forms(e))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_spanish_keeps_every_named_placeholder_and_adds_none(path):
    wrong = []
    for entry in _entries(path):
        python = "python-format" in entry.flags or "python-brace-format" in entry.flags
        for source, text in _forms(entry):
            if not python and "%(" not in source and "{" not in source:
                continue
            ours = sorted(a or b for a, b in NAMED.findall(source))
            theirs = sorted(a or b for a, b in NAMED.findall(text))
            # A plural form may leave the count out ("un día"), never add or rename one.
            if set(theirs) - set(ours) or (not entry.msgid_plural and ours != theirs):
                wrong.append((source, text))
    assert wrong == [], "\n".join(f"{s!r} -> {t!r}" for s, t in wrong[:10])


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_no_message_has_more_than_one_positional_placeholder(path):
    """Word order differs between languages: two or more values need names (%(name)s)."""
    several = [e.msgid for e in _entries(path) if len(POSITIONAL.findall(e.msgid)) > 1]
    assert several == []
