"""The guide's content and the metric catalog in Spanish: complete, current, and shown.

Missing or stale entries of ``plans/data/es`` and ``metrics/data/es`` fail here; run
``python manage.py content_translations`` to add new texts to the files (docs/planning-content.md).
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.urls import reverse
from django.utils import translation

from coalitions.models import Role
from core.content_translation import load_translated, read_entries, skeleton_write, texts
from metrics.catalog import CATALOG_PATH, catalog_load, catalog_translation_report
from metrics.models import Metric, Pillar, Predictor
from plans import definitions, services
from plans.content import DATA_DIR
from plans.loader import content_files, load_definitions, translation_reports
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_profiles import loaded, member_client  # noqa: F401 (a fixture)

# --- completeness -------------------------------------------------------------------------


def test_every_text_of_the_guide_has_a_current_spanish_translation():
    problems = [line for report in translation_reports("es") for line in report.lines()]
    assert problems == [], "\n".join(problems[:20])


def test_the_metric_catalog_has_a_current_spanish_translation():
    report = catalog_translation_report("es")
    assert report.lines() == []
    assert report.unused == ()


def test_translation_files_hold_no_entries_the_english_has_lost():
    for source in content_files():
        assert load_translated(source, "es")[1].unused == (), source.name


def test_spanish_content_keeps_every_key_and_changes_only_words():
    english, spanish = load_definitions(DATA_DIR), load_definitions(DATA_DIR, "es")

    def keys(defs):
        return [
            (w.key, f.key, tuple(o.key for o in f.options), tuple(c.key for c in f.columns))
            for w in defs.worksheets.values()
            for f in w.fields
        ]

    assert keys(english) == keys(spanish)
    assert [s.key for s in english.map_sections] == [s.key for s in spanish.map_sections]
    assert english.steps[4].title != spanish.steps[4].title
    sharing = spanish.worksheets["w5_2"].field("sharing_mode")
    assert sharing.option("anonymized").label == "Sin nombres"


def test_pillar_names_are_the_same_in_the_guide_and_the_catalog_in_spanish():
    guide = load_definitions(DATA_DIR, "es").framework
    catalog = catalog_load(CATALOG_PATH, "es")
    assert [p.name for p in guide.pillars] == [p.name for p in catalog.pillars]
    assert guide.pillars[0].name != catalog_load().pillars[0].name


def test_definitions_follow_the_active_language():
    with translation.override("es"):
        assert definitions.step(1).title == "Nuestro enfoque de la movilidad ascendente"
        assert definitions.map_sections()[8].title == "Plan de medición"
    with translation.override("en"):
        assert definitions.step(1).title == "Our Approach to Upward Mobility"
    with translation.override("fr"):  # not offered: English
        assert definitions.step(1).title == "Our Approach to Upward Mobility"


# --- the mechanism --------------------------------------------------------------------------


def _source(tmp_path: Path, label: str) -> Path:
    path = tmp_path / "options.yaml"
    colours = [{"key": "red", "label": label}, {"key": "blue", "label": "Blue"}]
    path.write_text(yaml.safe_dump({"colours": colours}))
    return path


def test_a_changed_english_text_goes_stale_and_shows_in_english_until_retranslated(tmp_path):
    source = _source(tmp_path, "Red")
    skeleton_write(source, "es")
    target = tmp_path / "es" / "options.yaml"
    entries = read_entries(target)
    assert list(entries) == ["colours.red.label", "colours.blue.label"]
    entries["colours.red.label"]["es"] = "Rojo"
    entries["colours.blue.label"]["es"] = "Azul"
    target.write_text(yaml.safe_dump(entries, allow_unicode=True))
    data, report = load_translated(source, "es")
    assert [o["label"] for o in data["colours"]] == ["Rojo", "Azul"] and report.ok

    source = _source(tmp_path, "Bright red")
    data, report = load_translated(source, "es")
    assert data["colours"][0]["label"] == "Bright red"
    assert report.stale == ("colours.red.label",) and not report.ok

    # Regenerating keeps the old Spanish for the translator, marked fuzzy: still not shown.
    skeleton_write(source, "es")
    entry = read_entries(target)["colours.red.label"]
    assert entry == {"en": "Bright red", "es": "Rojo", "fuzzy": True, "was": "Red"}
    assert load_translated(source, "es")[0]["colours"][0]["label"] == "Bright red"


def test_a_new_text_is_reported_missing_and_added_empty_by_the_skeleton(tmp_path):
    source = _source(tmp_path, "Red")
    data, report = load_translated(source, "es")
    assert report.missing == ("colours.red.label", "colours.blue.label")
    assert data["colours"][0]["label"] == "Red"
    skeleton_write(source, "es")
    assert read_entries(tmp_path / "es" / "options.yaml")["colours.blue.label"]["es"] == ""


def test_keys_and_references_are_never_offered_for_translation():
    raw = yaml.safe_load((DATA_DIR / "step05.yaml").read_text(encoding="utf-8"))
    paths = dict(texts(raw))
    assert "worksheets.w5_2.fields.sharing_mode.options.anonymized.label" in paths
    assert not any(p.endswith((".key", ".type", ".role", ".provenance")) for p in paths)
    assert "worksheets.w5_4.repeats" in paths


# --- catalog rows from the database ---------------------------------------------------------


@pytest.mark.django_db
def test_catalog_rows_read_in_spanish_keep_the_english_in_the_database():
    with translation.override("es"):
        metric = Metric.objects.select_related("predictor__pillar").get(variable="share_employed")
        assert metric.label.startswith("Proporción de empleo")
        assert metric.official_text("label").startswith("Employment-to-population ratio")
        assert metric.predictor.name == "Oportunidades de empleo"
        assert Pillar.objects.get(slug="rewarding-work").name == "Trabajo Gratificante"
        metric.save()
    with translation.override("en"):
        stored = Metric.objects.get(variable="share_employed")
        assert stored.label.startswith("Employment-to-population ratio")
        assert Predictor.objects.get(slug="employment-opportunities").name == (
            "Employment opportunities"
        )


@pytest.mark.django_db
def test_the_metric_catalog_api_follows_accept_language(client, user):
    client.force_login(user)
    body = client.get("/api/metrics/", HTTP_ACCEPT_LANGUAGE="es").json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    labels = {row["variable"]: row["label"] for row in rows}
    assert labels["pctl_income_20"] == "Ingreso del hogar en el percentil 20"


# --- pages in Spanish -----------------------------------------------------------------------


class _Text(HTMLParser):
    """Every text node and every human-facing attribute of a page."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value.strip())

    def handle_data(self, data):
        if data.strip():
            self.parts.append(" ".join(data.split()))


def _english_left(page: str, english: set[str], spanish: set[str]) -> list[str]:
    parser = _Text()
    parser.feed(page)
    nodes = set(parser.parts)
    body = " ".join(parser.parts)
    # Texts that read the same in both languages ("No", "Predictor") are not a leak.
    suspects = {" ".join(t.split()) for t in english - spanish}
    return sorted(
        t for t in suspects if (t in body if len(t) > 16 else t in nodes) and "\n" not in t
    )


def _all_texts(defs, key: str) -> set[str]:
    ws = defs.worksheets[key]
    out = {ws.title, ws.intro, ws.repeats}

    def field_texts(f):
        yield from (f.label, f.help, f.placeholder, f.text, f.row_header)
        for group in (f.options, f.items, f.fixed_rows):
            yield from (o.label for o in group)
        yield from (p.label for p in f.scale)
        for c in f.columns:
            yield from field_texts(c)

    for f in ws.fields:
        out.update(field_texts(f))
    return {t for t in out if t}


@pytest.fixture
def spanish_member(db, client):
    coalition = CoalitionFactory()
    pm = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER)
    client.force_login(pm.user)
    return coalition, pm


@pytest.mark.parametrize("key", ["w2_1", "w3_1", "w5_2", "w5_4", "w7_3", "w7_4", "w8_1"])
def test_a_worksheet_page_in_spanish_shows_no_english_from_the_guide(client, spanish_member, key):
    coalition, _pm = spanish_member
    page = client.get(
        reverse("plans:worksheet", args=[coalition.pk, key]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    english, spanish = load_definitions(DATA_DIR), load_definitions(DATA_DIR, "es")
    assert html.escape(spanish.worksheets[key].title, quote=False) in page
    left = _english_left(page, _all_texts(english, key), _all_texts(spanish, key))
    assert left == []


def test_a_step_page_in_spanish_shows_no_english_from_the_guide(client, spanish_member):
    coalition, _pm = spanish_member
    page = client.get(
        reverse("plans:step", args=[coalition.pk, 5]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    english, spanish = load_definitions(DATA_DIR), load_definitions(DATA_DIR, "es")

    def step_texts(defs):
        s = defs.steps[4]
        out = {s.title, s.purpose, *s.sections, *(i.label for i in s.checklist)}
        out |= {w.title for w in s.worksheets} | {w.intro for w in s.worksheets}
        out |= {m.title for m in defs.map_sections}
        return {t for t in out if t}

    assert "Desarrolle una primera comprensión" in page
    assert _english_left(page, step_texts(english), step_texts(spanish)) == []


@pytest.mark.usefixtures("loaded")
def test_metric_pages_in_spanish_name_metrics_in_spanish_and_give_urbans_name(client):
    coalition = member_client(client, "35013")
    profile = client.get(
        reverse("profiles:profile", args=[coalition.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Trabajo Gratificante" in profile and "Rewarding Work" not in profile
    assert "Ingreso del hogar en el percentil 50" in profile
    assert "Household income at the 50th percentile" not in profile
    detail = client.get(
        reverse("profiles:metric", args=[coalition.pk, "pctl_income_50"]),
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    assert "<h1>Ingreso del hogar en el percentil 50</h1>" in detail
    assert '<span lang="en">Household income at the 50th percentile</span>' in detail


def test_the_worksheet_api_keeps_keys_and_labels_follow_accept_language(api_client, spanish_member):
    coalition, pm = spanish_member
    api_client.force_authenticate(pm.user)
    url = reverse("api:worksheet-detail", kwargs={"coalition_pk": coalition.pk, "key": "w5_2"})
    spanish = api_client.get(url, HTTP_ACCEPT_LANGUAGE="es").json()
    english = api_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert spanish["key"] == english["key"] == "w5_2"
    assert spanish["title"] == "Recopilación de la revisión de datos"
    assert english["title"] == "Data Review Compilation"
    definition = str(spanish["definition"])
    assert "Sin nombres" in definition and "anonymized" in definition


def test_a_csv_in_spanish_names_questions_and_answers_in_spanish_from_stored_keys(
    client, spanish_member
):
    coalition, pm = spanish_member
    saved = services.worksheet_response_save(
        worksheet_key="w5_2", data={"sharing_mode": "anonymized"}, base_version=0, actor=pm
    )
    assert saved.response.data["sharing_mode"] == "anonymized"  # the key, in any language
    url = reverse("plans:worksheet_export", args=[coalition.pk, "w5_2", "csv"])
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode("utf-8-sig")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    assert "¿Cómo se compartirán las respuestas individuales?,Sin nombres" in spanish
    assert "How will individual answers be shared?,Without names" in english
