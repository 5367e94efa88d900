"""A plan in the reader's language: bilingual narratives, one frozen document per language,
exports in English, Spanish or both, the public page's language switcher, and a Spanish PDF
without an English heading or label."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.models import JobStatus
from plans.map import charting, services
from plans.map.document import build_document
from plans.map.models import BOTH_LANGUAGES, MapVersion, PlanExport, SectionStatus
from plans.map.tasks import plan_export_run_task
from tests.map.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

EN = "We will make the county a place where every family can build wealth."
ES = "Haremos del condado un lugar donde cada familia pueda crear riqueza."


def _bilingual(pm) -> None:
    services.plan_settings_save(actor=pm, language="en", second_language="es")
    services.map_section_save(actor=pm, key="M1", narrative=EN, translations={"es": ES})


def _section(document, key="M1"):
    return next(s for s in document["sections"] if s["key"] == key)


# --- narratives per language -------------------------------------------------------------


def test_each_language_prints_its_own_narrative_with_its_own_headings(coalition, pm):
    _bilingual(pm)
    english = build_document(coalition)
    spanish = build_document(coalition, language="es")
    assert (english["language"], spanish["language"]) == ("en", "es")
    assert english["languages"] == spanish["languages"] == ["en", "es"]
    assert _section(english)["narrative"] == EN and _section(spanish)["narrative"] == ES
    assert english["title"] != spanish["title"]
    with pytest.raises(ValueError):
        build_document(coalition, language="fr")


def test_a_narrative_in_a_language_the_plan_lacks_is_refused_and_nothing_saved(pm):
    services.map_section_save(actor=pm, key="M1", narrative=EN)
    with pytest.raises(ValidationError) as refused:
        services.map_section_save(actor=pm, key="M1", narrative="x", translations={"es": ES})
    assert "translations" in refused.value.message_dict
    assert "no second language es" in str(refused.value)
    assert pm.coalition.map_sections.get(key="M1").narrative == EN


def test_a_changed_translation_sends_an_approved_section_back_to_draft(pm):
    _bilingual(pm)
    services.map_section_save(actor=pm, key="M1", status=SectionStatus.APPROVED)
    services.map_section_save(actor=pm, key="M1", translations={"es": ES})
    assert pm.coalition.map_sections.get(key="M1").status == SectionStatus.APPROVED
    services.map_section_save(actor=pm, key="M1", translations={"es": ES + " Juntos."})
    assert pm.coalition.map_sections.get(key="M1").status == SectionStatus.DRAFT


def test_texts_stay_with_their_language_when_the_plans_own_language_changes(coalition, pm):
    _bilingual(pm)
    services.plan_settings_save(actor=pm, language="es", second_language="en")
    draft = coalition.map_sections.get(key="M1")
    assert (draft.narrative, draft.translations) == (ES, {"en": EN})
    assert _section(build_document(coalition))["narrative"] == ES
    assert _section(build_document(coalition, language="en"))["narrative"] == EN
    # Dropping the second language hides its text but keeps it.
    services.plan_settings_save(actor=pm, language="es")
    assert coalition.map_sections.get(key="M1").translations == {"en": EN}


def test_the_second_language_must_differ_from_the_plans_own(pm):
    with pytest.raises(ValidationError) as refused:
        services.plan_settings_save(actor=pm, language="", second_language="en")
    assert "second_language" in refused.value.message_dict


def test_the_section_editor_shows_both_languages_side_by_side(client, coalition, pm, pm_user):
    services.plan_settings_save(actor=pm, language="en", second_language="es")
    client.force_login(pm_user)
    url = reverse("map:section", args=[coalition.pk, "M1"])
    page = client.get(url).content.decode()
    assert 'class="two-col narratives"' in page
    assert "Narrative in English" in page and "Narrative in Spanish" in page
    assert 'lang="es"' in page and 'name="narrative_es"' in page
    response = client.post(
        url, {"narrative": EN, "narrative_es": ES, "status": "draft", "owner": ""}
    )
    assert response.status_code == 302
    draft = coalition.map_sections.get(key="M1")
    assert (draft.narrative, draft.translations) == (EN, {"es": ES})


def test_a_plan_in_one_language_keeps_one_narrative_field(client, coalition, pm_user):
    client.force_login(pm_user)
    page = client.get(reverse("map:section", args=[coalition.pk, "M1"])).content.decode()
    assert "narrative_es" not in page and "narratives" not in page


def test_the_check_before_freezing_lists_sections_not_written_in_the_second_language(pm):
    from plans.map.checks import freeze_check

    services.plan_settings_save(actor=pm, language="en", second_language="es")
    services.map_section_save(actor=pm, key="M1", narrative=EN)
    missing = [f for f in freeze_check(pm.coalition) if f["kind"] == "translation_missing"]
    assert len(missing) == 1 and "in English but none in Spanish" in missing[0]["text"]
    assert missing[0]["link"].endswith("/sections/M1/")
    services.map_section_save(actor=pm, key="M1", translations={"es": ES})
    assert not [f for f in freeze_check(pm.coalition) if f["kind"] == "translation_missing"]


def test_acknowledgements_in_each_language_on_the_cover_page(client, coalition, pm, pm_user):
    from plans.map.front import plan_settings

    services.plan_settings_save(actor=pm, language="en", second_language="es")
    client.force_login(pm_user)
    url = reverse("map:cover", args=[coalition.pk])
    page = client.get(url).content.decode()
    assert "Acknowledgements in English" in page and 'name="acknowledgements_es"' in page
    response = client.post(
        url,
        {
            "acknowledgements": "Thanks to residents.",
            "acknowledgements_es": "Gracias a los residentes.",
            "page_size": "letter",
            "language": "en",
            "second_language": "es",
        },
    )
    assert response.status_code == 302
    english = build_document(coalition)
    spanish = build_document(coalition, language="es")
    assert english["front"]["acknowledgements"] == "Thanks to residents."
    assert spanish["front"]["acknowledgements"] == "Gracias a los residentes."
    assert "Gracias a los residentes." in str(_section(spanish, "M0")["blocks"])
    # Swapping the plan's languages keeps each text with its language.
    services.plan_settings_save(
        actor=pm, acknowledgements="Thanks to residents.", language="es", second_language="en"
    )
    chosen = plan_settings(coalition)
    assert chosen.acknowledgements == "Gracias a los residentes."
    assert chosen.acknowledgements_translations == {"en": "Thanks to residents."}


# --- frozen versions ---------------------------------------------------------------------


def test_a_version_freezes_one_document_per_language(coalition, pm):
    _bilingual(pm)
    version = services.map_version_freeze(actor=pm, override_reason="Test")
    assert version.languages == ["en", "es"]
    assert _section(version.document_in("es"))["narrative"] == ES
    assert _section(version.document_in("en"))["narrative"] == EN
    assert version.document_in("es")["version"] == version.number


def test_a_version_frozen_before_languages_still_reads_in_its_one_language(coalition, pm):
    services.map_section_save(actor=pm, key="M1", narrative=EN)
    document = build_document(coalition, audience="public", version=1)
    del document["languages"]
    old = MapVersion.objects.create(coalition=coalition, number=1, document=document)
    assert old.translations == {} and old.languages == ["en"]
    assert old.document_in("es") == old.document


def test_the_version_page_reads_each_frozen_language(client, coalition, pm, pm_user):
    _bilingual(pm)
    version = services.map_version_freeze(actor=pm, override_reason="Test")
    client.force_login(pm_user)
    url = reverse("map:version", args=[coalition.pk, version.pk])
    assert EN in client.get(url).content.decode()
    spanish = client.get(url + "?lang=es").content.decode()
    assert ES in spanish and EN not in spanish and '<section id="sec-M1"' in spanish
    assert f'href="{url}" lang="en" hreflang="en">English</a>' in spanish


def test_preview_as_the_public_in_each_language(client, coalition, pm, pm_user):
    _bilingual(pm)
    client.force_login(pm_user)
    url = reverse("map:preview_public", args=[coalition.pk])
    assert EN in client.get(url).content.decode()
    spanish = client.get(url + "?lang=es").content.decode()
    assert ES in spanish and EN not in spanish


# --- the public page ---------------------------------------------------------------------


def _publish(version: MapVersion, pm) -> MapVersion:
    MapVersion.objects.filter(pk=version.pk).update(approved=True)
    version.refresh_from_db()
    PlanExport.objects.create(
        coalition=version.coalition, version=version, status=JobStatus.SUCCEEDED
    )
    return services.map_version_publish(version=version, actor=pm)


def test_the_public_page_offers_the_plans_languages_at_the_same_link(client, coalition, pm):
    _bilingual(pm)
    version = _publish(services.map_version_freeze(actor=pm, override_reason="Test"), pm)
    url = reverse("map_public:plan", args=[version.public_token])
    english = client.get(url).content.decode()
    assert EN in english and ES not in english and '<html lang="en">' in english
    assert f'href="{url}?lang=es" lang="es" hreflang="es">Español</a>' in english
    with translation.override("es"):
        spanish_title = build_document(coalition, language="es")["title"]
    spanish = client.get(url + "?lang=es").content.decode()
    assert ES in spanish and EN not in spanish and '<html lang="es">' in spanish
    assert (
        spanish_title in spanish and f'href="{url}" lang="en" hreflang="en">English</a>' in spanish
    )
    # A language the version was not frozen in: its own language.
    assert EN in client.get(url + "?lang=fr").content.decode()


def test_public_files_follow_the_pages_language(client, coalition, pm):
    from django.core.files.base import ContentFile

    _bilingual(pm)
    version = _publish(services.map_version_freeze(actor=pm, override_reason="Test"), pm)
    version.exports.get().file.save("en.pdf", ContentFile(b"%PDF english"), save=True)
    spanish = PlanExport.objects.create(
        coalition=coalition, version=version, status=JobStatus.SUCCEEDED, language="es"
    )
    spanish.file.save("es.pdf", ContentFile(b"%PDF spanish"), save=True)
    pdf_url = reverse("map_public:pdf", args=[version.public_token])
    assert b"".join(client.get(pdf_url).streaming_content) == b"%PDF english"
    assert b"".join(client.get(pdf_url + "?lang=es").streaming_content) == b"%PDF spanish"
    page = client.get(reverse("map_public:plan", args=[version.public_token]) + "?lang=es")
    assert f'href="{pdf_url}?lang=es"' in page.content.decode()
    assert client.get(pdf_url + "?lang=both").status_code == 404


# --- exports -----------------------------------------------------------------------------


def _export(pm, **kwargs) -> PlanExport:
    export = services.plan_export_start(actor=pm, **kwargs)
    plan_export_run_task(export.pk)
    export.refresh_from_db()
    assert export.status == JobStatus.SUCCEEDED, export.error_report
    return export


def test_an_export_in_a_language_the_plan_lacks_is_refused(pm):
    with pytest.raises(ValidationError) as refused:
        services.plan_export_start(actor=pm, language="es")
    assert "language" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.plan_export_start(actor=pm, language=BOTH_LANGUAGES)
    assert not PlanExport.objects.exists()


def test_the_plan_page_offers_the_export_languages_of_a_bilingual_plan(
    client, coalition, pm, pm_user
):
    client.force_login(pm_user)
    plan_url = reverse("map:plan", args=[coalition.pk])
    assert 'id="export-language"' not in client.get(plan_url).content.decode()
    _bilingual(pm)
    page = client.get(plan_url).content.decode()
    assert '<option value="both">Both languages, one after the other</option>' in page
    assert '<option value="es">Spanish</option>' in page
    start = reverse("map:export_start", args=[coalition.pk])
    refused = client.post(start, {"kind": "plan", "format": "docx", "language": "fr"}, follow=True)
    assert (
        "This plan is written in English, Spanish; choose one of them." in refused.content.decode()
    )
    assert not PlanExport.objects.exists()
    client.post(start, {"kind": "plan", "format": "docx", "language": "both"})
    export = PlanExport.objects.get()
    assert (export.language, export.language_label) == ("both", "Both languages")
    assert "Both languages" in client.get(plan_url).content.decode()


def test_a_pdf_in_both_languages_has_each_one_after_the_other(coalition, pm, tmp_path):
    _bilingual(pm)
    export = _export(pm, language=BOTH_LANGUAGES, kind="summary")
    assert export.download_name == "mobility-action-plan-summary-draft-bilingual.pdf"
    text = re.sub(r"\s+", " ", pdf_text(export.file.read(), tmp_path))
    assert EN in text and ES in text and text.index(EN) < text.index(ES)
    with translation.override("es"):
        assert build_document(coalition)["title"] in text


def test_a_word_file_in_both_languages_has_each_one_after_the_other(coalition, pm):
    _bilingual(pm)
    export = _export(pm, language=BOTH_LANGUAGES, format="docx")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(export.file.read())).paragraphs]
    assert paragraphs.index(EN) < paragraphs.index(ES)
    covers = [p for p in paragraphs if p.startswith(("Version:", "Versión:"))]
    assert [c.split(":")[0] for c in covers] == ["Version", "Versión"]


def test_a_spanish_export_of_a_bilingual_plan_is_spanish_only(coalition, pm):
    _bilingual(pm)
    export = _export(pm, language="es", format="docx")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(export.file.read())).paragraphs]
    assert ES in paragraphs and EN not in paragraphs
    assert not [p for p in paragraphs if p.startswith("Version:")]


# --- the API -----------------------------------------------------------------------------


def test_the_api_reads_and_writes_the_narrative_per_language(api_client, coalition, pm):
    services.plan_settings_save(actor=pm, language="en", second_language="es")
    api_client.force_login(pm.user)
    url = reverse("api:map-section-detail", args=[coalition.pk, "M1"])
    saved = api_client.patch(url, {"narrative": EN, "translations": {"es": ES}}, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["translations"] == {"es": ES}
    refused = api_client.patch(url, {"translations": {"fr": "Bonjour"}}, format="json")
    assert refused.status_code == 400 and "translations" in refused.json()
    listed = api_client.get(reverse("api:map-section-list", args=[coalition.pk])).json()
    assert listed[1]["translations"] == {"es": ES}
    settings_ = api_client.get(reverse("api:map-plan-settings", args=[coalition.pk])).json()
    assert settings_["plan_languages"] == ["en", "es"] and settings_["second_language"] == "es"


def test_the_api_starts_an_export_in_a_chosen_language(
    api_client, coalition, pm, django_capture_on_commit_callbacks
):
    _bilingual(pm)
    api_client.force_login(pm.user)
    url = reverse("api:map-export-list", args=[coalition.pk])
    refused = api_client.post(url, {"language": "fr"}, format="json")
    assert refused.status_code == 400 and "language" in refused.json()
    with django_capture_on_commit_callbacks(execute=True):
        started = api_client.post(url, {"language": "both", "format": "docx"}, format="json")
    assert started.status_code == 202 and started.json()["language"] == "both"
    version = api_client.post(
        reverse("api:map-version-list", args=[coalition.pk]),
        {"override_reason": "Test"},
        format="json",
    ).json()
    assert version["languages"] == ["en", "es"]
    detail = api_client.get(reverse("api:map-version-detail", args=[coalition.pk, version["id"]]))
    assert _section(detail.json()["translations"]["es"])["narrative"] == ES


# --- charts and the Spanish PDF ----------------------------------------------------------


def test_a_spanish_version_reads_in_spanish_on_an_english_page(client, coalition, pm, pm_user):
    from tests.map.test_exports import _seed_metrics

    _seed_metrics(coalition)
    area = services.priority_area_save(actor=pm, name="Empleo", pillar="rewarding-work")
    services.headline_goal_save(
        actor=pm,
        priority_area=area,
        metric_variable="share_employed",
        baseline="40%",
        baseline_date=dt.date(2023, 12, 31),
        target="60%",
        target_date=dt.date(2030, 12, 31),
    )
    services.plan_settings_save(actor=pm, language="es")
    version = services.map_version_freeze(actor=pm, override_reason="Test")
    client.force_login(pm_user)
    page = client.get(reverse("map:version", args=[coalition.pk, version.pk])).content.decode()
    assert '<html lang="en">' in page and 'lang="es"' in page
    # The goal's chart, drawn when the page is shown, speaks the document's language.
    assert '<th scope="col">Año</th>' in page and '<th scope="col">Year</th>' not in page


def test_plan_charts_are_drawn_in_the_documents_language(coalition, pm):
    spec = {
        "kind": "goal",
        "label": "Empleo",
        "unit": "share",
        "direction": "higher",
        "points": [{"year": 2019, "value": 0.41}, {"year": 2023, "value": 0.47}],
        "benchmark": {"2019": 0.4, "2023": 0.44},
        "benchmark_label": "Mediana nacional",
        "target": {"baseline_year": 2023, "baseline": 0.47, "year": 2030, "value": 0.6},
    }
    with translation.override("es"):
        chart = charting.draw(spec)
    assert chart.table.headers[:2] == ("Año", "Valor")
    assert "47.0\u00a0%" in chart.summary and "2030" in chart.summary
    assert "Meta 2030" in chart.svg and "Year" not in chart.svg
    for english in ("Year", "Value", "Target", "The target", "rose", "from"):
        assert english not in chart.summary.split() + list(chart.table.headers)


def _labels(document) -> set[str]:
    """The interface words of a document: section titles, headings, table headers, fact
    labels and chart table headers (drawn in the document's language)."""
    out: set[str] = set()
    with translation.override(document["language"]):
        for section in document["sections"]:
            out.add(section["title"])
            for block in section["blocks"]:
                if block["type"] == "heading":
                    out.add(block["text"])
                out |= {str(h) for h in block.get("headers", [])}
                items = block.get("items", [])
                out |= {str(i["label"]) for i in items if isinstance(i, dict) and "label" in i}
                if block["type"] == "chart":
                    out |= set(charting.draw(block["spec"]).table.headers)
    return {label.strip() for label in out if len(label.strip()) >= 4}


def test_the_spanish_pdf_has_no_english_heading_or_label(team, tmp_path):
    from plans.map import pdf
    from tests.map.test_exports import _world

    world = _world(team)
    coalition, pm = world["coalition"], world["pm"]
    english = build_document(coalition, audience="public")
    services.plan_settings_save(actor=pm, language="es", page_size="a4")
    spanish = build_document(coalition, audience="public")
    assert spanish["language"] == "es"
    # Words that read the same in both (names, "Total") are not English leaks.
    english_only = _labels(english) - _labels(spanish)
    assert len(english_only) > 20  # the comparison has something to compare
    data, _pages = pdf.document_pdf(spanish)
    text = re.sub(r"\s+", " ", pdf_text(data, tmp_path))
    leaked = sorted(label for label in english_only if f" {label} " in f" {text} ")
    assert leaked == []
    for fixed in ("Contents", "Version", "Table of contents", "Page"):
        assert f" {fixed} " not in f" {text} "
