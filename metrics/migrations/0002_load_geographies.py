import csv
from pathlib import Path

from django.db import migrations

GEOGRAPHIES_CSV = Path(__file__).resolve().parent.parent / "data" / "geographies.csv"


def load(apps, schema_editor):
    Geography = apps.get_model("metrics", "Geography")
    with GEOGRAPHIES_CSV.open(encoding="utf-8", newline="") as f:
        rows = [
            Geography(
                kind=r["kind"],
                fips=r["fips"],
                state_fips=r["state_fips"],
                state_name=r["state_name"],
                name=r["name"],
                first_year=int(r["first_year"]) if r["first_year"] else None,
                last_year=int(r["last_year"]) if r["last_year"] else None,
            )
            for r in csv.DictReader(f)
        ]
    existing = set(Geography.objects.values_list("fips", flat=True))
    Geography.objects.bulk_create([g for g in rows if g.fips not in existing], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
