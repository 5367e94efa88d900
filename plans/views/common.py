"""What every workspace page needs: the page context and the worksheet rules."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from coalitions.models import Coalition, Membership
from plans import definitions, selectors
from plans.content import Worksheet
from plans.forms import Context
from plans.permissions import may_edit_worksheet


def worksheet_or_404(key: str) -> Worksheet:
    try:
        return definitions.worksheet(key)
    except KeyError:
        raise Http404("No such worksheet") from None


def step_or_404(number: int) -> Any:
    try:
        return definitions.step(number)
    except KeyError:
        raise Http404("No such step") from None


def form_context(coalition: Coalition, ws: Worksheet, errors: dict) -> Context:
    members = list(coalition.memberships.select_related("user"))
    return Context(
        names=selectors.member_names(coalition),
        members=[(str(m.pk), m.user.display_name) for m in members],
        organisations=sorted({m.organisation for m in members if m.organisation}),
        errors=errors,
        computed=lambda f: selectors.computed_text(coalition, ws, f),
        metric=lambda v: selectors.metric_value_for_coalition(coalition, v),
        prefill=lambda f, record: (
            selectors.theory_of_change_text(record)
            if f.prefill == "theory_of_change_statement"
            else ""
        ),
    )


def conflict_session_key(coalition: Coalition, ws: Worksheet, owner: Membership | None) -> str:
    return f"conflict:{coalition.pk}:{ws.key}:{owner.pk if owner else 0}"


def response_owner(ws: Worksheet, membership: Membership) -> Membership | None:
    return membership if ws.filled_by.mode == "individual" else None


def blocked_reason(coalition: Coalition, ws: Worksheet, membership: Membership) -> str:
    """Why the page shows the worksheet read-only ("" when the member may fill it).

    Only what the page shows: the services refuse the same cases on their own."""
    if not may_edit_worksheet(membership, ws):
        return _("Your role can read this worksheet but not change it.")
    setting = definitions.sharing_setting(ws)
    if setting and selectors.sharing_mode(coalition, ws) is None:
        return _(
            "The data lead has not yet said how answers will be shared. You can start once "
            "they have (Worksheet %(n)s)."
        ) % {"n": setting[0].number}
    return ""
