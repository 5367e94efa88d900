import pytest

from coalitions.models import Role
from tests.factories import MembershipFactory


@pytest.fixture
def pm(db):
    """A project manager of a fresh coalition."""
    return MembershipFactory(role=Role.PROJECT_MANAGER)


@pytest.fixture
def pm_client(client, pm):
    client.force_login(pm.user)
    return client


@pytest.fixture
def pm_api(api_client, pm):
    api_client.force_authenticate(pm.user)
    return api_client
