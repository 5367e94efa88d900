"""The data lead's compilation, and the whole workspace as one file."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coalitions.models import Coalition, Membership
from coalitions.permissions import Can
from coalitions.web import coalition_page_context, coalition_view
from plans import definitions, selectors, services, transfer
from plans.forms import (
    ImportForm,
)
from plans.views.common import worksheet_or_404

# --- compilation ------------------------------------------------------------------------------


@coalition_view(Can.MANAGE_DATA)
@require_http_methods(["GET", "POST"])
def compilation(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = worksheet_or_404(key)
    if ws.filled_by.mode != "individual" or not ws.filled_by.compiled_in:
        raise Http404("This worksheet is not compiled")
    target = definitions.worksheet(ws.filled_by.compiled_in)
    tables = [f for f in target.fields if f.type == "table" and not f.fixed_rows]
    if request.method == "POST":
        points = []
        for value in request.POST.getlist("point"):
            response_id, _sep, field_key = value.partition(":")
            if response_id.isdigit():
                points.append((int(response_id), field_key))
        try:
            result = services.compilation_copy(
                actor=membership,
                worksheet_key=ws.key,
                points=points,
                target_field=request.POST.get("target", ""),
            )
            if result.errors:
                messages.warning(request, " ".join(m for v in result.errors.values() for m in v))
            else:
                messages.success(
                    request,
                    _("Copied %(n)s points into Worksheet %(ws)s.")
                    % {"n": len(points), "ws": target.number},
                )
        except (ValidationError, KeyError) as exc:
            text = exc.messages if isinstance(exc, ValidationError) else [_("Unknown answer.")]
            messages.error(request, " ".join(text))
        return redirect("plans:compilation", coalition.pk, ws.key)
    return render(
        request,
        "plans/compilation.html",
        coalition_page_context(
            coalition,
            membership,
            ws=ws,
            target=target,
            tables=tables,
            compiled=selectors.compilation(coalition, ws),
            sharing=selectors.sharing_label(coalition, ws, for_lead=True),
        ),
    )


# --- whole workspace ----------------------------------------------------------------------------


@coalition_view(Can.RUN)
@require_GET
def workspace_export(request: HttpRequest, coalition: Coalition, membership: Membership):
    payload = transfer.workspace_export(actor=membership)
    out = JsonResponse(payload, json_dumps_params={"indent": 1, "ensure_ascii": False})
    stamp = timezone.localdate().isoformat()
    out["Content-Disposition"] = (
        f'attachment; filename="{slugify(coalition.name)}-workspace-{stamp}.json"'
    )
    return out


@coalition_view(Can.RUN)
@require_http_methods(["GET", "POST"])
def workspace_import(request: HttpRequest, coalition: Coalition, membership: Membership):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            payload = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
            counts = transfer.workspace_import(actor=membership, payload=payload)
            messages.success(
                request,
                _("Imported %(n)s worksheet answers.") % {"n": counts["responses"]},
            )
            if counts["authors_not_members"]:
                messages.warning(
                    request,
                    _(
                        "These authors in the file are not members of this coalition, so "
                        "their work is shown as by a former member: %(emails)s"
                    )
                    % {"emails": ", ".join(counts["authors_not_members"][:50])},
                )
            return redirect("plans:steps", coalition.pk)
        except (UnicodeDecodeError, json.JSONDecodeError):
            form.add_error("file", _("This file is not a workspace export (not JSON)."))
        except ValidationError as exc:
            form.add_error("file", exc)
    return render(
        request, "plans/import.html", coalition_page_context(coalition, membership, form=form)
    )
