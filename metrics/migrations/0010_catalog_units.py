"""Store the audited units and wording of the catalog (issue 13) in existing installations.

Affordable housing became ``per_100_households`` and economic connectedness ``ratio``; a new
database gets them from 0004, an existing one from here. Reads the catalog file as it is now.
"""

from django.db import migrations

from metrics.loaders import catalog_store


def sync(apps, schema_editor):
    catalog_store(
        pillar_model=apps.get_model("metrics", "Pillar"),
        predictor_model=apps.get_model("metrics", "Predictor"),
        metric_model=apps.get_model("metrics", "Metric"),
    )


class Migration(migrations.Migration):
    dependencies = [("metrics", "0009_metricnote_gap")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
