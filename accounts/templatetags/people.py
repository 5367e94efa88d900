from typing import Any

from django import template

from accounts.people import person_name

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """``{{ comment.author|person }}``: the name, or "Former member" for a deleted account."""
    return person_name(user)
