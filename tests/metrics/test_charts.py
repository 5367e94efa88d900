"""The SVG charts as a reader meets them: the markup, the summary sentences and the table."""

import re
import xml.etree.ElementTree as ET

import pytest

from metrics.charts import dot_plot, format_value, gap_chart, peer_chart, trend_chart
from metrics.charts.base import BAND_FILL, GRAPHIC_COLOURS, GRID, TEXT_COLOURS
from metrics.charts.formatting import format_delta, format_ticks, nice_ticks

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(chart.svg)  # noqa: S314 - our own markup, not untrusted input


def by_class(root, css):
    return [e for e in root.iter() if css in (e.get("class") or "").split()]


def points(*rows):
    """rows of (year, value, lb, ub, quality)."""
    keys = ("year", "value", "lb", "ub", "quality")
    return [dict(zip(keys, row, strict=False)) for row in rows]


INCOME = points(
    (2014, 48200, 46000, 50400, "Strong"),
    (2015, 49100, 47000, 51200, "Strong"),
    (2016, 50500, 48400, 52600, "Marginal"),
    (2017, 53000, None, None, "Strong"),
    (2018, 55300, None, None, "Weak"),
    (2019, 61000, None, None, "Strong"),
)

EMPLOYMENT = [
    {"label": "All", "value": 0.78, "lb": 0.76, "ub": 0.80, "quality": "Strong"},
    {"label": "Black, Non-Hispanic", "value": 0.69, "lb": 0.63, "ub": 0.75, "quality": "Marginal"},
    {"label": "Hispanic", "value": 0.74, "lb": 0.70, "ub": 0.78, "quality": "Strong"},
    {"label": "White, Non-Hispanic", "value": 0.81, "lb": 0.79, "ub": 0.83, "quality": "Strong"},
    {"label": "Other Races and Ethnicities", "value": None},
]

PEERS = [
    {"label": "Home County", "value": 0.142, "lb": 0.13, "ub": 0.155, "home": True},
    {"label": "Peer A", "value": 0.171, "quality": "Strong"},
    {"label": "Peer B", "value": 0.118, "quality": "Weak", "lb": 0.1, "ub": 0.13},
    {"label": "Peer C", "value": None},
]

HS_ALL = points(
    (2014, 0.74, None, None, "Strong"), (2018, 0.76), (2023, 0.78, None, None, "Strong")
)
HS_BLACK = points(
    (2014, 0.61, None, None, "Strong"), (2018, 0.66), (2023, 0.70, None, None, "Weak")
)


# --- Contrast ----------------------------------------------------------------------------
def luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b="#ffffff"):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_known_wcag_values():
    assert contrast("#000000") == pytest.approx(21.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(("name", "colour"), TEXT_COLOURS.items())
def test_text_colours_reach_aa_against_white(name, colour):
    assert contrast(colour) >= 4.5, name


@pytest.mark.parametrize(("name", "colour"), GRAPHIC_COLOURS.items())
def test_graphic_colours_reach_3_to_1_against_white(name, colour):
    assert contrast(colour) >= 3.0, name


def all_charts():
    return [
        trend_chart(INCOME, title="Income", unit="dollars", direction="higher", benchmark=52000),
        dot_plot(EMPLOYMENT, title="Employment", unit="share"),
        peer_chart(PEERS, title="Debt", unit="share", direction="lower", benchmark=0.13),
        gap_chart(HS_BLACK, HS_ALL, title="Gap", unit="share", subgroup_label="Black"),
    ]


def test_every_colour_drawn_in_the_charts_passes_contrast():
    decorative = {GRID, BAND_FILL, "#ffffff", "none"}
    for chart in all_charts():
        for element in parse(chart).iter():
            if element.tag == SVG + "text":
                assert contrast(element.get("fill")) >= 4.5, ET.tostring(element)
                continue
            for attr in ("fill", "stroke"):
                colour = element.get(attr)
                if colour and colour not in decorative:
                    assert contrast(colour) >= 3.0, ET.tostring(element)


# --- Markup --------------------------------------------------------------------------------
@pytest.mark.parametrize("chart", all_charts(), ids=["trend", "dots", "peers", "gap"])
def test_chart_is_an_accessible_self_contained_image(chart):
    root = parse(chart)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title.text == chart.title
    assert desc.text == chart.summary
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert "<script" not in chart.svg and "href" not in chart.svg and "style" not in chart.svg


def test_user_text_is_escaped_everywhere():
    name = "<script>alert(1)</script> & Sons"
    rows = [{"label": name, "value": 0.3, "home": True}, {"label": "All", "value": 0.4}]
    charts = [
        trend_chart(INCOME, title=name, unit="dollars"),
        dot_plot(rows, title=name, unit="share"),
        peer_chart(rows, title=name, unit="share"),
        gap_chart(HS_BLACK, HS_ALL, title=name, unit="share", subgroup_label=name),
    ]
    for chart in charts:
        root = parse(chart)  # would raise on a raw "&" or "<"
        assert "<script>" not in chart.svg
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in chart.svg
        assert root.find("svg:title", NS).text == name
        assert not root.findall(".//svg:script", NS)


def test_two_charts_on_one_page_get_different_ids():
    a = trend_chart(INCOME, title="Income", unit="dollars")
    b = trend_chart(INCOME[:3], title="Income", unit="dollars")
    assert parse(a).get("aria-labelledby") != parse(b).get("aria-labelledby")
    assert trend_chart(INCOME, title="Income", unit="dollars").svg == a.svg  # stable output


# --- Trend: band, gaps, quality ---------------------------------------------------------
def test_band_is_drawn_only_over_years_with_bounds():
    root = parse(trend_chart(INCOME, title="Income", unit="dollars"))
    bands = by_class(root, "band")
    assert len(bands) == 1
    xs = [float(p.split(",")[0]) for p in bands[0].get("points").split()]
    assert len(xs) == 6  # 2014-2016 along the top and back along the bottom
    point_xs = sorted(float(c.get("cx")) for c in root.iter(SVG + "circle"))
    assert max(xs) < point_xs[-1]  # the band stops before 2019


def test_no_band_without_bounds():
    series = [{"year": y, "value": v} for y, v in ((2014, 1.0), (2015, 1.1))]
    root = parse(trend_chart(series, title="Wage ratio", unit="ratio"))
    assert not by_class(root, "band") and not by_class(root, "interval")


def test_single_year_with_bounds_gets_a_whisker_not_a_band():
    series = points((2014, 0.4, 0.35, 0.45), (2015, None), (2016, 0.5))
    root = parse(trend_chart(series, title="Preschool", unit="share"))
    assert not by_class(root, "band")
    assert len(by_class(root, "interval")) == 1


def test_missing_year_splits_the_line():
    series = points((2018, 50000), (2019, 52000), (2020, None), (2021, 53000), (2022, 55000))
    root = parse(trend_chart(series, title="Income", unit="dollars"))
    lines = by_class(root, "line")
    assert len(lines) == 2
    assert all(path.get("d").count("L") == 1 for path in lines)


def test_series_break_splits_the_line_and_is_labelled():
    series = points(*[(y, 70 + y - 2014) for y in range(2018, 2024)])
    chart = trend_chart(series, title="Deaths", unit="per_100k", breaks=[2022])
    root = parse(chart)
    assert len(by_class(root, "line")) == 2
    assert len(by_class(root, "break")) == 1
    assert "Series break" in chart.svg


def test_unbroken_series_is_one_path():
    root = parse(trend_chart(INCOME, title="Income", unit="dollars"))
    assert len(by_class(root, "line")) == 1


def test_weak_points_are_hollow_and_labelled():
    root = parse(trend_chart(INCOME, title="Income", unit="dollars"))
    weak = by_class(root, "weak")
    assert len(weak) == 1
    marker = weak[0].find("svg:circle", NS)
    assert marker.get("fill") == "#ffffff"
    assert [t.text for t in weak[0].iter(SVG + "text")][-1] == "Weak"
    strong = by_class(root, "strong")[0].find("svg:circle", NS)
    assert strong.get("fill") != "#ffffff"
    assert len(by_class(root, "marginal")[0].findall("svg:rect", NS)) == 1  # a square


def test_legend_explains_the_shapes_in_words():
    chart = trend_chart(INCOME, title="Income", unit="dollars", benchmark=50000)
    labels = {t.text for t in parse(chart).iter(SVG + "text")}
    assert {"Strong quality", "Marginal quality", "Weak quality: do not act on it"} <= labels
    assert {"95% confidence interval", "National median"} <= labels


def test_benchmark_is_a_dashed_labelled_line():
    root = parse(trend_chart(INCOME, title="Income", unit="dollars", benchmark=52000))
    (bench,) = by_class(root, "benchmark")
    assert bench.get("stroke-dasharray")
    assert by_class(root, "benchmark-label")[0].text == "National median"


def test_missing_value_with_bounds_draws_band_but_no_point():
    series = points((2014, None, 0.3, 0.4), (2015, 0.36, 0.31, 0.41, "Strong"))
    chart = trend_chart(series, title="Share", unit="share")
    root = parse(chart)
    assert len(by_class(root, "band")) == 1
    assert len(by_class(root, "point")) == 1
    assert chart.table.rows[0] == ("2014", "No data", "30.0% to 40.0%", "No data")


# --- Trend: summaries ---------------------------------------------------------------------
def summary(values, direction=None, benchmark=None, unit="dollars", title="Income"):
    series = [{"year": 2014 + i, "value": v} for i, v in enumerate(values)]
    return trend_chart(
        series, title=title, unit=unit, direction=direction, benchmark=benchmark
    ).summary


def test_summary_rising_with_higher_is_better():
    text = summary([48200, 52000, 61000], direction="higher")
    assert text == ("Income rose from $48,200 in 2014 to $61,000 in 2016, a change for the better.")


def test_summary_wording_flips_when_lower_is_better():
    rising = summary([61, 70, 80], direction="lower", unit="per_100k", title="Injury deaths")
    assert rising.startswith("Injury deaths rose from 61.0 per 100,000 in 2014")
    assert rising.endswith("a change for the worse.")
    falling = summary([80, 70, 61], direction="lower", unit="per_100k", title="Injury deaths")
    assert "fell from 80.0 per 100,000" in falling and falling.endswith("for the better.")


def test_summary_flat():
    assert summary([0.5, 0.5, 0.501], unit="share", title="Turnout") == (
        "Turnout stayed about the same, at 50.0% in 2014 and 50.1% in 2016."
    )


def test_summary_falling_without_direction_makes_no_judgement():
    assert summary([0.6, 0.4], unit="share", title="Transit") == (
        "Transit fell from 60.0% in 2014 to 40.0% in 2015."
    )


def test_summary_relative_to_benchmark_since_a_year():
    bench = {2014: 50000, 2015: 50000, 2016: 50000, 2017: 50000}
    text = summary([45000, 52000, 53000, 54000], direction="higher", benchmark=bench)
    assert text.endswith("It has been above the national median since 2015, which is better here.")


def test_summary_benchmark_with_lower_is_better():
    text = summary([50, 52, 55], direction="lower", benchmark=70, unit="per_100k")
    assert text.endswith(
        "It has been below the national median in every year shown, which is better here."
    )
    worse = summary([80, 82], direction="lower", benchmark=70, unit="per_100k")
    assert worse.endswith("above the national median in every year shown, which is worse here.")


def test_summary_one_point_and_latest_weak():
    chart = trend_chart(
        points((2023, 0.42, None, None, "Weak")), title="Preschool", unit="share", benchmark=0.45
    )
    assert chart.summary == (
        "Preschool was 42.0% in 2023. In 2023 it was below the national median (45.0%). "
        "The 2023 value is rated Weak: the Urban Institute advises communities not to act on it."
    )
    assert len(by_class(parse(chart), "point")) == 1


def test_no_data_returns_a_chartless_object():
    for chart in (
        trend_chart([], title="Income", unit="dollars"),
        trend_chart(points((2014, None), (2015, None)), title="Income", unit="dollars"),
        dot_plot([], title="Income", unit="dollars"),
        peer_chart([{"label": "A", "value": None}], title="Income", unit="dollars"),
        gap_chart([], [], title="Income", unit="dollars", subgroup_label="Black"),
    ):
        assert chart.svg == "" and not chart.has_chart
        assert chart.summary == "There is no data for Income."
        assert chart.table.rows == ()


def test_text_ratio_goes_to_the_table_not_the_chart():
    series = [{"year": 2023, "value": "0.119:0.246", "quality": "Marginal"}]
    chart = trend_chart(series, title="Housing wealth ratio", unit="share")
    assert chart.svg == ""
    assert chart.table.rows == (("2023", "11.9% : 24.6%", "Marginal"),)
    assert chart.summary == "Housing wealth ratio was 11.9% : 24.6% in 2023."


@pytest.mark.parametrize(
    "values",
    [[0.5, 0.5, 0.5], [-1200, -300, 450], [12, 1_234_567, 40], [3.2]],
    ids=["equal", "negative", "huge-range", "one"],
)
def test_awkward_values_still_draw_inside_the_frame(values):
    series = [{"year": 2014 + i, "value": v} for i, v in enumerate(values)]
    chart = trend_chart(series, title="Odd", unit="count")
    root = parse(chart)
    _, _, width, height = map(float, root.get("viewBox").split())
    for element in root.iter():
        for attr in ("x", "y", "cx", "cy", "x1", "x2", "y1", "y2"):
            if element.get(attr) is not None:
                assert -1 <= float(element.get(attr)) <= max(width, height) + 1
    if min(values) < 0 < max(values):
        assert by_class(root, "zero")


def test_table_rows_match_the_data():
    chart = trend_chart(INCOME, title="Income", unit="dollars", benchmark={2014: 50000})
    assert chart.table.headers == (
        "Year",
        "Value",
        "95% confidence interval",
        "National median",
        "Quality",
    )
    assert chart.table.rows[0] == ("2014", "$48,200", "$46,000 to $50,400", "$50,000", "Strong")
    assert chart.table.rows[4] == ("2018", "$55,300", "No data", "No data", "Weak")
    assert [row[0] for row in chart.table.rows] == [str(p["year"]) for p in INCOME]


# --- Dot plot ----------------------------------------------------------------------------


def test_dot_plot_draws_all_as_reference_and_groups_as_rows():
    chart = dot_plot(EMPLOYMENT, title="Employment", unit="share", year=2023)
    root = parse(chart)
    assert len(by_class(root, "reference")) == 1
    assert by_class(root, "reference-label")[0].text == "All: 78.0%"
    rows = by_class(root, "row")
    assert len(rows) == 4
    first_label = rows[0].find("svg:text", NS)
    assert first_label.text == "Black, Non-Hispanic" and first_label.get("text-anchor") == "end"
    assert len(by_class(root, "interval")) == 3
    assert "No data" in [t.text for t in rows[3].iter(SVG + "text")]


def test_dot_plot_summary_and_overlap():
    chart = dot_plot(EMPLOYMENT, title="Employment", unit="share", year=2023)
    assert chart.summary == (
        "In 2023, White, Non-Hispanic has the highest value (81.0%) and Black, Non-Hispanic "
        "the lowest (69.0%), against 78.0% for All. Their 95% confidence intervals do not "
        "overlap. There is no data for Other Races and Ethnicities."
    )
    overlapping = [
        {"label": "A", "value": 0.5, "lb": 0.4, "ub": 0.6},
        {"label": "B", "value": 0.55, "lb": 0.45, "ub": 0.65},
    ]
    text = dot_plot(overlapping, title="X", unit="share").summary
    assert text.endswith("Their intervals overlap, so the difference may not be real.")


def test_dot_plot_table_compares_each_group_with_all():
    chart = dot_plot(EMPLOYMENT, title="Employment", unit="share")
    assert chart.table.rows[0][0] == "All"
    by_group = {row[0]: row for row in chart.table.rows}
    assert by_group["Black, Non-Hispanic"] == (
        "Black, Non-Hispanic",
        "69.0%",
        "63.0% to 75.0%",
        "Lower than All",
        "Marginal",
    )
    assert by_group["Hispanic"][3] == "Intervals overlap: the difference may not be real"
    assert by_group["Other Races and Ethnicities"][1:] == (
        "No data",
        "No data",
        "No data",
        "No data",
    )


def test_dot_plot_without_subgroups_says_so():
    chart = dot_plot([{"label": "All", "value": 0.4}], title="Digital access", unit="share")
    assert chart.svg == ""
    assert chart.table.rows == (("All", "40.0%", "Reference", "Not rated"),)
    assert chart.summary == (
        "These data are not broken down by subgroup here. For All the value is 40.0%."
    )


# --- Peers -------------------------------------------------------------------------------


def test_peer_chart_emphasises_home_by_weight_and_shape():
    root = parse(peer_chart(PEERS, title="Debt", unit="share", direction="lower"))
    (home,) = by_class(root, "home")
    assert home.find("svg:text", NS).get("font-weight") == "bold"
    assert home.find("svg:polygon", NS) is not None  # diamond
    for row in by_class(root, "row"):
        if row is not home:
            assert row.find("svg:text", NS).get("font-weight") is None
            assert row.find("svg:polygon", NS) is None


def test_peer_chart_sorts_best_first_and_ranks_home():
    chart = peer_chart(
        PEERS, title="Debt", unit="share", direction="lower", benchmark=0.133, year=2023
    )
    assert [row[0] for row in chart.table.rows] == [
        "Peer B",
        "Home County (your community)",
        "Peer A",
        "Peer C",
        "National median",
    ]
    assert chart.summary == (
        "In 2023, Home County (14.2%) ranks 2 of 3 jurisdictions, where 1 is the best. "
        "It is above the national median (13.3%), which is worse here. Its 95% confidence "
        "interval includes the median, so the difference may not be real."
    )
    assert by_class(parse(chart), "reference-label")[0].text == "National median: 13.3%"


def test_peer_chart_marks_weak_peer_in_words():
    root = parse(peer_chart(PEERS, title="Debt", unit="share"))
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "Weak" in texts


# --- Gap ---------------------------------------------------------------------------------


def test_gap_chart_summary_and_table():
    chart = gap_chart(
        HS_BLACK, HS_ALL, title="HS gap", unit="share", subgroup_label="Black", direction="higher"
    )
    assert chart.summary == (
        "The gap between Black and All narrowed from 13 percentage points in 2014 to 8 "
        "percentage points in 2023. In 2023, Black was 8 percentage points below All "
        "(higher is better)."
    )
    assert chart.table.rows[0] == ("2014", "61.0%", "74.0%", "\u221213 percentage points", "Strong")
    assert chart.table.rows[2][-1] == "Weak"  # the worse of the two flags
    root = parse(chart)
    assert len(by_class(root, "zero")) == 1
    assert len(by_class(root, "weak")) == 1


def test_gap_chart_widening_and_side_change():
    wide = points((2014, 0.70), (2015, 0.60))
    whole = points((2014, 0.72), (2015, 0.72))
    text = gap_chart(wide, whole, title="G", unit="share", subgroup_label="B").summary
    assert text.startswith("The gap between B and All widened from 2 percentage points")
    flip = points((2014, 0.70), (2015, 0.75))
    text = gap_chart(flip, whole, title="G", unit="share", subgroup_label="B").summary
    assert text.startswith("The gap between B and All changed sides")


def test_gap_chart_skips_years_missing_on_either_side():
    whole = points((2014, 100.0), (2015, 110.0), (2016, 120.0))
    sub = points((2014, 80.0), (2016, 90.0))
    chart = gap_chart(sub, whole, title="G", unit="per_100k", subgroup_label="B")
    assert chart.table.rows[1] == ("2015", "No data", "110 per 100,000", "No data", "No data")
    root = parse(chart)
    assert not by_class(root, "line")  # 2014 and 2016 are not joined across the missing 2015
    assert len(by_class(root, "point")) == 2


# --- Formatting --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0.523, "share", "52.3%"),
        (48200.4, "dollars", "$48,200"),
        (-1200, "dollars", "\u2212$1,200"),
        (312.44, "per_100k", "312 per 100,000"),
        (45.26, "per_100k", "45.3 per 100,000"),
        (12.5, "per_10k", "12.5 per 10,000"),
        (1.2034, "ratio", "1.20"),
        (45.0, "index", "45"),
        (1234, "count", "1,234"),
        (None, "share", "No data"),
        (float("nan"), "dollars", "No data"),
        ("0.119:0.246", "share", "11.9% : 24.6%"),
        ("20.8%:27.5%", "share", "20.8% : 27.5%"),
        ("2235:1", "ratio", "2,235 : 1"),
    ],
)
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected


def test_format_value_short_and_delta():
    assert format_value(61000, "dollars", short=True) == "$61k"
    assert format_value(150000, "per_100k", short=True) == "150k"
    assert format_delta(-0.084, "share") == "\u22128.4 percentage points"
    assert format_delta(1500, "dollars") == "+$1,500"


def test_unknown_unit_is_an_error():
    with pytest.raises(ValueError, match="Unknown unit"):
        format_value(1, "furlongs")


def test_ticks_cover_the_data_with_round_labels():
    ticks = nice_ticks(0.031, 0.487)
    assert ticks[0] <= 0.031 and ticks[-1] >= 0.487
    assert format_ticks(ticks, "share") == ["0%", "10%", "20%", "30%", "40%", "50%"]
    assert format_ticks(nice_ticks(40000, 70000), "dollars")[-1] == "$70k"
    assert format_ticks([-0.1, 0, 0.1], "share", delta=True) == ["\u221210", "0", "+10"]


# --- Inputs from models and pandas ------------------------------------------------------
def test_decimal_values_and_digit_quality_flags_are_read():
    from decimal import Decimal

    series = [
        {"year": "2014", "value": Decimal("0.61"), "lb": "0.58", "ub": "0.64", "quality": "1"},
        {"year": 2016, "value": Decimal("0.66"), "quality": 3.0},
    ]
    chart = trend_chart(series, title="HS degree", unit="share")
    assert chart.table.rows == (
        ("2014", "61.0%", "58.0% to 64.0%", "Strong"),
        ("2016", "66.0%", "No data", "Weak"),
    )


def test_points_can_be_objects_with_attributes():
    class MetricValue:
        def __init__(self, year, value):
            self.year, self.value, self.lb, self.ub, self.quality = year, value, None, None, None

    chart = trend_chart([MetricValue(2021, 3.5), MetricValue(2022, 4.0)], title="R", unit="ratio")
    assert chart.table.rows[1] == ("2022", "4.00", "Not rated")


def test_parity_metrics_read_as_closer_to_or_further_from_parity():
    closer = summary([0.6, 0.9], direction="parity", unit="ratio", title="Wealth ratio")
    assert closer == "Wealth ratio rose from 0.60 in 2014 to 0.90 in 2015, closer to parity."
    further = summary([1.1, 1.5], direction="parity", unit="ratio", title="Wealth ratio")
    assert further.endswith("further from parity.")


def test_chart_renders_itself_in_django_templates():
    chart = trend_chart(INCOME, title="Income", unit="dollars")
    assert chart.__html__() == chart.svg == str(chart)


def test_summary_reads_change_only_after_a_series_break():
    series = points((2019, 60.0), (2020, 62.0), (2021, 64.0), (2022, 50.0), (2023, 48.0))
    chart = trend_chart(series, title="Deaths", unit="per_100k", direction="lower", breaks=[2022])
    assert chart.summary == (
        "Deaths fell from 50.0 per 100,000 in 2022 to 48.0 per 100,000 in 2023, a change for "
        "the better. Values before 2022 are not comparable because the series breaks."
    )


def test_summary_warns_when_the_interval_includes_the_median():
    series = points((2022, 0.80, 0.78, 0.82), (2023, 0.83, 0.81, 0.85))
    chart = trend_chart(
        series, title="Employment", unit="share", direction="higher", benchmark=0.82
    )
    assert chart.summary.endswith(
        "In 2023 it was above the national median (82.0%), which is better here. In 2023 its "
        "95% confidence interval includes the median, so the difference may not be real."
    )
    clear = trend_chart(series, title="Employment", unit="share", benchmark=0.70).summary
    assert "may not be real" not in clear


def test_benchmark_reading_after_a_break_starts_at_the_break():
    series = points((2020, 80.0), (2021, 82.0), (2022, 75.0), (2023, 76.0))
    chart = trend_chart(series, title="D", unit="per_100k", benchmark=70.0, breaks=[2022])
    assert chart.summary.endswith("It has been above the national median since 2022.")
