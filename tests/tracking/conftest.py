from __future__ import annotations

import datetime as dt

import pytest

from coalitions.models import Role
from plans.map.models import HeadlineGoal, Measure, PriorityArea
from plans.tracking.models import TrackedValue
from tests.factories import CoalitionFactory, MembershipFactory

TODAY = dt.date(2026, 12, 4)


@pytest.fixture
def team(db):
    """A coalition with one person per role."""
    coalition = CoalitionFactory()
    return {role.value: MembershipFactory(coalition=coalition, role=role.value) for role in Role}


@pytest.fixture
def coalition(team):
    return team["project_manager"].coalition


@pytest.fixture
def member(team):
    return team["member"]


def make_measure(coalition, **fields) -> Measure:
    defaults = {
        "element_kind": "outcome_short",
        "element_text": "More people reach jobs by bus",
        "measure": "Share of residents within 30 minutes of jobs by transit",
        "unit": "share",
        "baseline": "40%",
        "baseline_value": 0.40,
        "baseline_date": dt.date(2022, 12, 31),
        "target": "60%",
        "target_value": 0.60,
        "target_date": dt.date(2030, 12, 31),
        "frequency": "annual",
    }
    return Measure.objects.create(coalition=coalition, **{**defaults, **fields})


def make_goal(coalition, **fields) -> HeadlineGoal:
    area = PriorityArea.objects.create(coalition=coalition, name="Transit")
    defaults = {
        "indicator": "Households with a car",
        "unit": "share",
        "baseline_value": 0.80,
        "baseline_date": dt.date(2020, 12, 31),
        "target_value": 0.90,
        "target_date": dt.date(2030, 12, 31),
    }
    return HeadlineGoal.objects.create(
        coalition=coalition, priority_area=area, **{**defaults, **fields}
    )


def add_value(owner, period: str, value: float, subgroup: str = "", **fields) -> TrackedValue:
    from plans.tracking.periods import period_parse

    p = period_parse(period)
    key = "goal" if isinstance(owner, HeadlineGoal) else "measure"
    return TrackedValue.objects.create(
        coalition_id=owner.coalition_id,
        **{key: owner},
        period=p.key,
        date=p.date,
        subgroup=subgroup,
        value=value,
        **fields,
    )


@pytest.fixture
def measure(coalition):
    return make_measure(coalition, subgroups=["Black", "Hispanic"])
