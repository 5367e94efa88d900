"""The web layer every coalition page shares: the view decorator, the page context, form errors.

Every app's coalition pages import these names from here (never a private helper of another
app's views), so the navigation, the capability flags and the "My work" badge are the same on
every page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coalitions.models import Coalition, Membership
from coalitions.permissions import Can, get_coalition_for_user, role_allows


def coalition_view(can: Can = Can.VIEW) -> Callable:
    """Resolve the coalition of the URL through the access helper and pass it on.

    The view is called as ``view(request, coalition, membership, ...)``; the membership is also
    left on the request (``request.coalition_membership``) for context processors.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, pk: int, *args: object, **kwargs: object) -> HttpResponse:
            coalition, membership = get_coalition_for_user(request.user, pk, can=can)
            request.coalition_membership = membership  # type: ignore[attr-defined]
            if request.session.get("coalition_id") != coalition.pk:  # no write per page view
                request.session["coalition_id"] = coalition.pk
            return view(request, coalition, membership, *args, **kwargs)

        return wrapper

    return decorator


def capabilities(membership: Membership) -> dict[str, bool]:
    """What the member's role allows, as the template flags every coalition page uses."""
    return {f"can_{can.value}": role_allows(membership.role, can) for can in Can}


def coalition_page_context(
    coalition: Coalition, membership: Membership, **extra: Any
) -> dict[str, Any]:
    """The context of every coalition page: the coalition, the membership and its capabilities
    (``can_view``, ``can_contribute``, ``can_invite``, ``can_manage_data``, ``can_run``)."""
    return {"coalition": coalition, "membership": membership, **capabilities(membership), **extra}


def coalition_render(
    request: HttpRequest,
    template: str,
    coalition: Coalition,
    membership: Membership,
    **extra: Any,
) -> HttpResponse:
    """Render a coalition page (or partial) with ``coalition_page_context``."""
    return render(request, template, coalition_page_context(coalition, membership, **extra))


def message_save(request: HttpRequest, write: Callable[[], Any], success: str) -> bool:
    """Run a service for a form-less POST: its validation error, or ``success``, becomes a
    message for the next page. Returns whether it succeeded."""
    try:
        write()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


def form_add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's validation errors on the form: at their field when the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def form_save(form: forms.BaseForm, write: Callable[[], Any]) -> Any:
    """Run a service; on a validation error put it on the form and return None."""
    try:
        return write()
    except ValidationError as exc:
        form_add_errors(form, exc)
        return None
