from django import template

from metrics.profiles.reading import Reading, display, number_text
from metrics.quality import quality_label

register = template.Library()


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key, "")


@register.simple_tag
def value_text(reading: Reading | None, unit: str) -> str:
    return display(reading, unit)


@register.simple_tag(name="number_text")
def number_text_tag(value: float | None, unit: str) -> str:
    return number_text(value, unit)


@register.simple_tag
def value_range(reading: Reading, unit: str) -> str:
    return f"{number_text(reading.lb, unit)} – {number_text(reading.ub, unit)}"


@register.filter(name="quality_label")
def quality_label_filter(code: int | None) -> str:
    return quality_label(code)
