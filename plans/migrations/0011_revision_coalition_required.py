import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Separate from 0009 so PostgreSQL does not alter the table with the fill's updates pending.
    dependencies = [
        ('plans', '0010_revision_coalescing'),
    ]

    operations = [
        migrations.AlterField(
            model_name="revision",
            name="coalition",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="coalitions.coalition",
            ),
        ),
    ]
