from django.db import migrations

from metrics.loaders import catalog_store


def load(apps, schema_editor):
    catalog_store(
        pillar_model=apps.get_model("metrics", "Pillar"),
        predictor_model=apps.get_model("metrics", "Predictor"),
        metric_model=apps.get_model("metrics", "Metric"),
    )
    apps.get_model("metrics", "Subgroup").objects.get_or_create(subgroup_type="all", name="All")


class Migration(migrations.Migration):
    dependencies = [("metrics", "0003_catalog_releases_observations")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
