"""The database cache's table (attempt limits in the embedded mode).

Runs `createcachetable`, which creates the table of every DatabaseCache in CACHES and does
nothing when the cache is Redis, so the same migration serves both modes.
"""

from django.core.management import call_command
from django.db import migrations


def cache_table_create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(cache_table_create, migrations.RunPython.noop)]
