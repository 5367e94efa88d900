import importlib

import pytest
from django.apps import apps

from metrics import services
from metrics.models import Geography


@pytest.fixture
def reference_data(transactional_db):
    """Geographies and the catalog, which transactional tests empty with every table."""
    if not Geography.objects.exists():
        importlib.import_module("metrics.migrations.0002_load_geographies").load(apps, None)
    services.catalog_sync()
