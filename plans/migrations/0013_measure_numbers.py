"""Give every measure numbers behind its text baseline and target (issue 14).

Text that reads as a number in the measure's unit becomes ``baseline_value`` /
``target_value``; text that does not ("about half") stays as written, with no number, and
pages keep showing it.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from metrics.charts.formatting import display_unit
    from plans.tracking.periods import number_from_text, unit_guess

    Measure = apps.get_model("plans", "Measure")
    Metric = apps.get_model("metrics", "Metric")
    units = dict(Metric.objects.values_list("variable", "unit"))
    for measure in Measure.objects.all().iterator():
        if measure.metric_variable and measure.metric_variable in units:
            unit = display_unit(units[measure.metric_variable])
        else:
            unit = unit_guess(measure.baseline or measure.target)
        measure.unit = unit
        measure.baseline_value = number_from_text(measure.baseline, unit)
        measure.target_value = number_from_text(measure.target, unit)
        measure.save(update_fields=["unit", "baseline_value", "target_value"])


class Migration(migrations.Migration):
    dependencies = [
        ('plans', '0012_tracking_values'),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
