from django import template

from coalitions.models import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    """The readable, translated name of a stored role code ('data_lead' → 'Data lead')."""
    try:
        return str(Role(value).label)
    except ValueError:
        return value
