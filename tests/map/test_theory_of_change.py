"""The theory of change as one grammatical sentence joined from phrases (W7.3, section M6)."""

from __future__ import annotations

import ast
import inspect
import re

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import JobStatus
from plans import theory_of_change
from plans.map import services
from plans.map.document import PUBLIC, build_document
from plans.map.models import PlanExport, TheoryOfChange
from plans.map.pdf import render_html
from plans.services import worksheet_response_save

pytestmark = pytest.mark.django_db

PHRASES = {
    "problem": "the shortage of homes that low-income renters, most of them Black families, "
    "can afford",
    "solution": "build 500 homes that rent below 30% of income",
    "impact_medium": "fewer evictions",
    "impact_long": "stable housing and growing wealth for Black families",
}
SENTENCE = (
    "To address the shortage of homes that low-income renters, most of them Black families, "
    "can afford, we will build 500 homes that rent below 30% of income, which will lead to "
    "fewer evictions and, in the long term, to stable housing and growing wealth for Black "
    "families."
)
# What the issue found in the plan: the problem written as a sentence.
OLD_ANSWERS = {
    "problem": "Low-income renters, disproportionately Black families, cannot find homes they "
    "can afford.",
    "solution": "We will build 500 homes.",
    "impact_medium": "In the medium term, more families will keep their homes.",
    "impact_long": "Black families build wealth",
}


def test_the_four_phrases_make_one_sentence():
    assert theory_of_change.sentence(PHRASES) == SENTENCE


def test_a_missing_result_leaves_its_clause_out():
    no_long = {**PHRASES, "impact_long": ""}
    no_medium = {**PHRASES, "impact_medium": ""}
    assert theory_of_change.sentence(no_long).endswith(", which will lead to fewer evictions.")
    assert theory_of_change.sentence(no_medium).endswith(
        "rent below 30% of income, which will lead, in the long term, to stable housing and "
        "growing wealth for Black families."
    )
    bare = {"problem": PHRASES["problem"], "solution": "build homes"}
    assert theory_of_change.sentence(bare).endswith(", we will build homes.")
    assert theory_of_change.sentence({"problem": "", "solution": "build homes"}) == ""


def test_words_the_sentence_already_has_are_not_repeated():
    assert theory_of_change.phrase("solution", "We will build homes.") == "build homes"
    assert theory_of_change.phrase("impact_medium", "In the medium term, fewer evictions") == (
        "fewer evictions"
    )
    assert theory_of_change.phrase("problem", "To address the shortage.") == "the shortage"
    # A capital that only began a sentence is lowered; a name keeps its capital.
    assert theory_of_change.phrase("problem", "The shortage of homes") == "the shortage of homes"
    assert theory_of_change.phrase("impact_long", "Black families build wealth") == (
        "Black families build wealth"
    )


def test_a_problem_written_as_a_sentence_comes_first_and_is_referred_to():
    assert theory_of_change.sentence(OLD_ANSWERS).startswith(
        "Low-income renters, disproportionately Black families, cannot find homes they can "
        "afford. To address this, we will build 500 homes, which will lead to "
    )


def test_parts_written_as_sentences_are_found():
    problems = theory_of_change.part_problems(OLD_ANSWERS)
    assert set(problems) == {"problem", "impact_medium"}
    assert problems["problem"].startswith("The problem reads as a whole sentence.")
    assert theory_of_change.part_problems(PHRASES) == {}
    # A relative clause inside a phrase is still a phrase.
    assert not theory_of_change.reads_as_sentence("problem", "renters who cannot afford rent")
    assert theory_of_change.reads_as_sentence("problem", "Rents rose. Wages did not.")


def test_each_form_of_the_sentence_is_one_gettext_call_with_named_placeholders():
    """The lead translates the sentence as a whole; a translator can move every part."""
    tree = ast.parse(inspect.getsource(theory_of_change._joined))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
    ]
    assert len(calls) == 4
    for call in calls:
        assert len(call.args) == 1 and isinstance(call.args[0], ast.Constant)
        template = call.args[0].value
        assert not re.search(r"%[sd]", template), template
        assert set(re.findall(r"%\((\w+)\)s", template)) <= {
            "problem",
            "solution",
            "medium",
            "long",
        }
        assert {"problem", "solution"} <= set(re.findall(r"%\((\w+)\)s", template))
    # Built in the reader's language, whatever the translation does with the order.
    with translation.override("es"):
        spanish = theory_of_change.sentence(PHRASES)
    assert all(phrase in spanish for phrase in PHRASES.values())


def test_own_wording_replaces_the_sentence_and_old_joins_are_not_own_wording(pm):
    theory = services.theory_save(actor=pm, **PHRASES)
    assert theory.statement == "" and theory.final_statement == SENTENCE
    theory = services.theory_save(actor=pm, theory=theory, **PHRASES, statement="Our words.")
    assert theory.final_statement == "Our words." and theory.part_problems == {}
    old_join = theory_of_change.earlier_sentences(OLD_ANSWERS)
    for text in old_join:
        theory = services.theory_save(actor=pm, theory=theory, **OLD_ANSWERS, statement=text)
        assert theory.statement == ""
    assert set(theory.part_problems) == {"problem", "impact_medium"}


def test_a_person_saving_marks_it_edited_the_worksheets_do_not(pm):
    theory = services.theory_save(actor=pm, **PHRASES)
    assert theory.edited_at is not None and theory.edited_by == pm.user
    TheoryOfChange.objects.all().delete()
    worksheet_response_save(
        worksheet_key="w7_3", data={"records": [OLD_ANSWERS]}, base_version=0, actor=pm
    )
    made = services.strategy_import_from_worksheets(actor=pm)
    assert made["theories"] == 1
    imported = TheoryOfChange.objects.get()
    assert imported.edited_at is None


def test_the_page_asks_for_phrases_and_previews_the_sentence(client, coalition, team):
    member = team["member"]
    client.force_login(member.user)
    page = client.get(reverse("map:theory_create", args=[coalition.pk])).content.decode()
    assert "The problem: what must change?" in page
    assert "A phrase that completes “To address …”" in page
    assert "To address [the problem], we will [the strategies], which will lead to" in page
    assert "<script" not in page.split("</header>")[-1]  # no inline script on the page
    preview = client.post(reverse("map:theory_preview", args=[coalition.pk]), OLD_ANSWERS)
    text = preview.content.decode()
    assert "cannot find homes they can afford. To address this, we will build 500 homes" in text
    assert "The problem reads as a whole sentence." in text
    good = client.post(reverse("map:theory_preview", args=[coalition.pk]), PHRASES)
    assert SENTENCE in good.content.decode() and "reads as a whole sentence" not in (
        good.content.decode()
    )
    saved = client.post(reverse("map:theory_create", args=[coalition.pk]), OLD_ANSWERS)
    assert saved.status_code == 302
    theory = TheoryOfChange.objects.get()
    page = client.get(reverse("map:theory_edit", args=[coalition.pk, theory.pk])).content.decode()
    assert "The medium-term result reads as a whole sentence." in page
    strategy = client.get(reverse("map:strategy", args=[coalition.pk])).content.decode()
    assert "Some parts read as whole sentences" in strategy


def test_the_plan_prints_the_same_sentence_on_every_page(client, coalition, pm):
    services.theory_save(actor=pm, **PHRASES)
    internal = build_document(coalition)
    public = build_document(coalition, audience=PUBLIC)
    for document in (internal, public):
        m6 = next(s for s in document["sections"] if s["key"] == "M6")
        assert [b["text"] for b in m6["blocks"] if b["type"] == "text"] == [SENTENCE]
    assert SENTENCE in render_html(public)
    services.theory_save(actor=pm, theory=TheoryOfChange.objects.get(), **OLD_ANSWERS)
    m6 = next(s for s in build_document(coalition)["sections"] if s["key"] == "M6")
    assert any(b["type"] == "note" and "Only the coalition sees" in b["text"] for b in m6["blocks"])
    public = build_document(coalition, audience=PUBLIC)
    m6 = next(s for s in public["sections"] if s["key"] == "M6")
    assert [b["type"] for b in m6["blocks"]] == ["text"] and "rephrase" not in str(public)
    services.theory_save(actor=pm, theory=TheoryOfChange.objects.get(), **PHRASES)
    version = services.map_version_freeze(actor=pm, override_reason="Test")
    client.force_login(pm.user)
    page = client.get(reverse("map:version", args=[coalition.pk, version.pk])).content.decode()
    assert SENTENCE in page
    version.approved = True
    version.save()
    PlanExport.objects.create(coalition=coalition, version=version, status=JobStatus.SUCCEEDED)
    services.map_version_publish(version=version, actor=pm)
    client.logout()
    assert SENTENCE in client.get(version.public_path).content.decode()


def test_the_api_joins_the_sentence_and_names_parts_to_rephrase(api_client, coalition, team):
    api_client.force_login(team["member"].user)
    url = reverse("api:map-theory-list", args=[coalition.pk])
    made = api_client.post(url, OLD_ANSWERS, format="json")
    assert made.status_code == 201
    body = made.json()
    assert body["final_statement"].startswith("Low-income renters, disproportionately Black")
    assert set(body["part_problems"]) == {"problem", "impact_medium"}
    assert body["edited_at"]
    detail = reverse("api:map-theory-detail", args=[coalition.pk, body["id"]])
    fixed = api_client.put(detail, PHRASES, format="json").json()
    assert fixed["final_statement"] == SENTENCE and fixed["part_problems"] == {}
