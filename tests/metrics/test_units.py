"""Every metric of the catalog shown as its unit reads, in English and in Spanish."""

from __future__ import annotations

import pytest
from django.utils import translation

from metrics.catalog import UNITS, catalog_load, missing_year_reasons
from metrics.charts import format_value, trend_chart
from metrics.charts.formatting import format_delta, format_parts, format_ticks, unit_label

NBSP = "\u00a0"

# A typical value of each unit, and how it reads in English and in Spanish (es-US).
SAMPLES = {
    "share": (0.399, "39.9%", f"39.9{NBSP}%"),
    "dollars": (66167.4, "$66,167", "$66,167"),
    "per_100k": (312.44, "312 per 100,000", "312 por cada 100,000"),
    "per_10k": (12.5, "12.5 per 10,000", "12.5 por cada 10,000"),
    "per_100_households": (0.45, "45.0 per 100 households", "45.0 por cada 100 hogares"),
    "ratio": (1.2034, "1.20", "1.20"),
    "text_ratio": (0.4837, "0.48 : 1", "0.48 : 1"),
    "index": (45.0, "45", "45"),
    "count": (1234, "1,234", "1,234"),
    "grade_levels": (0.97, "0.97 grade levels per year", "0.97 grados escolares por año"),
    "people_per_physician": (
        2235,
        "2,235 people per physician",
        "2,235 personas por médico",
    ),
}


def test_every_catalog_unit_has_a_sample_and_a_formatter():
    assert set(SAMPLES) == set(UNITS)
    assert {m.unit for m in catalog_load().metrics} <= set(SAMPLES)


@pytest.mark.parametrize("metric", catalog_load().metrics, ids=lambda m: m.variable)
def test_every_metric_reads_as_its_unit_in_english_and_spanish(metric):
    value, english, spanish = SAMPLES[metric.unit]
    with translation.override("en"):
        assert format_value(value, metric.unit) == english
        assert unit_label(metric.unit)
    with translation.override("es"):
        assert format_value(value, metric.unit) == spanish


def test_affordable_housing_reads_as_urban_states_it():
    """Urban: "affordable housing units per 100 households"; the files hold 0.45."""
    spec = catalog_load().by_variable["share_affordable_available_30_ami"]
    assert spec.unit == "per_100_households"
    assert "per 100 households" in spec.label
    assert format_value(0.45, spec.unit) == "45.0 per 100 households"
    assert format_value(1.234, spec.unit) == "123 per 100 households"
    assert format_ticks([0.0, 0.5, 1.0], spec.unit) == ["0", "50", "100"]
    assert format_delta(0.05, spec.unit) == "+5.0 per 100 households"


def test_economic_connectedness_is_a_ratio_not_a_percentage():
    spec = catalog_load().by_variable["share_economic_connectedness"]
    assert format_value(0.87, spec.unit) == "0.87"


def test_house_value_ratio_shows_both_shares():
    assert format_parts(0.119, 0.246) == "11.9% : 24.6%"
    assert format_value("20.8%:27.5%", "text_ratio") == "20.8% : 27.5%"
    with translation.override("es"):
        assert format_parts(0.119, 0.246) == f"11.9{NBSP}% : 24.6{NBSP}%"


def test_no_physician_is_said_in_words_and_deltas_keep_their_unit():
    assert format_value(0, "people_per_physician") == "No primary care physician"
    assert format_value(0, "people_per_physician", short=True) == "0"
    assert format_delta(-150, "people_per_physician") == "\u2212150 people per physician"
    assert format_delta(0.05, "grade_levels") == "+0.05 grade levels per year"
    with translation.override("es"):
        assert format_delta(-0.084, "share") == "\u22128.4 puntos porcentuales"
        assert format_value(None, "share") == "Sin datos"


def test_a_year_missing_inside_the_series_leaves_a_gap_and_the_summary_says_why():
    series = [
        {"year": y, "value": v} for y, v in ((2017, 0.70), (2018, 0.71), (2019, 0.72), (2021, 0.74))
    ]
    chart = trend_chart(
        series,
        title="Employed",
        unit="share",
        missing_reasons=missing_year_reasons("share_employed"),
    )
    assert "There is no value for 2020, so the line is not drawn across it." in chart.summary
    assert "1-year American Community Survey" in chart.summary
    assert chart.table.rows[3] == ("2020", "No data", "No data")
    assert chart.svg.count('class="line"') == 1  # 2017-2019 joined; 2021 stands alone
    with translation.override("es"):
        spanish = trend_chart(series, title="Empleo", unit="share").summary
    assert "No hay ningún valor para 2020" in spanish


def test_a_series_published_every_other_year_is_joined_but_not_across_a_longer_gap():
    years = (2014, 2016, 2018, 2021, 2023)
    series = [{"year": y, "value": 0.5 + i / 100} for i, y in enumerate(years)]
    chart = trend_chart(series, title="Preschool", unit="share")
    assert "There are no values for 2019 to 2020" in chart.summary
    assert chart.svg.count('class="line"') == 2


def test_the_axis_says_when_it_does_not_start_at_zero():
    high = [{"year": 2021, "value": 0.71}, {"year": 2022, "value": 0.74}]
    svg = trend_chart(high, title="Employed", unit="share").svg
    assert "axis starts at" in svg and "not at zero" in svg
    low = [{"year": 2021, "value": 0.0}, {"year": 2022, "value": 0.04}]
    assert "not at zero" not in trend_chart(low, title="Debt", unit="share").svg


def test_django_numbers_in_spanish_agree_with_the_formatter():
    from django.template import Context, Template

    template = Template('{% load humanize %}{{ v|floatformat:"-2" }} {{ n|intcomma }}')
    with translation.override("es"):
        assert template.render(Context({"v": 1234.456, "n": 1234567})) == "1234.46 1,234,567"
