from __future__ import annotations

import pytest

from coalitions.models import Role
from tests.factories import CoalitionFactory, MembershipFactory


@pytest.fixture
def team(db):
    coalition = CoalitionFactory(name="Doña Ana Mobility")
    return {
        "coalition": coalition,
        "pm": MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat"),
        "dl": MembershipFactory(coalition=coalition, role=Role.DATA_LEAD, user__name="Dee Lead"),
        "m1": MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Ann Lee"),
    }
