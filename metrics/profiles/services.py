"""Writes of the profile pages: notes on metrics and the coalition's peers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coalitions.models import EventKind, Membership
from coalitions.permissions import Can, require, role_allows
from coalitions.services import coalition_event_record
from metrics.models import CoalitionPeer, Geography, Metric, MetricNote
from metrics.profiles.models import NoteStep

MAX_PEERS = 5
NOTE_MAX = 4000


@transaction.atomic
def metric_note_add(
    *,
    actor: Membership,
    metric: Metric,
    text: str,
    step: int = NoteStep.STEP_2,
    subgroup_type: str = "",
    subgroup: str = "",
) -> MetricNote:
    """Pin a note to a metric; with ``subgroup_type`` and ``subgroup``, to one group's gap."""
    require(actor, Can.CONTRIBUTE)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note first.")})
    if len(text) > NOTE_MAX:
        raise ValidationError(
            {
                "text": _("Keep the note under %(n)d characters (it has %(m)d).")
                % {"n": NOTE_MAX, "m": len(text)}
            }
        )
    if step not in NoteStep.values:
        raise ValidationError({"step": _("Choose Step 2 or Step 5.")})
    if bool(subgroup_type) != bool(subgroup):
        raise ValidationError(_("A gap names both its breakdown and its group."))
    return MetricNote.objects.create(
        coalition=actor.coalition,
        metric=metric,
        author=actor.user,
        text=text,
        step=step,
        subgroup_type=subgroup_type,
        subgroup=subgroup,
    )


@transaction.atomic
def metric_note_delete(*, actor: Membership, note: MetricNote) -> None:
    """Contributors delete their own notes; the project manager deletes anyone's."""
    require(actor, Can.CONTRIBUTE)
    if note.coalition_id != actor.coalition_id:
        raise ValidationError(_("That note is not part of this coalition."))
    if note.author_id != actor.user_id and not role_allows(actor.role, Can.RUN):
        raise PermissionDenied
    note.delete()


@transaction.atomic
def coalition_peer_add(*, actor: Membership, geography: Geography) -> CoalitionPeer:
    require(actor, Can.CONTRIBUTE)
    coalition = actor.coalition
    home = coalition.geography
    if geography.pk == home.pk:
        raise ValidationError(_("That is your own jurisdiction."))
    if geography.kind != home.kind:
        raise ValidationError(
            _("Compare with places of the same kind: your coalition plans for a %(kind)s.")
            % {"kind": home.get_kind_display().lower()}
        )
    peers = CoalitionPeer.objects.select_for_update().filter(coalition=coalition)
    if any(p.geography_id == geography.pk for p in peers):
        raise ValidationError(_("%(name)s is already a peer.") % {"name": geography.full_name})
    if len(peers) >= MAX_PEERS:
        raise ValidationError(
            _("You can compare with at most %(n)d places. Remove one first.") % {"n": MAX_PEERS}
        )
    return CoalitionPeer.objects.create(
        coalition=coalition, geography=geography, added_by=actor.user
    )


@transaction.atomic
def coalition_peer_remove(*, actor: Membership, peer: CoalitionPeer) -> None:
    require(actor, Can.CONTRIBUTE)
    if peer.coalition_id != actor.coalition_id:
        raise ValidationError(_("That peer is not part of this coalition."))
    peer.delete()


@transaction.atomic
def coalition_county_comparison_set(*, actor: Membership, county: Geography | None) -> None:
    """Show ``county``'s values beside a city's (None: stop). Data lead or project manager."""
    require(actor, Can.MANAGE_DATA)
    coalition = actor.coalition
    city = coalition.geography
    if county is not None:
        if city.kind != "city":
            raise ValidationError(_("Only a city's coalition compares itself with its county."))
        if county.kind != "county" or county.state_fips != city.state_fips:
            raise ValidationError(
                {"county": _("Choose a county of %(state)s.") % {"state": city.state_name}}
            )
    if coalition.comparison_county_id == (county.pk if county else None):
        return
    coalition.comparison_county = county
    coalition.save(update_fields=["comparison_county", "updated_at"])
    coalition_event_record(
        coalition,
        EventKind.COUNTY_COMPARISON,
        actor.user,
        label=county.full_name if county else _("none"),
    )
