from __future__ import annotations

import datetime as dt

import pytest

from coalitions.models import Role
from plans.map import services as map_services
from tests.factories import CoalitionFactory, MembershipFactory


@pytest.fixture
def team(db):
    """A coalition with one person per role that matters here."""
    coalition = CoalitionFactory()
    return {role: MembershipFactory(coalition=coalition, role=role) for role in Role.values}


@pytest.fixture
def coalition(team):
    return team["project_manager"].coalition


@pytest.fixture
def pm(team):
    return team["project_manager"]


@pytest.fixture
def member(team):
    return team["member"]


@pytest.fixture
def plan(coalition, pm):
    """A priority with a goal and two actions (one with milestones), frozen as version 1."""
    area = map_services.priority_area_save(actor=pm, name="Jobs", pillar="rewarding-work")
    wage = map_services.strategic_action_save(
        actor=pm,
        fields={
            "title": "Living wage ordinance",
            "priority_area": area,
            "lead_organisation": "City Workforce Office",
            "start_date": dt.date(2025, 1, 1),
            "end_date": dt.date(2028, 12, 31),
        },
        elements={"output": "Ordinance adopted", "outcome_long": "Higher incomes"},
        milestones=[
            {"title": "Draft ordinance", "due_date": dt.date(2025, 6, 30)},
            {"title": "Council vote", "due_date": dt.date(2027, 3, 31)},
        ],
    )
    transit = map_services.strategic_action_save(
        actor=pm,
        fields={"title": "Night buses", "priority_area": area},
        elements={"output": "Routes running"},
    )
    goal = map_services.headline_goal_save(
        actor=pm,
        priority_area=area,
        metric_variable="share_employed",
        baseline="71%",
        baseline_date=dt.date(2023, 12, 31),
        target="75%",
        target_date=dt.date(2030, 12, 31),
    )
    version = map_services.map_version_freeze(actor=pm, override_reason="For the tests.")
    return {"area": area, "wage": wage, "transit": transit, "goal": goal, "version": version}
