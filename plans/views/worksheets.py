"""Worksheet pages: the form and its autosave, conflicts, history, exports, comments, files."""

from __future__ import annotations

import csv
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalitions.models import Coalition, Membership
from coalitions.permissions import Can
from coalitions.web import coalition_page_context, coalition_view
from metrics.profiles.models import NoteStep
from metrics.profiles.selectors import metric_notes
from plans import definitions, selectors, services
from plans.content import Worksheet
from plans.display import flat_columns, flat_rows, records_text, value_text
from plans.forms import (
    CommentForm,
    build_widgets,
    errors_by_name,
    parse_post,
    with_blank_rows,
)
from plans.implementation.selectors import early_win_rows
from plans.models import ResponseStatus, WorksheetFile
from plans.views.common import (
    blocked_reason,
    conflict_session_key,
    form_context,
    response_owner,
    worksheet_or_404,
)

# The latest comments a worksheet page shows; the rest are one link away.
COMMENTS_SHOWN = 20


def _store_upload(
    request: HttpRequest,
    membership: Membership,
    ws: Worksheet,
    f: Any,
    name: str,
    errors: dict[str, list[str]],
    stored: list[int],
) -> tuple[bool, Any]:
    """A file posted as ``name`` for field ``f``: (True, the new answer), or (False, None).

    Ticking "remove" answers None; a file too large or of the wrong kind is reported at
    ``name`` and the saved answer stays."""
    upload = request.FILES.get(name)
    if upload is not None:
        try:
            value = services.worksheet_file_store(
                actor=membership, worksheet_key=ws.key, field_key=f.key, upload=upload
            )
        except ValidationError as exc:
            errors[name] = list(exc.messages)
            return False, None
        stored.append(value["id"])
        return True, value
    if request.POST.get(f"{name}-clear") == "on":
        return True, None
    return False, None


def _upload_too_large(request: HttpRequest) -> str:
    """Why a save's request is refused before its body is read (empty when it is not).

    Read from the declared length, so a huge post is not spooled to disk first."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.WORKSHEET_SAVE_MAX_MB
    if length > limit * 1024 * 1024:
        return _(
            "Nothing was saved: the files sent with this save add up to more than %(mb)s MB. "
            "Add them a few at a time."
        ) % {"mb": limit}
    return ""


def _save_from_post(
    request: HttpRequest, coalition: Coalition, ws: Worksheet, membership: Membership
) -> tuple[services.SaveResult | None, dict, dict]:
    """Save a submitted form; returns (result or None on conflict, submitted data, errors).

    Files stored for this post that the saved answers do not name (a conflict, a refused
    save, an invalid answer) are removed at once."""
    stored: list[int] = []
    saved: dict = {}
    try:
        result, data, errors = _save_with_files(request, coalition, ws, membership, stored)
        if result is not None:
            saved = result.response.data
        return result, data, errors
    finally:
        if stored:
            services.worksheet_files_discard(actor=membership, file_ids=stored, keep=saved)


def _save_with_files(
    request: HttpRequest,
    coalition: Coalition,
    ws: Worksheet,
    membership: Membership,
    stored: list[int],
) -> tuple[services.SaveResult | None, dict, dict]:
    data = parse_post(ws, request.POST)
    errors: dict[str, list[str]] = {}
    if len(request.FILES) > settings.WORKSHEET_SAVE_MAX_FILES:
        # Store none of them rather than some: the person chooses which to send again.
        for name in request.FILES:
            errors[name] = [
                _("At most %(n)s files can be added in one save.")
                % {"n": settings.WORKSHEET_SAVE_MAX_FILES}
            ]
        request.FILES.clear()
    if not ws.repeats:
        for f in ws.fields:
            if f.type == "file":
                changed, value = _store_upload(request, membership, ws, f, f.key, errors, stored)
                if changed:
                    data[f.key] = value
    else:
        _record_files(request, coalition, ws, membership, data, errors, stored)
    try:
        base = int(request.POST.get("version", "0"))
    except ValueError:
        base = -1
    owner = response_owner(ws, membership)
    try:
        result = services.worksheet_response_save(
            actor=membership,
            worksheet_key=ws.key,
            data=data,
            base_version=base,
            owner=owner,
            editor=request.POST.get("editor", "")[:32],
        )
    except services.WorksheetConflict as conflict:
        request.session[conflict_session_key(coalition, ws, owner)] = {
            "data": conflict.attempted,
            "base": base,
        }
        return None, data, errors
    except ValidationError as exc:
        # Not open to this member yet (the sharing setting is not chosen): the page says why.
        raise PermissionDenied(" ".join(exc.messages)) from exc
    errors.update(errors_by_name(ws, result.errors))
    return result, data, errors


def _record_files(
    request: HttpRequest,
    coalition: Coalition,
    ws: Worksheet,
    membership: Membership,
    data: dict,
    errors: dict[str, list[str]],
    stored: list[int],
) -> None:
    """File fields of repeating worksheets: a new upload, a removal, or the saved file kept.

    The form posts records as r0, r1, …; a removed record is skipped, so the i-th record
    posted is the i-th record saved (uploads are never echoed back by browsers).
    """
    files = [f for f in ws.fields if f.type == "file"]
    if not files:
        return
    saved = selectors.response_for(coalition, ws, membership)
    previous = list((saved.data if saved else {}).get("records") or [])
    try:
        count = min(int(request.POST.get("records", "0")), 100)
    except ValueError:
        count = 0
    removed = request.POST.get("remove_record", "")
    kept = [i for i in range(count) if removed != str(i)]
    for record, i in zip(data.get("records", []), kept, strict=False):
        for f in files:
            name = f"r{i}-{f.key}"
            changed, value = _store_upload(request, membership, ws, f, name, errors, stored)
            if changed:
                record[f.key] = value
            elif name not in errors and i < len(previous) and previous[i].get(f.key):
                record[f.key] = previous[i][f.key]


def _linked_records(coalition: Coalition, ws: Worksheet) -> list[tuple[str, list[str]]]:
    links = {(x.links_to, x.key) for f in ws.fields for x in (f, *f.columns) if x.links_to}
    names: dict[str, list[str]] = {}
    for key, field_key in sorted(links):
        names.setdefault(key, selectors.record_names(coalition, key, prefer=field_key))
    return sorted(names.items())


def _has_metric(f: Any) -> bool:
    return f.type == "metric" or any(c.type == "metric" for c in f.columns)


@coalition_view(Can.VIEW)
@require_http_methods(["GET", "POST"])
def worksheet(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = worksheet_or_404(key)
    blocked = blocked_reason(coalition, ws, membership)
    response = selectors.response_for(coalition, ws, membership)
    data: dict = dict(response.data) if response else {}
    errors: dict[str, list[str]] = {}
    add_row = ""
    if request.method == "POST":
        too_much = _upload_too_large(request)
        if too_much:
            messages.error(request, too_much)
            return redirect("plans:worksheet", coalition.pk, ws.key)
        if "start_measures" in request.POST:
            try:
                services.measures_start(actor=membership)
                messages.success(request, _("One measure per element is ready for each action."))
            except (ValidationError, services.WorksheetConflict) as exc:
                text = exc.messages if isinstance(exc, ValidationError) else []
                messages.error(request, " ".join(text) or _("Someone saved meanwhile; try again."))
            return redirect("plans:worksheet", coalition.pk, ws.key)
        result, submitted, errors = _save_from_post(request, coalition, ws, membership)
        if result is None:
            return redirect("plans:worksheet_conflict", coalition.pk, ws.key)
        response = result.response
        add_row = request.POST.get("add_row", "")
        structural = add_row or "remove_row" in request.POST or "add_record" in request.POST
        if not errors and not structural:
            messages.success(request, _("Saved."))
            return redirect(reverse("plans:worksheet", args=[coalition.pk, ws.key]) + "#top")
        # Show what was typed, with the messages next to it; the valid part is already saved.
        # Answers superseded by records show what is saved, not what a stale form sent.
        kept = {f.key for f in ws.fields if f.superseded_by}
        submitted = {k: v for k, v in submitted.items() if k not in kept}
        data = {**response.data, **submitted} if errors else dict(response.data)
    printing = request.GET.get("print") == "1"
    read_only = bool(blocked) or printing
    shown = data if read_only else with_blank_rows(ws, data, add_row)
    ctx = form_context(coalition, ws, errors)
    records = build_widgets(ws, shown, ctx, prefill=not read_only)
    # Counts per question from one aggregate; the page shows the latest comments only, so a
    # worksheet with years of discussion stays light ("Show all" lists every one).
    per_field = selectors.comment_counts(coalition, ws.key)
    comment_total = sum(per_field.values())
    show_all = request.GET.get("comments") == "all"
    comments = selectors.latest_comments(
        coalition, ws.key, limit=None if show_all else COMMENTS_SHOWN
    )
    for rec in records:
        for w in rec["widgets"]:
            w.extra["comments"] = per_field.get(w.field.key, 0)
    return render(
        request,
        "plans/worksheet.html",
        coalition_page_context(
            coalition,
            membership,
            ws=ws,
            step=definitions.step(ws.step),
            response=response,
            version=response.version if response else 0,
            editor=secrets.token_hex(8),
            # Autosave leaves files out (one upload per Save, not one per keystroke).
            file_names=[f.key for f in ws.fields if f.type == "file"],
            records=records,
            about=request.GET.get("about", ""),
            sharing_at=ws.filled_by.sharing_setting.split(".", 1),
            offer_measures=(
                ws.role == "measures"
                and not read_only
                and not (response and response.data.get("records"))
                and bool(selectors.strategic_actions(coalition))
            ),
            offer_readiness=ws.role == "readiness",
            # The Early Wins Log's records (plans.implementation): shown and edited there.
            early_wins=(early_win_rows(coalition, limit=200) if ws.role == "early_wins" else None),
            # The annual review and the next cycle's candidates lead to their records.
            implementation_links=ws.role in ("annual_review", "next_cycle"),
            linked_records=[] if read_only else _linked_records(coalition, ws),
            metric_choices=(
                sorted(selectors.metric_catalog().items())
                if any(_has_metric(f) for f in ws.fields) and not read_only
                else []
            ),
            read_only=read_only,
            # Some worksheets hold only answers records took the place of: nothing to save.
            editable=not all(f.read_only for f in ws.fields),
            printing=printing,
            blocked=blocked,
            errors=errors,
            top_errors=errors.get("__all__", []),
            # Notes members pinned to metrics (Local conditions) feed Steps 2 and 5.
            metric_notes=(
                list(metric_notes(coalition).filter(step=ws.step)[:100])
                if ws.step in NoteStep.values
                else []
            ),
            organisations=ctx.organisations,
            comments=comments,
            comment_total=comment_total,
            comments_hidden=comment_total - len(comments),
            comments_shown=len(comments),
            comment_form=CommentForm(),
            handles=[
                (selectors.member_handle(m), m.user.display_name)
                for m in coalition.memberships.select_related("user")
            ],
            sharing=selectors.sharing_label(coalition, ws) if ws.filled_by.sharing_setting else "",
            status_label=ResponseStatus(response.status).label if response else _("Not started"),
            is_complete=bool(response and response.status == ResponseStatus.COMPLETE),
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def worksheet_autosave(
    request: HttpRequest, coalition: Coalition, membership: Membership, key: str
):
    """The HTMX autosave: saves what validates and answers with the save state."""
    ws = worksheet_or_404(key)
    too_much = _upload_too_large(request)
    if too_much:
        return HttpResponse(too_much, status=413, content_type="text/plain; charset=utf-8")
    result, _submitted, errors = _save_from_post(request, coalition, ws, membership)
    try:
        count = int(request.POST.get("records", "0")) if ws.repeats else 1
    except ValueError:
        count = 0
    prefixes = [f"r{i}-" for i in range(count)] if ws.repeats else [""]
    names = [p + f.key for p in prefixes for f in ws.fields if f.type != "guidance"]
    return render(
        request,
        "plans/_save_state.html",
        {
            "coalition": coalition,
            "ws": ws,
            "conflict": result is None,
            "version": result.response.version if result else request.POST.get("version", "0"),
            "saved_at": result.response.updated_at if result else None,
            "status": result.response.status if result and result.response.version else "",
            "status_label": result.response.get_status_display() if result else "",
            "errors": errors,
            "error_names": names,
        },
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def worksheet_mark(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = worksheet_or_404(key)
    complete = request.POST.get("complete") == "1"
    try:
        errors = services.worksheet_response_mark(
            actor=membership, worksheet_key=ws.key, complete=complete
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:worksheet", coalition.pk, ws.key)
    if errors:
        labels = []
        for k in errors:
            field_key = k.split(".")[-1]
            try:
                labels.append(ws.field(field_key).label)
            except KeyError:
                labels.append(" ".join(errors[k]))
        messages.error(
            request,
            _("Not marked complete. These answers are still needed: %(list)s")
            % {"list": "; ".join(labels)},
        )
    elif complete:
        messages.success(request, _("Marked complete."))
    else:
        messages.success(request, _("Back in progress."))
    return redirect("plans:worksheet", coalition.pk, ws.key)


def _three_way(
    ws: Worksheet, base: dict, theirs: dict, mine: dict, sent: set[str]
) -> tuple[dict, list[str]]:
    """Merge what does not clash; return the merged data and the keys both sides changed.

    ``sent`` holds the answers the person's form carried; an answer left out was not touched.
    """
    keys = ["records"] if ws.repeats else [f.key for f in ws.fields if f.type != "guidance"]
    merged, clashes = dict(theirs), []
    for k in keys:
        if k not in sent:
            continue
        b, t, m = base.get(k), theirs.get(k), mine.get(k)
        if m in (t, b):
            continue
        if t == b:
            merged[k] = m
        else:
            clashes.append(k)
    return merged, clashes


def _conflict_rows(ws: Worksheet, clashes: list[str], theirs: dict, mine: dict, names: Any):
    rows = []
    for k in clashes:
        f = ws.field(k) if not ws.repeats else None

        def text(v: Any, f: Any = f) -> str:
            return value_text(f, v, names) if f else records_text(ws, v, names)

        texts = [v for v in (theirs.get(k), mine.get(k)) if isinstance(v, str) and v]
        rows.append(
            {
                "key": k,
                "label": f.label if f else ws.repeats,
                "theirs": text(theirs.get(k)),
                "mine": text(mine.get(k)),
                "mergeable": bool(f and f.type in ("long_text", "short_text")),
                "combined": "\n\n".join(texts),
            }
        )
    return rows


@coalition_view(Can.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def worksheet_conflict(
    request: HttpRequest, coalition: Coalition, membership: Membership, key: str
):
    """Both versions side by side; the person picks per answer. Nothing is overwritten."""
    ws = worksheet_or_404(key)
    owner = response_owner(ws, membership)
    session_key = conflict_session_key(coalition, ws, owner)
    pending = request.session.get(session_key)
    response = selectors.response_for(coalition, ws, membership)
    if not pending or response is None:
        messages.info(request, _("There is nothing to reconcile."))
        return redirect("plans:worksheet", coalition.pk, ws.key)
    base_rev = response.revisions.filter(version=pending["base"]).first()
    base = base_rev.data if base_rev else {}
    # Clean "mine" the way a save would, so equal answers compare equal.
    mine_clean, _e = services.worksheet_answers_merge(
        ws, base, pending["data"], set(coalition.memberships.values_list("pk", flat=True))
    )
    merged, clashes = _three_way(ws, base, response.data, mine_clean, set(pending["data"]))
    if request.method == "POST":
        for k in clashes:
            choice = request.POST.get(f"choose-{k}", "theirs")
            if choice == "mine":
                merged[k] = mine_clean.get(k)
            elif choice == "both" and isinstance(merged.get(k), str):
                merged[k] = request.POST.get(f"merge-{k}", "")
        try:
            result = services.worksheet_response_save(
                actor=membership,
                worksheet_key=ws.key,
                data=merged,
                base_version=int(request.POST.get("version", "-1")),
                owner=owner,
                note=_("Merged after a conflict"),
            )
        except services.WorksheetConflict:
            messages.warning(request, _("Someone saved again in the meantime. Please look again."))
            return redirect("plans:worksheet_conflict", coalition.pk, ws.key)
        del request.session[session_key]
        if result.errors:
            messages.warning(
                request, _("Saved, except answers that need fixing; they are marked below.")
            )
        else:
            messages.success(request, _("Saved. Both versions are kept in the history."))
        return redirect("plans:worksheet", coalition.pk, ws.key)
    rows = _conflict_rows(ws, clashes, response.data, mine_clean, selectors.member_names(coalition))
    kept = [k for k in mine_clean if k not in clashes and mine_clean.get(k) != base.get(k)]
    return render(
        request,
        "plans/conflict.html",
        coalition_page_context(
            coalition,
            membership,
            ws=ws,
            response=response,
            rows=rows,
            merged_count=len(kept),
            their_author=response.updated_by,
        ),
    )


@coalition_view(Can.VIEW)
@require_GET
def worksheet_history(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    """The revisions, newest first, 25 a page, each with the answers it changed."""
    ws = worksheet_or_404(key)
    response = selectors.response_for(coalition, ws, membership)
    history = (
        selectors.revision_history(
            response, selectors.member_names(coalition), request.GET.get("page")
        )
        if response
        else None
    )
    return render(
        request,
        "plans/history.html",
        coalition_page_context(
            coalition,
            membership,
            ws=ws,
            response=response,
            history=history,
            can_restore=not blocked_reason(coalition, ws, membership),
        ),
    )


@coalition_view(Can.VIEW)
@require_GET
def worksheet_revision(
    request: HttpRequest, coalition: Coalition, membership: Membership, key: str, version: int
):
    """The whole worksheet as one revision left it, and what that revision changed."""
    ws = worksheet_or_404(key)
    response = selectors.response_for(coalition, ws, membership)
    found = selectors.revision_with_previous(response, version) if response else None
    if response is None or found is None:
        raise Http404("No such version")
    revision, previous = found
    names = selectors.member_names(coalition)
    # Only the answers as saved: guidance worked out from today's data would not be the past.
    ctx = form_context(coalition, ws, {})
    ctx.computed = lambda f: ""
    ctx.metric = lambda v: None
    records = build_widgets(ws, revision.data, ctx)
    for rec in records:
        rec["widgets"] = [w for w in rec["widgets"] if w.type != "guidance"]
    return render(
        request,
        "plans/revision.html",
        coalition_page_context(
            coalition,
            membership,
            ws=ws,
            response=response,
            revision=revision,
            current=revision.version == response.version,
            changes=selectors.data_diff(
                ws, previous.data if previous else {}, revision.data, names
            ),
            records=records,
            can_restore=not blocked_reason(coalition, ws, membership),
        ),
    )


@coalition_view(Can.CONTRIBUTE)
@require_POST
def worksheet_restore(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = worksheet_or_404(key)
    try:
        version = int(request.POST.get("version", ""))
        services.worksheet_response_restore(actor=membership, worksheet_key=ws.key, version=version)
        messages.success(request, _("Version %(v)s is the current one again.") % {"v": version})
    except (ValueError, ValidationError):
        messages.error(request, _("Choose a version to restore."))
    return redirect("plans:worksheet_history", coalition.pk, ws.key)


@coalition_view(Can.VIEW)
@require_GET
def worksheet_export(
    request: HttpRequest, coalition: Coalition, membership: Membership, key: str, fmt: str
):
    ws = worksheet_or_404(key)
    if fmt not in ("csv", "json"):
        raise Http404("Unknown format")
    response = selectors.response_for(coalition, ws, membership)
    data = response.data if response else {}
    filename = f"{slugify(coalition.name)}-{ws.key}"
    if fmt == "json":
        payload = {
            "worksheet": ws.key,
            "number": ws.number,
            "title": ws.title,
            "version": response.version if response else 0,
            "status": response.status if response else ResponseStatus.NOT_STARTED,
            "data": data,
        }
        as_json = JsonResponse(payload, json_dumps_params={"indent": 2, "ensure_ascii": False})
        as_json["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return as_json
    out = HttpResponse(content_type="text/csv; charset=utf-8")
    out["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    out.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    headers = flat_columns()
    writer = csv.DictWriter(out, fieldnames=list(headers))
    writer.writerow(headers)
    for row in flat_rows(ws, data, selectors.member_names(coalition)):
        # A leading = + - @ would run as a formula in a spreadsheet.
        writer.writerow({k: ("'" + v if v[:1] in "=+-@" else v) for k, v in row.items()})
    return out


@coalition_view(Can.CONTRIBUTE)
@require_POST
def worksheet_comment(request: HttpRequest, coalition: Coalition, membership: Membership, key: str):
    ws = worksheet_or_404(key)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_create(
                actor=membership,
                worksheet_key=ws.key,
                field_key=form.cleaned_data["field_key"],
                body=form.cleaned_data["body"],
                request_base=request.build_absolute_uri("/")[:-1],
            )
            messages.success(request, _("Your comment is posted."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Please write a comment (at most 5,000 characters)."))
    return redirect(reverse("plans:worksheet", args=[coalition.pk, ws.key]) + "#comments")


@coalition_view(Can.VIEW)
@require_GET
def worksheet_file(
    request: HttpRequest, coalition: Coalition, membership: Membership, file_id: int
):
    """A file attached to a worksheet answer, only through its coalition."""
    stored = WorksheetFile.objects.filter(coalition=coalition, pk=file_id).first()
    if stored is None or not stored.file:
        raise Http404("No such file")
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.original_name)
