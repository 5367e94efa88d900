"""A goal on a trend chart and a gap target on a gap chart: drawn, said and tabled."""

from __future__ import annotations

from metrics.charts import gap_chart, trend_chart

POINTS = [{"year": y, "value": v} for y, v in ((2019, 0.70), (2021, 0.71), (2023, 0.72))]
TARGET = {"baseline_year": 2023, "baseline": 0.72, "year": 2030, "value": 0.75}


def test_a_goal_is_drawn_from_its_baseline_to_its_target_with_words_and_a_row():
    chart = trend_chart(POINTS, title="Employed", unit="share", target=TARGET)
    assert 'class="goal-path"' in chart.svg and "Target 2030: 75.0%" in chart.svg
    assert "Path to the target" in chart.svg  # the legend
    assert ">2030<" in chart.svg  # the year axis reaches the target year
    assert "The goal is 75.0% by 2030, from 72.0% in 2023." in chart.summary
    assert chart.table.rows[-1][:2] == ("2030", "Target: 75.0%")
    assert all(len(row) == len(chart.table.headers) for row in chart.table.rows)


def test_without_a_target_nothing_of_a_goal_is_drawn():
    chart = trend_chart(POINTS, title="Employed", unit="share")
    assert "goal" not in chart.svg and "Target" not in chart.summary
    assert chart.table.rows[-1][0] == "2023"


def test_a_text_ratio_goal_reads_as_a_ratio():
    target = {"baseline_year": 2023, "baseline": 0.48, "year": 2030, "value": 0.8}
    points = [{"year": 2023, "value": 0.48}]
    chart = trend_chart(points, title="Wealth ratio", unit="text_ratio", target=target)
    assert "The goal is 0.80 : 1 by 2030" in chart.summary


def test_a_gap_target_starts_at_the_latest_gap():
    group = [{"year": p["year"], "value": p["value"] - 0.08} for p in POINTS]
    chart = gap_chart(
        group,
        POINTS,
        title="Employed",
        unit="share",
        subgroup_label="Hispanic",
        target={"year": 2030, "value": -0.03},
    )
    assert "Target 2030: \u22123 pts" in chart.svg
    assert "The gap target is \u22123 percentage points by 2030." in chart.summary
    assert chart.table.rows[-1][0] == "2030"
