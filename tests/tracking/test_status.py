"""The status rule: on track, off track, no recent data, no target; the gap's own status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from plans.tracking.models import TrackedValue
from plans.tracking.status import Status, goal_statuses, measure_statuses
from tests.tracking.conftest import TODAY, add_value, make_goal, make_measure


def status_of(measure):
    return measure_statuses(measure.coalition, today=TODAY)[measure.pk]


def test_value_ahead_of_the_straight_path_is_on_track(measure):
    # path from 40% (end 2022) to 60% (end 2030): 45% at the end of 2024
    add_value(measure, "2023", 0.41)
    add_value(measure, "2024", 0.46)
    found = status_of(measure)
    assert found.status == Status.ON_TRACK
    assert found.status_label == "On track"
    assert found.latest_value == 0.46 and found.latest_date == dt.date(2024, 12, 31)
    assert found.latest_text == "46.0%"
    assert found.expected_value == pytest.approx(0.45, abs=0.001)
    assert found.series_url == f"/coalitions/{measure.coalition_id}/tracking/measures/{measure.pk}/"


def test_value_behind_the_path_is_off_track(measure):
    add_value(measure, "2024", 0.43)
    assert status_of(measure).status == Status.OFF_TRACK


def test_a_falling_target_is_on_track_when_below_the_path(coalition):
    m = make_measure(coalition, baseline_value=100, target_value=50, unit="number")
    add_value(m, "2024", 80)  # path: 87.5 at the end of 2024
    assert status_of(m).status == Status.ON_TRACK
    add_value(m, "2025", 95)
    assert status_of(m).status == Status.OFF_TRACK


def test_old_values_are_no_recent_data_by_frequency(coalition):
    yearly = make_measure(coalition, frequency="annual")
    add_value(yearly, "2022", 0.5)  # four years before TODAY
    assert status_of(yearly).status == Status.NO_RECENT_DATA
    monthly = make_measure(coalition, frequency="monthly")
    add_value(monthly, "2026-06", 0.5)
    assert status_of(monthly).status == Status.NO_RECENT_DATA
    add_value(monthly, "2026-10", 0.5)
    assert status_of(monthly).status == Status.ON_TRACK


def test_no_values_is_no_recent_data(measure):
    found = status_of(measure)
    assert found.status == Status.NO_RECENT_DATA and found.latest_text == ""


def test_text_target_means_no_target_but_the_latest_value_shows(coalition):
    m = make_measure(coalition, target="about half", target_value=None)
    add_value(m, "2025", 0.5)
    found = status_of(m)
    assert found.status == Status.NO_TARGET and found.latest_text == "50.0%"


def test_subgroup_values_do_not_count_as_the_latest_value(measure):
    add_value(measure, "2024", 0.46)
    add_value(measure, "2025", 0.10, subgroup="Black")
    assert status_of(measure).latest_value == 0.46


def test_gap_target_has_its_own_status(coalition):
    m = make_measure(coalition, gap_subgroup="Black", gap_reduction_percent=50)
    # gap at baseline: 30% - 40% = -10 points; target: -5 points by 2030; path at 2024: -8.75
    add_value(m, "2022", 0.40)
    add_value(m, "2022", 0.30, subgroup="Black")
    add_value(m, "2024", 0.46)
    add_value(m, "2024", 0.38, subgroup="Black")  # gap -8 points: closing faster than the path
    found = status_of(m)
    assert found.gap_status == Status.ON_TRACK and found.latest_gap == pytest.approx(-0.08)
    add_value(m, "2025", 0.50)
    add_value(m, "2025", 0.39, subgroup="Black")  # gap -11 points: wider than at baseline
    assert status_of(m).gap_status == Status.OFF_TRACK


def test_no_gap_target_no_gap_status(measure):
    add_value(measure, "2024", 0.46)
    assert status_of(measure).gap_status == ""


def test_goal_statuses_follow_the_same_rule(coalition):
    goal = make_goal(coalition, subgroup="Hispanic", gap_target=-0.02)
    add_value(goal, "2020", 0.80)
    add_value(goal, "2020", 0.70, subgroup="Hispanic")
    add_value(goal, "2024", 0.86)  # path at the end of 2024: 0.84
    add_value(goal, "2024", 0.75, subgroup="Hispanic")  # gap -0.11, path -0.068
    found = goal_statuses(coalition, today=TODAY)[goal.pk]
    assert found.status == Status.ON_TRACK
    assert found.gap_status == Status.OFF_TRACK
    assert found.series_url.endswith(f"/tracking/goals/{goal.pk}/")


def test_statuses_take_a_constant_number_of_queries(coalition):
    measures = [make_measure(coalition) for _ in range(200)]
    TrackedValue.objects.bulk_create(
        TrackedValue(
            coalition=coalition,
            measure=m,
            period=str(year),
            date=dt.date(year, 12, 31),
            value=0.4 + (year - 2015) / 100,
        )
        for m in measures
        for year in range(2015, 2025)
    )
    with CaptureQueriesContext(connection) as ctx:
        found = measure_statuses(coalition, today=TODAY)
    assert len(found) == 200 and len(ctx.captured_queries) <= 3
    assert found[measures[0].pk].latest_value == pytest.approx(0.49)
    with CaptureQueriesContext(connection) as ctx:
        goal_statuses(coalition, today=TODAY)
    assert len(ctx.captured_queries) <= 3


def test_a_value_belongs_to_a_measure_or_a_goal_not_both(measure):
    goal = make_goal(measure.coalition)
    with pytest.raises(IntegrityError):
        TrackedValue.objects.create(
            coalition=measure.coalition,
            measure=measure,
            goal=goal,
            period="2024",
            date=dt.date(2024, 12, 31),
            value=1,
        )


def test_the_path_between_whole_numbers_reads_in_whole_numbers():
    from plans.tracking.status import Target, path_text

    whole = Target(12000.0, dt.date(2022, 12, 31), 20000.0, dt.date(2027, 12, 31))
    assert path_text(16503.08, whole, "number") == "16,503"
    assert path_text(16503.08, Target(12000.5, None, 20000.0, None), "number") == "16,503.08"
    # A share is a fraction: 0 to 1 is 0% to 100%, never rounded to a whole fraction.
    assert path_text(0.4, Target(0.0, None, 1.0, None), "share") == "40.0%"
    assert path_text(None, whole, "number") == ""
