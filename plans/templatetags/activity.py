"""``{% activity_sentence item url %}``: a line of recent activity as one translated sentence."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from accounts.people import person_name
from plans.selectors import Activity

register = template.Library()


@register.simple_tag
def activity_sentence(item: Activity, url: str) -> SafeString:
    if item.kind == "commented":
        text = ngettext(
            "%(who)s commented on %(worksheet)s",
            "%(who)s commented on %(worksheet)s (%(count)s times)",
            item.count,
        )
    else:
        text = ngettext(
            "%(who)s saved %(worksheet)s",
            "%(who)s saved %(worksheet)s (%(count)s times)",
            item.count,
        )
    link = format_html('<a href="{}">{} {}</a>', url, item.worksheet.number, item.worksheet.title)
    # The sentence is escaped first; the name and the link are escaped by themselves.
    return mark_safe(  # noqa: S308
        conditional_escape(text)
        % {"who": conditional_escape(person_name(item.who)), "worksheet": link, "count": item.count}
    )
