"""Profile charts in the reader's language: titles aside (the catalogue's), every word a chart
adds — axis, legend, summary, data table, subgroup names — and every number and year."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from metrics.models import Geography, Metric
from metrics.profiles import charts
from metrics.profiles.reading import Reading, subgroup_name_text
from metrics.profiles.selectors import SubgroupSeries

pytestmark = pytest.mark.django_db

ENGLISH = {
    "Year", "Value", "Quality", "Group", "National median", "All", "Weak", "Strong",
    "No data", "Gap", "higher", "lower", "rose", "fell", "Reference", "Lower than All",
}  # fmt: skip
# Subgroup names are new strings: Spanish once the translator fills them (after the merge);
# until then the test checks they reach the chart through subgroup_name_text.


def _metric() -> Metric:
    return Metric.objects.filter(unit="share").order_by("position").first()


def _geography() -> Geography:
    return Geography.objects.filter(kind="county").first() or Geography.objects.first()


def _words(chart) -> set[str]:
    texts = re.findall(r">([^<>]+)<", chart.svg) + [chart.summary, chart.table.caption]
    texts += list(chart.table.headers) + [c for row in chart.table.rows for c in row]
    return {t.strip() for text in texts for t in re.split(r"[.;:,()]\s*|\s{2,}", text)}


def _series(*values: float | None, quality: int = 1) -> list[Reading]:
    return [
        Reading(year=2019 + 2 * i, value=v, lb=v and v - 0.02, ub=v and v + 0.02, quality=quality)
        for i, v in enumerate(values)
    ]


def test_every_subgroup_urban_names_has_a_readers_name():
    """Each subgroup in the real Urban files we keep as fixtures is in the vocabulary, so it
    reaches the translation catalogue; an unknown one prints as the file spells it."""
    import csv
    import gzip
    from pathlib import Path

    from metrics.profiles.reading import SUBGROUP_NAMES

    names = set()
    for path in Path(__file__).parents[1].joinpath("fixtures", "metrics").glob("*.csv*"):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:  # type: ignore[operator]
            names |= {row["subgroup"] for row in csv.DictReader(fh) if row.get("subgroup")}
    names -= {"NA", ""}
    assert names and not {n for n in names if n not in SUBGROUP_NAMES}
    assert subgroup_name_text("black, non-hispanic") == "Black, Non-Hispanic"
    assert subgroup_name_text("A group Urban adds later") == "A group Urban adds later"


@pytest.mark.parametrize("kind", ["trend", "dots", "gap"])
def test_a_spanish_reader_sees_no_english_word_in_a_profile_chart(kind):
    metric, place = _metric(), _geography()
    whole = _series(0.5, 0.52, 0.55)
    groups = [
        SubgroupSeries("race-ethnicity", "All", whole),
        SubgroupSeries(
            "race-ethnicity", "Black, Non-Hispanic", _series(0.41, None, 0.47, quality=3)
        ),
        SubgroupSeries("race-ethnicity", "Hispanic", _series(0.45, 0.46, 0.48)),
    ]
    with translation.override("es"):
        if kind == "trend":
            chart = charts.metric_trend(
                place, metric, _series(0.41, None, 0.47), {2019: 0.4, 2023: 0.46}, include_weak=True
            )
        elif kind == "dots":
            chart, _year = charts.subgroup_dots(
                metric, "race-ethnicity", groups, whole, include_weak=True
            )
        else:
            chart = charts.subgroup_gap(place, metric, groups[1], whole, include_weak=True)
    words = _words(chart)
    assert not words & ENGLISH, words & ENGLISH
    # Numbers in the Spanish style: a space before the percent sign, points in words.
    assert ("puntos porcentuales" if kind == "gap" else "47.0\u00a0%") in chart.summary
    if kind != "trend":
        with translation.override("es"):
            assert subgroup_name_text("Black, Non-Hispanic") in chart.summary + chart.svg
