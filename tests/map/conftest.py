from __future__ import annotations

import pytest

from tests.factories import CoalitionFactory, MembershipFactory


@pytest.fixture
def team(db):
    """A coalition with one person per role that matters here."""
    coalition = CoalitionFactory()
    return {
        role: MembershipFactory(coalition=coalition, role=role)
        for role in ("viewer", "member", "data_lead", "project_manager")
    }


@pytest.fixture
def coalition(team):
    return team["project_manager"].coalition


@pytest.fixture
def pm_user(team):
    return team["project_manager"].user


@pytest.fixture
def pm(team):
    """The project manager's membership: the actor of the services."""
    return team["project_manager"]
