"""Writes of the profile pages: notes on metrics and the coalition's peers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coalitions.models import Membership
from coalitions.permissions import Can, require, role_allows
from metrics.models import CoalitionPeer, Geography, Metric, MetricNote
from metrics.profiles.models import NoteStep

MAX_PEERS = 5
NOTE_MAX = 4000


@transaction.atomic
def metric_note_add(
    *, actor: Membership, metric: Metric, text: str, step: int = NoteStep.STEP_2
) -> MetricNote:
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
    return MetricNote.objects.create(
        coalition=actor.coalition,
        metric=metric,
        author=actor.user,
        text=text,
        step=step,
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
