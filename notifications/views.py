from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from notifications import services
from notifications.forms import NotificationPreferencesForm
from plans.models import NotificationKind


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = NotificationPreferencesForm(
        request.POST or None, initial_choices=services.notification_preferences(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_save(user=user, choices=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your notification choices are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# The link works signed out and from mail clients (RFC 8058 one-click POSTs carry no CSRF
# token): the signed token is the credential. A GET only asks, since link checkers open links.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            user, kinds = services.unsubscribe(token=token)
        else:
            user, kinds = services.unsubscribe_read(token)
    except services.UnsubscribeError as exc:
        return render(request, "notifications/unsubscribe.html", {"error": str(exc)}, status=400)
    context = {
        "done": request.method == "POST",
        "email": user.email,
        "labels": [NotificationKind(k).label for k in kinds],
    }
    # Signed out, the page speaks the language the person's emails are written in.
    with translation.override(user.language or translation.get_language()):
        return render(request, "notifications/unsubscribe.html", context)
