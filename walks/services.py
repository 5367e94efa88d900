"""Every write of the data walks: building a walk, residents' answers, moderation, the plan."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coalitions.models import EventKind, Membership
from coalitions.permissions import Can, require
from coalitions.services import coalition_event_record
from core import throttling
from core.jobs import job_enqueue_on_commit, job_progress, job_succeed
from core.models import JobStatus
from walks.models import (
    MAX_QUESTIONS,
    TEXT_LIMIT,
    AgeBand,
    Answer,
    ContactDetail,
    DataWalk,
    Demographic,
    Language,
    LivedExperience,
    Moderation,
    Participant,
    RaceEthnicity,
    Reaction,
    Station,
    Theme,
    WalkExport,
    WalkStatus,
)
from walks.stations import station_data

MAX_STATIONS = 12
MAX_LINKS = 1
LINK = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(com|net|org|ru|info|biz|xyz)\b)", re.I)


# --- Building a walk -----------------------------------------------------------------------


def _require_walk(actor: Membership, walk: DataWalk, action: Can) -> None:
    if walk.coalition_id != actor.coalition_id:
        raise PermissionDenied
    require(actor, action)


def data_walk_save(
    *,
    actor: Membership,
    fields: Mapping[str, object],
    walk: DataWalk | None = None,
) -> DataWalk:
    """Create or change a walk's words and the questions it asks about residents."""
    if walk is None:
        require(actor, Can.MANAGE_DATA)
        walk = DataWalk(coalition=actor.coalition, created_by=actor.user)
    else:
        _require_walk(actor, walk, Can.MANAGE_DATA)
    errors: dict[str, list[str]] = {}
    for name in ("title_en", "title_es", "intro_en", "intro_es", "use_en", "use_es"):
        if name in fields:
            setattr(walk, name, str(fields[name] or "").strip())
    if "demographics" in fields:
        chosen = list(fields["demographics"] or [])  # type: ignore[call-overload]
        unknown = [d for d in chosen if d not in Demographic.values]
        if unknown:
            errors["demographics"] = [_("Choose from the list.")]
        walk.demographics = [d for d in Demographic.values if d in chosen]
    if not walk.title_en:
        errors["title_en"] = [_("Give the walk a title in English.")]
    if not walk.use_en:
        errors["use_en"] = [
            _("Say in plain words how residents' answers will be used, so they can choose.")
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        walk.save()
    return walk


def _clean_questions(values: Iterable[object], field: str, errors: dict) -> list[str]:
    questions = [str(q or "").strip() for q in values][:MAX_QUESTIONS]
    while questions and not questions[-1]:
        questions.pop()
    if any(len(q) > 300 for q in questions):
        errors[field] = [_("Keep each question under 300 characters.")]
    return questions


def station_save(
    *,
    actor: Membership,
    walk: DataWalk,
    variable: str,
    caption_en: str,
    caption_es: str = "",
    questions_en: Iterable[object] = (),
    questions_es: Iterable[object] = (),
    quick_reaction: bool = True,
    station: Station | None = None,
) -> Station:
    """Add a station (a metric, its caption and one to three questions) or change one.

    A metric whose every value for the coalition's place is rated Weak is refused: a walk
    never shows a number too uncertain to act on. Weak years of other metrics are left out of
    the chart.
    """
    _require_walk(actor, walk, Can.MANAGE_DATA)
    if station is not None and station.walk_id != walk.pk:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    data = station_data(walk.coalition, variable)
    if not variable:
        errors["variable"] = [_("Choose a metric.")]
    elif not data.usable:
        errors["variable"] = [
            _(
                "This metric has no value for your place that is sure enough to show: "
                "every year is missing or rated Weak. Choose another metric."
            )
        ]
    q_en = _clean_questions(questions_en, "questions_en", errors)
    q_es = _clean_questions(questions_es, "questions_es", errors)
    if not q_en and not quick_reaction:
        errors["questions_en"] = [_("Ask at least one question, or ask for a quick reaction.")]
    if len(q_es) > len(q_en):
        errors["questions_es"] = [_("Give each Spanish question its English question too.")]
    if not caption_en.strip():
        errors["caption_en"] = [_("Say in plain words what the number means.")]
    if station is None and walk.stations.count() >= MAX_STATIONS:
        errors["__all__"] = [_("A walk has at most %(n)s stations.") % {"n": MAX_STATIONS}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if station is None:
            last = walk.stations.aggregate(m=Max("position"))["m"] or 0
            station = Station(walk=walk, position=last + 1)
        station.variable = variable
        station.caption_en, station.caption_es = caption_en.strip(), caption_es.strip()
        station.questions_en, station.questions_es = q_en, q_es
        station.quick_reaction = quick_reaction
        station.save()
    return station


def station_delete(*, actor: Membership, station: Station) -> None:
    _require_walk(actor, station.walk, Can.MANAGE_DATA)
    if station.answers.exists():
        raise ValidationError(_("Residents have answered at this station; it cannot be removed."))
    with transaction.atomic():
        walk = station.walk
        station.delete()
        _renumber(walk)


def _renumber(walk: DataWalk) -> None:
    for i, s in enumerate(walk.stations.order_by("position", "pk"), start=1):
        if s.position != i:
            Station.objects.filter(pk=s.pk).update(position=i)


def station_move(*, actor: Membership, station: Station, offset: int) -> None:
    """Move a station one place earlier (-1) or later (+1)."""
    _require_walk(actor, station.walk, Can.MANAGE_DATA)
    with transaction.atomic():
        order = list(station.walk.stations.order_by("position", "pk"))
        i = order.index(next(s for s in order if s.pk == station.pk))
        j = i + (1 if offset > 0 else -1)
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
        for n, s in enumerate(order, start=1):
            Station.objects.filter(pk=s.pk).update(position=n)


def data_walk_status_set(*, actor: Membership, walk: DataWalk, status: str) -> DataWalk:
    """Open the link to residents, or close it. Closed walks can be opened again."""
    _require_walk(actor, walk, Can.MANAGE_DATA)
    if status not in (WalkStatus.OPEN, WalkStatus.CLOSED):
        raise ValidationError(_("A walk can only be opened or closed."))
    if status == WalkStatus.OPEN and not walk.stations.exists():
        raise ValidationError(_("Add at least one station before opening the walk."))
    with transaction.atomic():
        walk.status = status
        now = timezone.now()
        if status == WalkStatus.OPEN:
            walk.opened_at = walk.opened_at or now
        else:
            walk.closed_at = now
        walk.save(update_fields=["status", "opened_at", "closed_at"])
    return walk


# --- Residents -------------------------------------------------------------------------------


class RateLimited(ValidationError):
    """A device or address sent too much in the window (the page answers 429)."""


# The limits live in settings.THROTTLE_LIMITS and are counted by core.throttling, in the
# cache every process shares; only a hash of the device id or address is kept, for the window.
DEVICE_LIMIT = throttling.Limit("walk-device")
ADDRESS_LIMIT = throttling.Limit("walk-address")


def rate_limit_check(*, device_id: str, address: str) -> None:
    """Refuse a resident's write when their device or address sent too many in the window;
    otherwise count it."""
    checks = [(DEVICE_LIMIT, f"walk-device:{device_id}")]
    if address:
        checks.append((ADDRESS_LIMIT, f"walk-address:{throttling.address_key(address)}"))
    if throttling.limits_wait(checks):
        raise RateLimited(
            _("You have sent many answers in a short time. Please wait a minute and try again.")
        )
    throttling.limits_hit(checks)


def _check_text(text: str, *, field: str, previous: Iterable[str] = ()) -> str:
    text = text.strip()
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            {
                field: _("Please keep your answer under %(n)s characters (it has %(m)s).")
                % {"n": f"{TEXT_LIMIT:,}", "m": f"{len(text):,}"}
            }
        )
    if len(LINK.findall(text)) > MAX_LINKS:
        raise ValidationError({field: _("Please leave out web links.")})
    if text and text in previous:
        raise ValidationError({field: _("You have already sent this answer.")})
    return text


def participant_for(walk: DataWalk, device_id: str) -> Participant | None:
    return Participant.objects.filter(walk=walk, device_id=device_id).first()


def _participant(
    walk: DataWalk, device_id: str, language: str, known: Participant | None = None
) -> Participant:
    participant = (
        known
        or Participant.objects.get_or_create(
            walk=walk, device_id=device_id, defaults={"language": language}
        )[0]
    )
    if participant.language != language:
        Participant.objects.filter(pk=participant.pk).update(language=language)
        participant.language = language
    return participant


def _require_open(walk: DataWalk) -> None:
    if not walk.is_open:
        raise ValidationError(_("This walk is closed; it no longer takes answers."))


def participant_about_save(
    *,
    walk: DataWalk,
    device_id: str,
    address: str,
    language: str,
    answers: Mapping[str, str],
) -> Participant:
    """Save what a resident chose to say about themselves (asked once; every answer optional)."""
    _require_open(walk)
    language = language if language in Language.values else Language.EN
    choices = {
        Demographic.AGE_BAND: AgeBand.values,
        Demographic.RACE_ETHNICITY: RaceEthnicity.values,
        Demographic.LIVED_EXPERIENCE: LivedExperience.values,
    }
    clean: dict[str, str] = {}
    for key in walk.demographics:
        value = str(answers.get(key) or "").strip()
        if key == Demographic.NEIGHBOURHOOD:
            if len(value) > 80:
                raise ValidationError({key: _("Please keep this under 80 characters.")})
            clean[key] = value
        elif value and value not in choices[Demographic(key)]:
            raise ValidationError({key: _("Choose from the list.")})
        else:
            clean[key] = value
    rate_limit_check(device_id=device_id, address=address)
    with transaction.atomic():
        participant = _participant(walk, device_id, language)
        for key, value in clean.items():
            setattr(participant, key, value)
        participant.demographics_asked = True
        participant.save()
    return participant


def answer_submit(
    *,
    station: Station,
    device_id: str,
    address: str,
    language: str,
    texts: Mapping[int, str],
    reaction: str = "",
) -> list[Answer]:
    """Store a resident's answers at a station, held for moderation.

    Everything is checked before anything is stored: a closed walk, an unknown reaction, an
    answer over the limit, with links or sent before, or a device or address over the rate
    limit stores nothing.
    """
    walk = station.walk
    _require_open(walk)
    language = language if language in Language.values else Language.EN
    if reaction and (reaction not in Reaction.values or not station.quick_reaction):
        raise ValidationError({"reaction": _("Choose one of the reactions.")})
    existing = participant_for(walk, device_id)
    previous = (
        list(Answer.objects.filter(participant=existing).values_list("text", flat=True))
        if existing
        else []
    )
    clean: dict[int, str] = {}
    for index, text in texts.items():
        if not 0 <= index < len(station.questions_en):
            continue
        value = _check_text(str(text or ""), field=f"q{index}", previous=previous)
        if value:
            clean[index] = value
    if not clean and not reaction:
        raise ValidationError(_("Write an answer or choose a reaction, or go on to the next one."))
    rate_limit_check(device_id=device_id, address=address)
    with transaction.atomic():
        participant = _participant(walk, device_id, language, existing)
        made = [
            Answer(station=station, participant=participant, question=i, text=t, language=language)
            for i, t in sorted(clean.items())
        ]
        if reaction:
            made.append(
                # A reaction carries no words: nothing to moderate, counted at once.
                Answer(
                    station=station,
                    participant=participant,
                    reaction=reaction,
                    language=language,
                    status=Moderation.APPROVED,
                )
            )
        Answer.objects.bulk_create(made)
    return made


def contact_save(*, walk: DataWalk, device_id: str, address: str, text: str) -> ContactDetail:
    """Keep a way to reach a resident who chose to leave one (stored apart from answers)."""
    _require_open(walk)
    text = text.strip()
    if not text:
        raise ValidationError({"contact": _("Write an email address or a phone number.")})
    if len(text) > 200:
        raise ValidationError({"contact": _("Please keep this under 200 characters.")})
    rate_limit_check(device_id=device_id, address=address)
    with transaction.atomic():
        participant = _participant(walk, device_id, Language.EN)
        contact, _created = ContactDetail.objects.update_or_create(
            participant=participant, defaults={"text": text}
        )
    return contact


def facilitated_record(
    *,
    actor: Membership,
    station: Station,
    counts: Mapping[str, int],
    quotes: Iterable[str],
    language: str = Language.EN,
) -> list[Answer]:
    """A facilitator records a group's reactions (counts) and quotes, marked as facilitated."""
    walk = station.walk
    _require_walk(actor, walk, Can.CONTRIBUTE)
    if walk.status == WalkStatus.DRAFT:
        raise ValidationError(_("Open the walk before recording reactions."))
    errors: dict[str, str] = {}
    clean_counts: dict[str, int] = {}
    for key, value in counts.items():
        if key not in Reaction.values:
            continue
        if value < 0 or value > 500:
            errors[key] = _("Give a number of people from 0 to 500.")
        elif value:
            clean_counts[key] = value
    clean_quotes = []
    for quote in quotes:
        try:
            text = _check_text(str(quote or ""), field="quotes")
        except ValidationError as exc:
            errors["quotes"] = " ".join(exc.messages)
            continue
        if text:
            clean_quotes.append(text)
    if errors:
        raise ValidationError(errors)
    if not clean_counts and not clean_quotes:
        raise ValidationError(_("Record at least one count or one quote."))
    common = {"station": station, "facilitated": True, "recorded_by": actor, "language": language}
    made = [
        Answer(reaction=k, group_size=n, status=Moderation.APPROVED, **common)
        for k, n in clean_counts.items()
    ]
    made += [Answer(text=q, **common) for q in clean_quotes]
    with transaction.atomic():
        Answer.objects.bulk_create(made)
    return made


# --- Moderation and themes ---------------------------------------------------------------------


def answer_moderate(*, actor: Membership, answer: Answer, status: str) -> Answer:
    """Approve or reject an answer; only approved answers are counted, quoted or sent on."""
    _require_walk(actor, answer.station.walk, Can.MANAGE_DATA)
    if status not in (Moderation.APPROVED, Moderation.REJECTED):
        raise ValidationError({"status": _("Approve or reject the answer.")})
    with transaction.atomic():
        answer.status = status
        answer.moderated_by = actor.user
        if status == Moderation.REJECTED:
            answer.is_quote = False
        answer.save(update_fields=["status", "moderated_by", "is_quote"])
    return answer


def answer_tag(
    *,
    actor: Membership,
    answer: Answer,
    themes: Iterable[str] = (),
    is_quote: bool | None = None,
) -> Answer:
    """Tag an approved answer with themes (made as needed) and choose it as a quote or not."""
    _require_walk(actor, answer.station.walk, Can.MANAGE_DATA)
    if answer.status != Moderation.APPROVED:
        raise ValidationError(_("Approve the answer before tagging or quoting it."))
    names: list[str] = []
    for name in themes:
        name = " ".join(str(name).split())
        if len(name) > 80:
            raise ValidationError({"themes": _("Keep a theme under 80 characters.")})
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    if is_quote and not answer.text:
        raise ValidationError({"is_quote": _("Only a written answer can be a quote.")})
    with transaction.atomic():
        chosen = []
        for name in names:
            theme = Theme.objects.filter(coalition=actor.coalition, name__iexact=name).first()
            chosen.append(theme or Theme.objects.create(coalition=actor.coalition, name=name))
        answer.themes.set(chosen)
        if is_quote is not None:
            answer.is_quote = is_quote
            answer.save(update_fields=["is_quote"])
    return answer


# --- Into the plan -----------------------------------------------------------------------------

INSIGHTS_WORKSHEET = "w5_2"
ENGAGEMENT_WORKSHEET = "w6_3"


@dataclass(frozen=True)
class SendResult:
    residents: int
    themes: int
    quotes: int


def residents_heard(walk: DataWalk) -> int:
    """Residents who answered (one per device) plus the people of facilitated groups, counted
    from approved answers only."""
    approved = Answer.objects.filter(station__walk=walk, status=Moderation.APPROVED)
    devices = approved.exclude(participant=None).values("participant").distinct().count()
    # A facilitated group is counted once, by its largest reaction count at a station.
    groups: dict[int, int] = {}
    for station_id, size in approved.filter(facilitated=True).values_list(
        "station_id", "group_size"
    ):
        groups[station_id] = max(groups.get(station_id, 0), size or 0)
    return devices + (max(groups.values()) if groups else 0)


def _append(actor: Membership, key: str, field: str, rows: list[dict]) -> None:
    from plans import selectors as plan_selectors
    from plans.services import worksheet_response_save

    response = plan_selectors.shared_response(actor.coalition, key)
    data = dict(response.data) if response else {}
    base = response.version if response else 0
    current = list(data.get(field) or [])
    result = worksheet_response_save(
        actor=actor,
        worksheet_key=key,
        data={field: current + rows},
        base_version=base,
        note=_("Added from a data walk"),
        all_or_nothing=True,
    )
    if result.errors:
        problems = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in result.errors.items())
        raise ValidationError(
            _("The worksheet refused the walk's findings: %(errors)s") % {"errors": problems}
        )


def data_walk_send_to_plan(*, actor: Membership, walk: DataWalk) -> SendResult:
    """Append the walk's chosen themes and quotes to the community-insight worksheets.

    W5.2 (the data review compilation) gets one insight per theme with the number of residents
    who raised it and a typical comment; W6.3 (the community engagement log) gets the walk as
    an activity with the residents heard (once) and one finding per theme or chosen quote.
    Rows are appended after what members wrote; nothing there is changed. What was sent is
    marked, so sending again adds only what is new.
    """
    _require_walk(actor, walk, Can.MANAGE_DATA)
    approved = Answer.objects.filter(station__walk=walk, status=Moderation.APPROVED)
    quotes = list(approved.filter(is_quote=True, sent_at=None).prefetch_related("themes"))
    themed = approved.filter(themes__isnull=False, sent_at=None).prefetch_related("themes")
    by_theme: dict[str, dict] = {}
    for answer in themed.distinct():
        for theme in answer.themes.all():
            entry = by_theme.setdefault(theme.name, {"people": set(), "groups": 0, "quote": ""})
            if answer.participant_id:
                entry["people"].add(answer.participant_id)
            else:
                entry["groups"] += answer.people
            if answer.is_quote and not entry["quote"]:
                entry["quote"] = answer.text
    if not quotes and not by_theme:
        raise ValidationError(
            _("Choose quotes or tag answers with themes first; there is nothing new to send.")
        )
    heard = residents_heard(walk)
    title = walk.title_en
    theme_of_quote = {q.pk: next((t.name for t in q.themes.all()), "") for q in quotes}
    insights = [
        {
            "theme": _("%(theme)s (data walk “%(walk)s”)") % {"theme": name, "walk": title},
            "count_of_members": len(e["people"]) + e["groups"],
            "representative_quote": e["quote"],
        }
        for name, e in sorted(by_theme.items())
    ]
    findings = [
        {"event": title, "theme": name, "quote": e["quote"]} for name, e in sorted(by_theme.items())
    ]
    used = {f["quote"] for f in findings if f["quote"]}
    findings += [
        {"event": title, "theme": theme_of_quote[q.pk], "quote": q.text}
        for q in quotes
        if q.text not in used
    ]
    with transaction.atomic():
        if insights:
            _append(actor, INSIGHTS_WORKSHEET, "insights", insights)
        rows_event = []
        if not walk.event_sent:
            languages = sorted(
                {str(Language(lang).label) for lang in approved.values_list("language", flat=True)}
            )
            rows_event.append(
                {
                    "method": "data_walk",
                    "date": (walk.opened_at or timezone.now()).date().isoformat(),
                    "location": _("Data walk “%(title)s”: posters and the phone link")
                    % {"title": title},
                    "participants": heard,
                    "languages": ", ".join(languages),
                }
            )
        if rows_event:
            _append(actor, ENGAGEMENT_WORKSHEET, "events", rows_event)
        _append(actor, ENGAGEMENT_WORKSHEET, "findings", findings)
        now = timezone.now()
        Answer.objects.filter(pk__in=[q.pk for q in quotes]).update(sent_at=now)
        themed_ids = list(themed.values_list("pk", flat=True))
        Answer.objects.filter(pk__in=themed_ids).update(sent_at=now)
        DataWalk.objects.filter(pk=walk.pk).update(event_sent=True)
        walk.event_sent = True
    return SendResult(residents=heard, themes=len(by_theme), quotes=len(quotes))


# --- Posters -----------------------------------------------------------------------------------

EXPORT_STEPS = 3


def walk_export_start(
    *, actor: Membership, walk: DataWalk, language: str, site: str = ""
) -> WalkExport:
    """Queue the poster PDF of a walk (one A3 page per station) in one language."""
    from walks.tasks import walk_export_run_task

    _require_walk(actor, walk, Can.MANAGE_DATA)
    if language not in Language.values:
        raise ValidationError({"language": _("Choose English or Spanish.")})
    if not walk.stations.exists():
        raise ValidationError(_("Add at least one station before making posters."))
    if walk.exports.filter(status__in=(JobStatus.PENDING, JobStatus.RUNNING)).exists():
        raise ValidationError(_("The posters are already being made."))
    export = WalkExport.objects.create(
        walk=walk,
        language=language,
        site=site.rstrip("/") if site.startswith(("http://", "https://")) else "",
        started_by=actor.user,
        progress_total=EXPORT_STEPS,
    )
    coalition_event_record(
        walk.coalition,
        EventKind.EXPORT_STARTED,
        actor.user,
        label=_("the posters of the data walk “%(title)s”") % {"title": walk.title_en},
    )
    job_enqueue_on_commit(export, walk_export_run_task)
    return export


def walk_export_run(*, export: WalkExport) -> WalkExport:
    from walks.posters import walk_posters_pdf

    job_progress(export, done=1, total=EXPORT_STEPS)
    pdf, pages = walk_posters_pdf(export.walk, language=export.language, site=export.site)
    job_progress(export, done=2)
    with transaction.atomic():
        export.file.save(f"posters-{export.pk}.pdf", ContentFile(pdf), save=False)
        export.size, export.pages = len(pdf), pages
        export.save(update_fields=["file", "size", "pages"])
    job_progress(export, done=EXPORT_STEPS)
    job_succeed(export, _("%(n)s pages.") % {"n": pages})
    return export
