"""Template pieces of values over time that other apps' pages show (the dashboard notice)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from metrics.charts.formatting import display_unit, format_value
from metrics.quality import quality_label
from plans.tracking import selectors
from plans.tracking.periods import period_label

register = template.Library()


def _change_text(item: dict[str, Any]) -> str:
    unit = display_unit(item.get("unit") or "number")
    new = format_value(item["new"], unit)
    if item["change"] == "new":
        return _("new value: %(new)s") % {"new": new}
    if item["change"] == "revised":
        return _("revised from %(old)s to %(new)s") % {
            "old": format_value(item["old"], unit),
            "new": new,
        }
    return _("%(new)s; data quality changed from %(old)s to %(now)s") % {
        "new": new,
        "old": quality_label(item.get("old_quality")),
        "now": quality_label(item.get("new_quality")),
    }


def change_rows(change: Any, coalition_id: int, limit: int = 12) -> list[dict[str, str]]:
    rows = []
    for item in change.items[:limit]:
        name = "tracking:goal" if item["owner"] == "goal" else "tracking:measure"
        rows.append(
            {
                "label": item["label"],
                "url": reverse(name, args=[coalition_id, item["id"]]),
                "period": period_label(item["period"]),
                "subgroup": item.get("subgroup") or "",
                "text": _change_text(item),
            }
        )
    return rows


@register.inclusion_tag("plans/tracking/_release_changes.html", takes_context=True)
def release_changes_notice(context: template.Context, coalition: Any) -> dict[str, Any]:
    """The "what changed" notices of metric releases the coalition has not dismissed."""
    changes = selectors.release_changes_open(coalition)
    return {
        "coalition": coalition,
        "csrf_token": context.get("csrf_token"),
        "request_path": getattr(context.get("request"), "path", ""),
        "notices": [
            {"change": c, "rows": change_rows(c, coalition.pk), "more": max(0, len(c.items) - 12)}
            for c in changes
        ],
    }


@register.filter(name="date_words")
def date_words_filter(value: object) -> str:
    """A date in words in the reader's language ("December 4, 2026")."""
    from plans.map.blocks import date_words

    return date_words(value)  # type: ignore[arg-type]
