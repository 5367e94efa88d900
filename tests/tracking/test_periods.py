"""Periods and the numbers behind the old text baselines (the data migration)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from plans.map.models import Measure
from plans.tracking.periods import number_from_text, period_label, period_parse

migration = importlib.import_module("plans.migrations.0013_measure_numbers")


@pytest.mark.parametrize(
    ("text", "key", "date"),
    [
        ("2024", "2024", dt.date(2024, 12, 31)),
        ("2024-q2", "2024-Q2", dt.date(2024, 6, 30)),
        ("Q1 2024", "2024-Q1", dt.date(2024, 3, 31)),
        ("2024-2", "2024-02", dt.date(2024, 2, 29)),
        ("2024-05-17", "2024-05-17", dt.date(2024, 5, 17)),
        ("5/17/2024", "2024-05-17", dt.date(2024, 5, 17)),
    ],
)
def test_periods_people_write(text, key, date):
    period = period_parse(text)
    assert (period.key, period.date) == (key, date)


@pytest.mark.parametrize("text", ["", "last year", "2024-13", "2024-Q5", "24"])
def test_what_is_no_period_says_how_to_write_one(text):
    with pytest.raises(ValueError, match="2024-Q2"):
        period_parse(text)


def test_period_labels_are_words():
    assert period_label("2024-Q2") == "Q2 2024"
    assert period_label("2024-05") == "May 2024"
    assert period_label("2024-05-17") == "May 17, 2024"


def test_numbers_from_text():
    assert number_from_text("39.9%", "share") == pytest.approx(0.399)
    assert number_from_text("0.399", "share") == pytest.approx(0.399)  # stored as a fraction
    assert number_from_text("$1,200", "dollars") == 1200
    assert number_from_text("about half", "share") is None


def test_migration_parses_text_baselines_and_keeps_the_rest(team):
    coalition = team["member"].coalition
    as_number = Measure.objects.create(
        coalition=coalition, element_kind="output", baseline="45%", target="60 %"
    )
    as_text = Measure.objects.create(
        coalition=coalition, element_kind="output", baseline="about half", target="TBD"
    )
    dollars = Measure.objects.create(coalition=coalition, element_kind="output", baseline="$250")
    migration.forward(apps, None)
    as_number.refresh_from_db()
    as_text.refresh_from_db()
    dollars.refresh_from_db()
    assert as_number.unit == "share"
    assert as_number.baseline_value == pytest.approx(0.45)
    assert as_number.target_value == pytest.approx(0.60)
    assert (as_text.baseline_value, as_text.target_value) == (None, None)
    assert as_text.baseline == "about half"  # kept, and shown as written
    assert (dollars.unit, dollars.baseline_value) == ("dollars", 250)
