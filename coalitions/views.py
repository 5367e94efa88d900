from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalitions import selectors, services
from coalitions.forms import (
    AcceptNewAccountForm,
    BulkInvitationForm,
    CoalitionForm,
    CoalitionSettingsForm,
    HandOverForm,
    InvitationForm,
    MemberProfileForm,
    RoleForm,
    WorkingGroupForm,
)
from coalitions.models import Invitation, Membership, Role, WorkingGroup
from coalitions.permissions import Can, assignable_roles, role_allows
from coalitions.web import (
    coalition_render,
    coalition_view,
    form_save,
    message_save,
)
from metrics.models import Geography
from metrics.selectors import geography_search_matches

# --- Coalitions ----------------------------------------------------------------------


@login_required
@require_GET
def coalition_list(request: HttpRequest) -> HttpResponse:
    coalitions = selectors.coalitions_for_user(request.user)  # type: ignore[arg-type]
    roles = {m.coalition_id: m for m in selectors.memberships_of_user(request.user)}  # type: ignore[arg-type]
    rows = [(c, roles[c.pk]) for c in coalitions]
    return render(request, "coalitions/list.html", {"rows": rows})


@login_required
@require_GET
def geography_search(request: HttpRequest) -> HttpResponse:
    """The result list of the jurisdiction search (an HTMX partial, or part of the form)."""
    query = request.GET.get("q", "")
    return render(
        request,
        "coalitions/_geography_results.html",
        {"results": geography_search_matches(query), "query": query},
    )


@login_required
@require_http_methods(["GET", "POST"])
def coalition_create(request: HttpRequest) -> HttpResponse:
    form = CoalitionForm(request.POST or None)
    query = request.GET.get("q", "") or request.POST.get("q", "")
    if request.method == "POST" and form.is_valid():
        coalition = services.coalition_create(
            actor=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            geography=form.cleaned_data["geography"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, _("The coalition is created. Invite its members next."))
        return redirect("coalitions:detail", pk=coalition.pk)
    chosen = form["geography"].value()
    chosen_geography = (
        Geography.objects.filter(pk=chosen).first() if str(chosen).isdigit() else None
    )
    return render(
        request,
        "coalitions/create.html",
        {
            "form": form,
            "query": query,
            "results": geography_search_matches(query),
            "chosen": chosen_geography,
        },
    )


@coalition_view()
@require_GET
def coalition_detail(request, coalition, membership):
    composition = selectors.coalition_composition(coalition)
    return coalition_render(
        request,
        "coalitions/detail.html",
        coalition,
        membership,
        composition=composition,
        pending=selectors.coalition_open_invitations(coalition).count(),
    )


@coalition_view(Can.RUN)
@require_http_methods(["GET", "POST"])
def coalition_settings(request, coalition, membership):
    form = CoalitionSettingsForm(
        request.POST or None,
        initial={"name": coalition.name, "description": coalition.description},
    )
    if request.method == "POST" and form.is_valid():
        saved = form_save(
            form,
            lambda: services.coalition_update(actor_membership=membership, **form.cleaned_data),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("coalitions:detail", pk=coalition.pk)
    return coalition_render(request, "coalitions/settings.html", coalition, membership, form=form)


@coalition_view()
@require_GET
def composition(request, coalition, membership):
    return coalition_render(
        request,
        "coalitions/composition.html",
        coalition,
        membership,
        composition=selectors.coalition_composition(coalition),
    )


@coalition_view(Can.RUN)
@require_GET
def activity(request, coalition, membership):
    events = selectors.coalition_events(coalition)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return coalition_render(request, "coalitions/activity.html", coalition, membership, page=page)


# --- Members -------------------------------------------------------------------------


@coalition_view()
@require_GET
def member_list(request, coalition, membership):
    return coalition_render(
        request,
        "coalitions/members.html",
        coalition,
        membership,
        members=selectors.coalition_members(coalition),
        roles=Role.choices,
    )


def _member(coalition, member_id) -> Membership:
    # Scoped by coalition: a member id of another coalition is a 404, never used.
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, coalition=coalition
    )


@coalition_view(Can.RUN)
@require_POST
def member_role(request, coalition, membership, member_id):
    target = _member(coalition, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
    else:
        role = form.cleaned_data["role"]
        message_save(
            request,
            lambda: services.membership_change_role(
                actor_membership=membership, membership=target, role=role
            ),
            _("%(name)s is now %(role)s.")
            % {"name": target.user.display_name, "role": Role(role).label},
        )
    return redirect("coalitions:members", pk=coalition.pk)


@coalition_view(Can.RUN)
@require_http_methods(["GET", "POST"])
def member_remove(request, coalition, membership, member_id):
    target = _member(coalition, member_id)
    if request.method == "POST":
        message_save(
            request,
            lambda: services.membership_remove(actor_membership=membership, membership=target),
            _("%(name)s was removed.") % {"name": target.user.display_name},
        )
        return redirect("coalitions:members", pk=coalition.pk)
    return coalition_render(
        request, "coalitions/member_remove.html", coalition, membership, target=target
    )


@coalition_view()
@require_http_methods(["GET", "POST"])
def member_edit(request, coalition, membership, member_id):
    target = _member(coalition, member_id)
    own = target.pk == membership.pk
    if not own and not role_allows(membership.role, Can.RUN):
        raise PermissionDenied
    form = MemberProfileForm(request.POST or None, instance=target)
    if not own:
        del form.fields["lived_experience"]
    if request.method == "POST" and form.is_valid():
        saved = form_save(
            form,
            lambda: services.membership_update_profile(
                actor_membership=membership,
                membership=target,
                organisation=form.cleaned_data["organisation"],
                sector=form.cleaned_data["sector"],
                title=form.cleaned_data["title"],
                lived_experience=form.cleaned_data.get("lived_experience") if own else None,
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("coalitions:members", pk=coalition.pk)
    return coalition_render(
        request,
        "coalitions/member_edit.html",
        coalition,
        membership,
        form=form,
        target=target,
        own=own,
    )


@coalition_view()
@require_http_methods(["GET", "POST"])
def leave(request, coalition, membership):
    if request.method == "POST":
        left = message_save(
            request,
            lambda: services.membership_leave(membership=membership),
            _("You left %(name)s.") % {"name": coalition.name},
        )
        return (
            redirect("coalitions:list") if left else redirect("coalitions:detail", pk=coalition.pk)
        )
    return coalition_render(request, "coalitions/leave.html", coalition, membership)


@coalition_view(Can.RUN)
@require_http_methods(["GET", "POST"])
def hand_over(request, coalition, membership):
    candidates = coalition.memberships.exclude(pk=membership.pk).select_related("user")
    form = HandOverForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        saved = form_save(
            form,
            lambda: services.project_manager_hand_over(
                actor_membership=membership, to=form.cleaned_data["to"]
            ),
        )
        if saved is not None:
            messages.success(request, _("The project manager role is handed over."))
            return redirect("coalitions:members", pk=coalition.pk)
    return coalition_render(request, "coalitions/hand_over.html", coalition, membership, form=form)


# --- Invitations ---------------------------------------------------------------------


@coalition_view(Can.INVITE)
@require_http_methods(["GET", "POST"])
def invitation_list(request, coalition, membership):
    form = InvitationForm(request.POST or None, roles=assignable_roles(membership.role))
    if request.method == "POST" and form.is_valid():
        invitation = form_save(
            form,
            lambda: services.coalition_member_invite(
                actor_membership=membership, request=request, **form.cleaned_data
            ),
        )
        if invitation is not None:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("coalitions:invitations", pk=coalition.pk)
    return coalition_render(
        request,
        "coalitions/invitations.html",
        coalition,
        membership,
        form=form,
        invitations=selectors.coalition_invitations(coalition),
    )


@coalition_view(Can.INVITE)
@require_http_methods(["GET", "POST"])
def invitation_bulk(request, coalition, membership):
    form = BulkInvitationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = form_save(
            form,
            lambda: services.coalition_members_bulk_invite_start(
                actor_membership=membership, text=form.cleaned_data["text"], request=request
            ),
        )
        if job is not None:
            return redirect("coalitions:invitation_bulk_job", pk=coalition.pk, bulk_id=job.pk)
    return coalition_render(
        request,
        "coalitions/invitation_bulk.html",
        coalition,
        membership,
        form=form,
        jobs=selectors.coalition_bulk_invitations(coalition)[:5],
    )


def _bulk_job_view(template: str) -> Callable:
    @never_cache
    @coalition_view(Can.INVITE)
    @require_GET
    def view(request, coalition, membership, bulk_id):
        job = get_object_or_404(selectors.coalition_bulk_invitations(coalition), pk=bulk_id)
        return coalition_render(request, template, coalition, membership, job=job)

    return view


@coalition_view(Can.INVITE)
@require_POST
def invitation_bulk_retry(request, coalition, membership, bulk_id):
    job = get_object_or_404(selectors.coalition_bulk_invitations(coalition), pk=bulk_id)
    message_save(
        request,
        lambda: services.coalition_members_bulk_invite_retry(actor_membership=membership, job=job),
        _("The list is being worked through again."),
    )
    return redirect("coalitions:invitation_bulk_job", pk=coalition.pk, bulk_id=job.pk)


# The page of a list being invited (progress while the worker sends, then the report per row)
# and its progress block, which HTMX polls until the job ends.
invitation_bulk_job = _bulk_job_view("coalitions/invitation_bulk_job.html")
invitation_bulk_progress = _bulk_job_view("coalitions/_invitation_bulk_progress.html")


def _invitation(coalition, invitation_id) -> Invitation:
    return get_object_or_404(Invitation, pk=invitation_id, coalition=coalition)


@coalition_view(Can.INVITE)
@require_POST
def invitation_resend(request, coalition, membership, invitation_id):
    invitation = _invitation(coalition, invitation_id)
    message_save(
        request,
        lambda: services.invitation_resend(
            actor_membership=membership, invitation=invitation, request=request
        ),
        _("A new link was sent to %(email)s.") % {"email": invitation.email},
    )
    return redirect("coalitions:invitations", pk=coalition.pk)


@coalition_view(Can.INVITE)
@require_POST
def invitation_revoke(request, coalition, membership, invitation_id):
    invitation = _invitation(coalition, invitation_id)
    message_save(
        request,
        lambda: services.invitation_revoke(actor_membership=membership, invitation=invitation),
        _("The invitation of %(email)s is withdrawn.") % {"email": invitation.email},
    )
    return redirect("coalitions:invitations", pk=coalition.pk)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: the token is the secret."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as exc:
        return render(
            request, "coalitions/invitation_invalid.html", {"reason": str(exc)}, status=410
        )
    user = request.user if request.user.is_authenticated else None
    existing_account = user is None and services.user_find_by_email(invitation.email) is not None
    form = None
    if user is None and not existing_account:
        form = AcceptNewAccountForm(
            request.POST or None, email=invitation.email, initial={"name": invitation.name}
        )
    if request.method == "POST" and not existing_account and (form is None or form.is_valid()):
        try:
            membership = services.invitation_accept(
                token=token,
                user=user,
                name=form.cleaned_data["name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except services.InvitationError as exc:
            return render(
                request, "coalitions/invitation_invalid.html", {"reason": str(exc)}, status=410
            )
        if user is None:
            login(request, membership.user, backend="accounts.backends.EmailBackend")
        messages.success(request, _("Welcome to %(name)s.") % {"name": membership.coalition.name})
        return redirect("coalitions:detail", pk=membership.coalition_id)
    return render(
        request,
        "coalitions/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "existing_account": existing_account,
            "login_url": reverse("accounts:login") + "?next=" + request.path,
            "other_email": user is not None and user.email.lower() != invitation.email.lower(),
        },
    )


# --- Working groups ------------------------------------------------------------------


@coalition_view()
@require_GET
def working_group_list(request, coalition, membership):
    return coalition_render(
        request,
        "coalitions/working_groups.html",
        coalition,
        membership,
        groups=selectors.coalition_working_groups(coalition),
    )


@coalition_view(Can.INVITE)
@require_http_methods(["GET", "POST"])
def working_group_edit(request, coalition, membership, group_id=None):
    group = get_object_or_404(WorkingGroup, pk=group_id, coalition=coalition) if group_id else None
    initial = {}
    if group:
        initial = {
            "name": group.name,
            "description": group.description,
            "lead": group.lead,
            "members": list(group.members.all()),
        }
    form = WorkingGroupForm(request.POST or None, coalition=coalition, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form_save(
            form,
            lambda: services.working_group_save(
                actor_membership=membership,
                group=group,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                lead=form.cleaned_data["lead"],
                members=list(form.cleaned_data["members"]),
            ),
        )
        if saved is not None:
            messages.success(request, _("Working group saved."))
            return redirect("coalitions:working_groups", pk=coalition.pk)
    return coalition_render(
        request, "coalitions/working_group_edit.html", coalition, membership, form=form, group=group
    )


@coalition_view(Can.INVITE)
@require_POST
def working_group_delete(request, coalition, membership, group_id):
    group = get_object_or_404(WorkingGroup, pk=group_id, coalition=coalition)
    services.working_group_delete(actor_membership=membership, group=group)
    messages.success(request, _("Working group deleted."))
    return redirect("coalitions:working_groups", pk=coalition.pk)
