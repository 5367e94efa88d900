"""The MAP's metric selectors: baselines and series from the active release, and their use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrics import models as m
from plans.map import metric_data, services
from plans.map.document import build_document

pytestmark = pytest.mark.django_db


def _observed_metric(coalition, geography=None):
    """A metric with two years in a new active release: 2021 strong, 2023 weak."""
    pillar = m.Pillar.objects.get_or_create(slug="rewarding-work", defaults={"name": "RW"})[0]
    predictor = m.Predictor.objects.get_or_create(
        slug="employment-opportunities", defaults={"name": "EO", "pillar": pillar}
    )[0]
    metric = m.Metric.objects.get_or_create(
        variable="share_employed_test",
        defaults={
            "label": "Employed",
            "unit": "share",
            "direction": "higher",
            "predictor": predictor,
        },
    )[0]
    m.Release.objects.update(is_active=False)
    release = m.Release.objects.create(name="test-release", is_active=True)
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    for year, value, quality in ((2021, 0.7, 1), (2023, 0.72, 3)):
        m.Observation.objects.create(
            release=release,
            geography=geography or coalition.geography,
            metric=metric,
            subgroup=everyone,
            year=year,
            value=value,
            quality=quality,
        )
    return metric


def test_baseline_comes_from_the_active_release(coalition):
    _observed_metric(coalition)
    found = metric_data.baseline_for(coalition, "share_employed_test")
    assert (found.value, found.year, found.release_name, found.is_weak) == (
        0.72,
        2023,
        "test-release",
        True,
    )
    assert found.quality_label == "Weak"
    assert [p["year"] for p in metric_data.series_for(coalition, "share_employed_test")] == [
        2021,
        2023,
    ]
    assert metric_data.active_release_name() == "test-release"
    assert metric_data.metric_info("share_employed_test")["label"] == "Employed"


def test_numbers_of_another_geography_are_not_a_baseline(coalition):
    from tests.factories import GeographyFactory

    _observed_metric(coalition, geography=GeographyFactory(fips="01999", name="Elsewhere"))
    assert metric_data.baseline_for(coalition, "share_employed_test") is None
    assert metric_data.series_for(coalition, "share_employed_test") == []


def test_without_an_active_release_there_is_no_baseline(coalition):
    _observed_metric(coalition)
    m.Release.objects.update(is_active=False)
    assert metric_data.active_release_name() == ""
    assert metric_data.baseline_for(coalition, "share_employed_test") is None
    assert metric_data.series_for(coalition, "share_employed_test") == []
    assert metric_data.baseline_for(coalition, "") is None


@pytest.fixture
def fake_metric(monkeypatch):
    """What the metrics app will answer, for the parts of the MAP that use a baseline."""
    weak = metric_data.Baseline(
        value=0.42, year=2023, quality=3, release_name="2025", label="Share employed", unit="share"
    )
    monkeypatch.setattr(
        metric_data, "metric_choices", lambda: [("share_employed", "Share employed")]
    )
    monkeypatch.setattr(metric_data, "baseline_for", lambda c, v, s=None: weak if v else None)
    monkeypatch.setattr(
        metric_data,
        "series_for",
        lambda c, v, s=None: [
            {"year": 2021, "value": 0.4, "quality": 1},
            {"year": 2023, "value": 0.42, "quality": 3},
        ],
    )
    monkeypatch.setattr(
        metric_data,
        "metric_info",
        lambda v: {"label": "Share employed", "unit": "share", "direction": "higher"},
    )
    monkeypatch.setattr(metric_data, "active_release_name", lambda: "2025")
    return weak


def _measure(coalition, pm):
    services.strategic_action_save(
        actor=pm,
        fields={"title": "Jobs"},
        elements={"outcome_long": "More adults employed"},
    )
    return coalition.measures.get()


def test_linking_a_metric_fills_the_baseline_and_warns_when_weak(
    client, coalition, team, pm_user, fake_metric, pm
):
    measure = services.measure_save(
        measure=_measure(coalition, pm),
        actor=pm,
        fields={"metric_variable": "share_employed"},
    )
    # as a person types a share (pages print it by unit and language)
    assert (measure.baseline, measure.kind, measure.baseline_date.year) == (
        "42%",
        "mobility_metric",
        2023,
    )
    client.force_login(team["viewer"].user)
    page = client.get(reverse("map:measures", args=[coalition.pk])).content.decode()
    assert "Weak data quality" in page and "quality: Weak" in page


def test_metric_numbers_are_footnoted_and_charted(coalition, pm_user, fake_metric, pm):
    services.measure_save(
        measure=_measure(coalition, pm),
        actor=pm,
        fields={"metric_variable": "share_employed"},
    )
    document = build_document(coalition)
    assert document["release_name"] == "2025"
    row = document["measures"][0]
    assert row["baseline_weak"]
    m8 = next(s for s in document["sections"] if s["key"] == "M8")
    (table,) = [b for b in m8["blocks"] if b["type"] == "table"]
    assert "[1]" in table["rows"][0][2]  # the baseline cell points at note 1 ...
    (notes,) = [b for b in m8["blocks"] if b["type"] == "footnotes"]
    assert notes["items"][0]["n"] == 1  # ... printed under the section
    note = document["footnotes"][0]["text"]
    for part in ("Urban Institute", "release 2025", "year 2023", "quality: Weak"):
        assert part in note
    assert document["charts"][0]["variable"] == "share_employed"
