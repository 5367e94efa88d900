"""Follow a newly activated Mobility Metrics release into every linked measure and goal.

When staff activate a release (metrics.services.release_activate) a ``ReleaseUpdate`` job reads
the observations every measure and headline goal linked to a metric (``metric_variable``)
needs, for every coalition, and brings their values from the metrics up to date: new years,
revised values (value or bounds), values whose quality flag changed. Each coalition with
changes gets a ``ReleaseChange`` (the dashboard's "what changed" notice) and each of its
members an in-app notification. A period with a value typed by hand keeps it.

The work is three reads (owners, observations, values already taken from the metrics) and
bulk writes, whatever the number of coalitions.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from accounts.models import User
from coalitions.models import Membership
from core.jobs import job_enqueue_on_commit, job_progress, job_save_once, job_succeed
from metrics.models import Metric, Observation, Release
from metrics.parsing import YEAR_RANGE
from notifications.services import Recipient
from plans.map.document_cache import plan_inputs_changed_many
from plans.map.models import HeadlineGoal, Measure
from plans.tracking.models import ReleaseChange, ReleaseUpdate, TrackedValue, ValueSource
from plans.tracking.notify import RELEASE_CHANGES, notifications_create_many

logger = logging.getLogger(__name__)
BUSY = gettext_lazy("The measures are already being updated from this release.")
# Values differing by less than this are the same number written again.
EPSILON = 1e-9


@dataclass(frozen=True)
class Owner:
    """A linked measure or goal as the update reads it."""

    kind: str  # "measure" | "goal"
    pk: int
    coalition_id: int
    geography_id: int
    metric_id: int
    label: str
    unit: str
    subgroups: tuple[str, ...]  # the named subgroups it follows, besides everyone


class Reading(NamedTuple):
    """One observation as the update compares it: a tuple (quick to make, and the garbage
    collector stops following tuples of numbers), not a frozen dataclass."""

    value: float
    lower: float | None
    upper: float | None
    quality: int | None


def release_update_start(*, actor: User | None, release: Release) -> ReleaseUpdate:
    """Queue the update of every linked measure and goal from ``release`` (one at a time)."""
    from plans.tracking.tasks import release_update_run_task

    job = job_save_once(ReleaseUpdate(release=release, started_by=actor), busy_message=BUSY)
    job_enqueue_on_commit(job, release_update_run_task)
    return job


def release_activated(*, actor: User | None, release: Release) -> ReleaseUpdate | None:
    """What activating a release starts: the update, unless one of it is already waiting."""
    try:
        return release_update_start(actor=actor, release=release)
    except ValidationError:
        return None  # an update of this release is pending or running: it reads the same data


def _owners(metric_ids: dict[str, int], only: Measure | HeadlineGoal | None = None) -> list[Owner]:
    """Every linked measure and goal (or just ``only``) whose coalition has a place."""
    owners = []
    measure_rows = Measure.objects.all() if only is None else Measure.objects.filter(pk=only.pk)
    goal_rows = (
        HeadlineGoal.objects.all() if only is None else HeadlineGoal.objects.filter(pk=only.pk)
    )
    if isinstance(only, Measure):
        goal_rows = goal_rows.none()
    elif isinstance(only, HeadlineGoal):
        measure_rows = measure_rows.none()
    measures = (
        measure_rows.exclude(metric_variable="")
        .filter(coalition__geography__isnull=False)
        .values_list(
            "pk",
            "coalition_id",
            "coalition__geography_id",
            "metric_variable",
            "measure",
            "element_text",
            "unit",
            "subgroups",
            "gap_subgroup",
        )
    )
    for pk, cid, gid, variable, text, element, unit, subgroups, gap in measures:
        if variable in metric_ids:
            groups = {str(s) for s in subgroups or []} | ({gap} if gap else set())
            owners.append(
                Owner(
                    "measure",
                    pk,
                    cid,
                    gid,
                    metric_ids[variable],
                    text or element,
                    unit,
                    tuple(sorted(groups)),
                )
            )
    goals = (
        goal_rows.exclude(metric_variable="")
        .filter(coalition__geography__isnull=False)
        .values_list(
            "pk",
            "coalition_id",
            "coalition__geography_id",
            "metric_variable",
            "indicator",
            "unit",
            "subgroup",
        )
    )
    for pk, cid, gid, variable, indicator, unit, subgroup in goals:
        if variable in metric_ids:
            owners.append(
                Owner(
                    "goal",
                    pk,
                    cid,
                    gid,
                    metric_ids[variable],
                    indicator,
                    unit,
                    (subgroup,) if subgroup else (),
                )
            )
    return owners


def observations_read(
    release: Release, owners: Iterable[Owner]
) -> dict[tuple[int, int], dict[tuple[str, int], Reading]]:
    """{(geography, metric): {(subgroup name or "", year): Reading}} of what the owners
    follow, in one query (the read the benchmark compares the whole update with)."""
    owners = list(owners)
    geographies = {o.geography_id for o in owners}
    metrics = {o.metric_id for o in owners}
    names = {s for o in owners for s in o.subgroups}
    if not owners:
        return {}
    rows = Observation.objects.filter(
        release=release,
        year__in=list(range(YEAR_RANGE[0], YEAR_RANGE[1] + 1)),
        geography_id__in=geographies,
        metric_id__in=metrics,
        value__isnull=False,
    ).values_list(
        "geography_id",
        "metric_id",
        "subgroup__subgroup_type",
        "subgroup__name",
        "year",
        "value",
        "lb",
        "ub",
        "quality",
    )
    found: dict[tuple[int, int], dict[tuple[str, int], Reading]] = defaultdict(dict)
    for gid, mid, sub_type, sub_name, year, value, lb, ub, quality in rows.iterator(2000):
        if sub_type == "all":
            key = ""
        elif sub_name in names:
            key = sub_name
        else:
            continue
        found[(gid, mid)][(key, year)] = Reading(value or 0.0, lb, ub, quality)  # never None here
    return found


# A saved value as the update reads it: (pk, source, value, lower, upper, quality). A plain
# tuple, not a model instance or a dataclass: the update reads one per value of every owner.
Saved = tuple[int, str, float, float | None, float | None, int | None]
# A value to rewrite: (pk, value, lower, upper, quality).
Revision = tuple[int, float, float | None, float | None, int | None]
# A value to add: these fields of TrackedValue, in this order (the others take their default).
NEW_FIELDS = (
    "coalition_id",
    "measure_id",
    "goal_id",
    "period",
    "date",
    "subgroup",
    "value",
    "lower",
    "upper",
    "quality",
    "source",
    "source_detail",
)


def _existing(owners: list[Owner]) -> dict[tuple[str, int], dict[tuple[str, str], Saved]]:
    """{(kind, owner id): {(subgroup, period): Saved}} of the owners' saved values."""
    found: dict[tuple[str, int], dict[tuple[str, str], Saved]] = defaultdict(dict)
    fields = ("pk", "source", "value", "lower", "upper", "quality")
    for kind in ("measure", "goal"):
        ids = [o.pk for o in owners if o.kind == kind]
        for start in range(0, len(ids), 5000):
            rows = TrackedValue.objects.filter(
                **{f"{kind}_id__in": ids[start : start + 5000]}
            ).values_list(f"{kind}_id", "subgroup", "period", *fields)
            for owner_id, subgroup, period, *rest in rows:
                found[(kind, owner_id)][(subgroup, period)] = tuple(rest)
    return found


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(a - b) > EPSILON * max(1.0, abs(a), abs(b))


def _item(
    owner: Owner, kind: str, subgroup: str, year: int, old: Saved | None, new: Reading
) -> dict:
    return {
        "owner": owner.kind,
        "id": owner.pk,
        "label": owner.label,
        "unit": owner.unit,
        "subgroup": subgroup,
        "period": str(year),
        "change": kind,
        "old": None if old is None else old[2],
        "new": new.value,
        "old_quality": None if old is None else old[5],
        "new_quality": new.quality,
    }


def changes_compute(
    owners: list[Owner],
    readings: dict[tuple[int, int], dict[tuple[str, int], Reading]],
    existing: dict[tuple[str, int], dict[tuple[str, str], Saved]],
    *,
    release_name: str,
) -> tuple[list[tuple], list[Revision], dict[int, list[dict]]]:
    """(values to create as ``NEW_FIELDS`` tuples, values to rewrite, change items by
    coalition)."""
    create: list[tuple] = []
    update: list[Revision] = []
    items: dict[int, list[dict]] = defaultdict(list)
    detail = _("Release %(name)s") % {"name": release_name}
    metrics = ValueSource.METRICS.value
    for owner in owners:
        measure_id, goal_id = (owner.pk, None) if owner.kind == "measure" else (None, owner.pk)
        saved = existing.get((owner.kind, owner.pk), {})
        wanted = {"", *owner.subgroups}
        for (subgroup, year), reading in sorted(
            readings.get((owner.geography_id, owner.metric_id), {}).items()
        ):
            if subgroup not in wanted:
                continue
            old = saved.get((subgroup, str(year)))
            if old is None:
                create.append(
                    (
                        owner.coalition_id,
                        measure_id,
                        goal_id,
                        str(year),
                        dt.date(year, 12, 31),
                        subgroup,
                        reading.value,
                        reading.lower,
                        reading.upper,
                        reading.quality,
                        metrics,
                        detail,
                    )
                )
                items[owner.coalition_id].append(_item(owner, "new", subgroup, year, None, reading))
                continue
            pk, source, value, lower, upper, quality = old
            if source != metrics:
                continue  # a person's value for the year stays
            # Most values are the same number again: ``!=`` settles those without a call.
            revised = (
                (value != reading.value and _differs(value, reading.value))
                or (lower != reading.lower and _differs(lower, reading.lower))
                or (upper != reading.upper and _differs(upper, reading.upper))
            )
            requalified = quality != reading.quality
            if not (revised or requalified):
                continue
            kind = "revised" if revised else "quality"
            items[owner.coalition_id].append(_item(owner, kind, subgroup, year, old, reading))
            update.append((pk, reading.value, reading.lower, reading.upper, reading.quality))
    return create, update, items


def _notify(release: Release, items: dict[int, list[dict]]) -> None:
    """One notification per member of every coalition with changes, each the way the member
    chose for release changes (one preference read and batched writes)."""
    members = Membership.objects.filter(coalition_id__in=list(items))
    links = list(members.values_list("coalition_id", "user_id"))
    users = User.objects.only("id", "language", "is_active").in_bulk({uid for _c, uid in links})
    urls = {cid: reverse("coalitions:detail", args=[cid]) for cid in items}
    notifications_create_many(
        kind=RELEASE_CHANGES,
        # Written in each member's language, like notification_send.
        text=ngettext_lazy(
            "The Mobility Metrics release %(release)s changed %(count)s value of your "
            "measures and goals.",
            "The Mobility Metrics release %(release)s changed %(count)s values of your "
            "measures and goals.",
            "count",
        ),
        recipients=[
            Recipient(
                user=users[uid],
                coalition_id=cid,
                params={"release": release.name, "count": len(items[cid])},
                url=urls[cid],
            )
            for cid, uid in links
        ],
    )


def _insert(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert rows (values prepared for the database) without signals or model objects:
    ``COPY`` on PostgreSQL, one prepared ``INSERT`` run for every row elsewhere.
    ``bulk_create`` costs more than the rest of the job together: on PostgreSQL it sends
    every column as an array that the driver quotes element by element in Python (a
    notice's items, a value's texts), on SQLite it writes 66 rows per statement (999
    parameters) and builds each statement in Python."""
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns)
    # Only names from the models' own metadata go into the text; the rows are parameters.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {q(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {q(table)} ({names}) VALUES ({marks})", list(rows))  # noqa: S608


def _values_create(values: list[tuple]) -> None:
    """Insert new values (``NEW_FIELDS`` tuples)."""
    if not values:
        return
    meta = TrackedValue._meta
    others = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in NEW_FIELDS]
    column = {f.attname: f.column for f in meta.concrete_fields}
    # The other columns take their default, the same for every row of this job.
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    date = NEW_FIELDS.index("date")
    prepare = meta.get_field("date").get_db_prep_save
    _insert(
        meta.db_table,
        [column[name] for name in NEW_FIELDS] + [f.column for f in others],
        ((*v[:date], prepare(v[date], connection), *v[date + 1 :], *defaults) for v in values),
    )


def _notices_create(
    job: ReleaseUpdate | None, release: Release, items: dict[int, list[dict]]
) -> None:
    """One "what changed" notice per coalition with changes."""
    fields = [f for f in ReleaseChange._meta.concrete_fields if not f.primary_key]
    notices = (
        ReleaseChange(coalition_id=cid, release=release, update=job, items=found)
        for cid, found in items.items()
    )
    _insert(
        ReleaseChange._meta.db_table,
        [f.column for f in fields],
        (
            tuple(f.get_db_prep_save(f.pre_save(n, True), connection) for f in fields)
            for n in notices
        ),
    )


def _array(numbers: Iterable[float | int | None]) -> str:
    """A PostgreSQL array literal of numbers: joined in one go (the driver would dump
    each number in turn). ``repr`` of a float reads back as the same float."""
    return "{" + ",".join("NULL" if n is None else repr(n) for n in numbers) + "}"


def _values_update(values: list[Revision], detail: str) -> None:
    """Rewrite revised values: on PostgreSQL one ``UPDATE … FROM unnest(arrays)`` (numbers
    only, sent as array literals), elsewhere one prepared ``UPDATE`` run for every row (SQLite runs
    it in-process). ``bulk_update`` builds a CASE per column and row, which took most of the
    job's time."""
    if not values:
        return
    q = connection.ops.quote_name
    table = q(TrackedValue._meta.db_table)
    names = ("value", "lower", "upper", "quality")
    # Only names from the model's own metadata go into the text; every value is a parameter.
    if connection.vendor == "postgresql":
        columns = ", ".join(f"{q(c)} = v.{c}" for c in names)
        sql = (
            f"UPDATE {table} SET {columns}, {q('source_detail')} = %s "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::float8[], %s::float8[], %s::float8[], "
            "%s::smallint[]) AS v(id, value, lower, upper, quality) "
            f"WHERE {table}.{q('id')} = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [detail, *map(_array, zip(*values, strict=True))])
        return
    columns = ", ".join(f"{q(c)} = %s" for c in names)
    sql = f"UPDATE {table} SET {columns}, {q('source_detail')} = %s WHERE {q('id')} = %s"  # noqa: S608
    rows = [(v, lo, up, qual, detail, pk) for pk, v, lo, up, qual in values]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def owners_sync(release: Release, owners: list[Owner]) -> tuple[int, int, dict[int, list[dict]]]:
    """Bring the owners' metric values up to date with ``release``: (added, revised, items).
    The rows are written without signals: the coalitions changed forget their cached plan
    documents here."""
    readings = observations_read(release, owners)
    create, update, items = changes_compute(
        owners, readings, _existing(owners), release_name=release.name
    )
    _values_create(create)
    _values_update(update, _("Release %(name)s") % {"name": release.name})
    plan_inputs_changed_many(items)
    return len(create), len(update), items


def release_update_run(*, job: ReleaseUpdate) -> ReleaseUpdate:
    """The job: update every linked measure and goal of every coalition from the release."""
    release = job.release
    metric_ids = dict(Metric.objects.values_list("variable", "pk"))
    owners = _owners(metric_ids)
    job_progress(job, done=0, total=len(owners))
    with transaction.atomic():
        added, revised, items = owners_sync(release, owners)
        _notices_create(job, release, items)
        _notify(release, items)
    job.values_added, job.values_revised, job.coalitions_changed = added, revised, len(items)
    # An update, not save(): the coalitions changed forgot their plan documents already.
    ReleaseUpdate.objects.filter(pk=job.pk).update(
        values_added=added, values_revised=revised, coalitions_changed=len(items)
    )
    job_progress(job, done=len(owners), total=len(owners))
    job_succeed(
        job,
        _("%(added)s values added and %(revised)s changed in %(coalitions)s coalitions.")
        % {"added": added, "revised": revised, "coalitions": len(items)},
    )
    logger.info("Release %s: %s values added, %s changed", release, added, revised)
    return job


def owner_metric_sync(owner: Measure | HeadlineGoal) -> int:
    """Fill one measure's or goal's values from the active release when it is linked to a
    metric (no notice: the person linking it sees the values). Returns the values added."""
    release = Release.objects.filter(is_active=True).first()
    if release is None or not owner.metric_variable:
        return 0
    metric_ids = dict(
        Metric.objects.filter(variable=owner.metric_variable).values_list("variable", "pk")
    )
    kind = "goal" if isinstance(owner, HeadlineGoal) else "measure"
    found = [o for o in _owners(metric_ids) if o.kind == kind and o.pk == owner.pk]
    added, _revised, _items = owners_sync(release, found)
    return added
