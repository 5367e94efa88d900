"""PostgreSQL: partition the observations by release (see metrics/partitions.py).

SQLite keeps its plain table; the model (and so Django's migration state) is unchanged.
"""

from django.db import migrations

from metrics import partitions


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not partitions.is_partitioned(cursor):
            partitions.partition_existing(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if partitions.is_partitioned(cursor):
            partitions.unpartition(cursor)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0005_profiles")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
