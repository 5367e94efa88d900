from django import template

from metrics.charts import format_value
from metrics.profiles.reading import Reading, chart_unit, display
from metrics.quality import quality_label

register = template.Library()


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key, "")


@register.simple_tag
def value_text(reading: Reading | None, unit: str) -> str:
    return display(reading, unit)


@register.simple_tag
def number_text(value: float | None, unit: str) -> str:
    return format_value(value, chart_unit(unit))


@register.simple_tag
def value_range(reading: Reading, unit: str) -> str:
    u = chart_unit(unit)
    return f"{format_value(reading.lb, u)} – {format_value(reading.ub, u)}"


@register.filter(name="quality_label")
def quality_label_filter(code: int | None) -> str:
    return quality_label(code)
