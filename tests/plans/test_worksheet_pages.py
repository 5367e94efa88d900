"""Every worksheet renders, takes answers, round-trips its form and shows read-only."""

from __future__ import annotations

import html

import pytest
from django.http import QueryDict
from django.urls import reverse

from coalitions.models import Role
from plans import definitions, services
from plans.display import value_text
from plans.forms import parse_post
from plans.map.blocks import date_words
from plans.models import WorksheetResponse
from tests.factories import CoalitionFactory, MembershipFactory
from tests.plans.helpers import read_form, sample_data, store_superseded, without_superseded

ALL = [w.key for w in definitions.worksheets()]


@pytest.fixture
def team(db):
    coalition = CoalitionFactory()
    pm = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat Manager")
    viewer = MembershipFactory(coalition=coalition, role=Role.VIEWER)
    # The data lead sets how individual answers are shared before anyone starts.
    services.worksheet_response_save(
        worksheet_key="w5_2",
        data={"sharing_mode": "anonymized"},
        base_version=0,
        actor=pm,
    )
    return coalition, pm, viewer


def _fill(coalition, pm, key):
    ws = definitions.worksheet(key)
    owner = pm if ws.filled_by.mode == "individual" else None
    current = WorksheetResponse.objects.filter(
        coalition=coalition, worksheet_key=key, owner=owner
    ).first()
    data = sample_data(ws, pm.pk)
    result = services.worksheet_response_save(
        worksheet_key=key,
        data=without_superseded(ws, data),
        base_version=current.version if current else 0,
        actor=pm,
        owner=owner,
    )
    assert result.errors == {}, (key, result.errors)
    # Answers records took the place of were written before; saves keep them as they are.
    return ws, store_superseded(coalition, ws, data, owner)


@pytest.mark.parametrize("key", ALL)
def test_every_worksheet_takes_answers_of_every_type_and_round_trips_its_form(client, team, key):
    coalition, pm, _viewer = team
    ws, response = _fill(coalition, pm, key)
    client.force_login(pm.user)
    page = client.get(reverse("plans:worksheet", args=[coalition.pk, key]))
    assert page.status_code == 200
    text = page.content.decode()
    form = read_form(text)
    # Every visible input has a label.
    unlabelled = [
        i for i, kind in form.ids.items() if kind != "hidden" and i not in form.labels_for
    ]
    assert not unlabelled, unlabelled
    # Sending the form back unchanged changes nothing: each value rendered as it parses.
    post = QueryDict(mutable=True)
    for name, value in form.pairs:
        post.appendlist(name, value)
    _same_after_save(coalition, pm, ws, post, response)


def _same_after_save(coalition, pm, ws, post, response):
    owner = pm if ws.filled_by.mode == "individual" else None
    result = services.worksheet_response_save(
        worksheet_key=ws.key,
        data=parse_post(ws, post),
        base_version=response.version,
        actor=pm,
        owner=owner,
    )
    assert result.errors == {}, (ws.key, result.errors)
    assert result.changed is False, (ws.key, _first_difference(ws, response.data, result))
    return True


def _first_difference(ws, before, result):
    after = result.response.data
    return [(k, before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k)][:2]


@pytest.mark.parametrize("key", ALL)
def test_viewers_see_every_worksheet_read_only_with_the_answers(client, team, key):
    coalition, pm, viewer = team
    ws, response = _fill(coalition, pm, key)
    client.force_login(viewer.user)
    page = client.get(reverse("plans:worksheet", args=[coalition.pk, key]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "data-autosave" not in text
    assert "Your role can read this worksheet but not change it." in text
    if ws.filled_by.mode == "coalition":
        record = response.data["records"][0] if ws.repeats else response.data
        for f in ws.fields:
            if f.key in record and f.type not in ("table", "checklist"):
                shown = value_text(f, record[f.key], _names(coalition)).split("\n")[0]
                if f.type == "date":  # a reader reads a date in words
                    shown = date_words(record[f.key])
                assert html.escape(shown, quote=False) in text.replace("&#x27;", "'"), (
                    f.key,
                    shown,
                )
    # HTML typed into an answer is shown as text, never as markup.
    assert "<b>not bold</b>" not in text


def _names(coalition):
    from plans.selectors import member_names

    return member_names(coalition)


def test_print_view_and_exports(client, team):
    coalition, pm, _viewer = team
    _fill(coalition, pm, "w3_1")
    client.force_login(pm.user)
    printed = client.get(reverse("plans:worksheet", args=[coalition.pk, "w3_1"]) + "?print=1")
    assert "data-autosave" not in printed.content.decode()
    as_csv = client.get(reverse("plans:worksheet_export", args=[coalition.pk, "w3_1", "csv"]))
    assert as_csv["Content-Type"].startswith("text/csv")
    body = as_csv.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "Record,Question,Answer"
    assert "Leadership" in body or "leadership" in body.lower()
    as_json = client.get(reverse("plans:worksheet_export", args=[coalition.pk, "w3_1", "json"]))
    assert as_json.json()["data"]["overall"]
    assert (
        client.get(
            reverse("plans:worksheet_export", args=[coalition.pk, "w3_1", "xml"])
        ).status_code
        == 404
    )
