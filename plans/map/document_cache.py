"""The draft plan document, built once per change of what it reads, not once per page view.

A page that shows the draft (a section, the public preview, the comparison with the last
version) asks ``document_for_page``. The document is kept in the cache under a key made of
the coalition, the audience, the plan's language, the active release and two generations:
the coalition's and a global one. A generation is a random token replaced whenever a row the
document reads is saved or deleted, so the next page builds afresh and an entry built from
older rows is never read again (no counter to lose: an evicted token is simply a new one).

The generations are replaced from ``post_save``/``post_delete`` of the models the document
reads, not from each service: every path that writes them (services, the admin, imports,
restores, another helper's new service) then invalidates, and a forgotten call cannot leave
a stale plan on screen. Writes that bypass signals (``QuerySet.update``, ``bulk_create``,
the metric import's ``COPY``) are covered by the rows saved around them (the job row, the
release) or by calling ``plan_inputs_changed`` directly. Each replacement is done at once
and again when the transaction commits, so a page that read the old rows between the two
cannot keep its document under the new token. Freezing a version and exports always build
afresh (``build_document``); only pages read the cache, and entries expire after an hour
as a last safety net.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from coalitions.models import Coalition
from metrics.selectors import release_active
from plans.map import document as doc_module

TIMEOUT = 60 * 60
# Past this many coalitions changed at once, forgetting every coalition's documents is cheaper.
MANY = 50
GLOBAL = "mapdoc:gen:all"
WATCHED_APPS = frozenset({"accounts", "coalitions", "metrics", "plans"})
# Rows of those apps the document never reads: saved often (progress, notifications), they
# would only throw good documents away.
IGNORED = frozenset(
    {
        "plans.planexport",
        "plans.mapversion",
        "plans.notification",
        "plans.revision",
        "plans.comment",
        "coalitions.coalitionevent",
        "coalitions.invitation",
        "coalitions.bulkinvitation",
        "accounts.apitoken",
    }
)
# How a row without a coalition of its own reaches one: Milestone.action, Review.round, ...
PARENTS = ("action", "round", "response", "dataset", "priority_area", "element")


def _generation_key(coalition_id: int | None) -> str:
    return GLOBAL if coalition_id is None else f"mapdoc:gen:{coalition_id}"


def _bump(coalition_id: int | None) -> None:
    cache.set(_generation_key(coalition_id), uuid.uuid4().hex, None)


def plan_inputs_changed(coalition_id: int | None) -> None:
    """Forget the cached documents of one coalition (every coalition: ``None``)."""
    _bump(coalition_id)
    transaction.on_commit(lambda: _bump(coalition_id))


def plan_inputs_changed_many(coalition_ids: Iterable[int]) -> None:
    """``plan_inputs_changed`` for many coalitions at once, for a job that wrote their rows
    without signals (the release update): one cache write for a few, and past ``MANY`` the
    global generation (every coalition's documents: the database cache writes key by key,
    and a release that changed that many coalitions changed the pages of most)."""
    ids = list(coalition_ids)
    if len(ids) > MANY:
        plan_inputs_changed(None)
    elif ids:
        keys = [_generation_key(cid) for cid in ids]

        def bump() -> None:
            cache.set_many({key: uuid.uuid4().hex for key in keys}, None)

        bump()
        transaction.on_commit(bump)


def _generations(coalition_id: int) -> tuple[str, str]:
    keys = [_generation_key(coalition_id), GLOBAL]
    found = cache.get_many(keys)
    out = []
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key) or ""
        out.append(found[key])
    return out[0], out[1]


def document_for_page(
    coalition: Coalition, *, audience: str = doc_module.INTERNAL, language: str = ""
) -> dict:
    """The draft document as ``build_document`` makes it (in ``language``, one of the plan's;
    empty: its own), from the cache when nothing it reads changed since it was built."""
    mine, every = _generations(coalition.pk)
    release = release_active()
    key = ":".join(
        str(part)
        for part in (
            "mapdoc",
            coalition.pk,
            audience,
            # The plan's languages are among its settings: a change replaces ``mine``.
            language or "plan",
            release.pk if release else 0,
            mine,
            every,
        )
    )
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        document = doc_module.build_document(coalition, audience=audience, language=language)
        cache.set(key, document, TIMEOUT)
    return document


def _coalition_of(instance: models.Model) -> int | None:
    """The coalition a row belongs to; None for shared rows (metrics, releases, users)."""
    if isinstance(instance, Coalition):
        return instance.pk
    found = getattr(instance, "coalition_id", None)
    if found is not None:
        return found
    for name in PARENTS:
        if getattr(instance, f"{name}_id", None) is not None:
            try:
                return getattr(getattr(instance, name), "coalition_id", None)
            except models.ObjectDoesNotExist:  # deleted with its parent: the parent bumps
                return None
    return None


def _names_changed(**kwargs: Any) -> bool:
    """Whether a user's save may change a name or address a plan prints. A new account is
    in no coalition yet: a sign-up must do the same work for a new address as for a known
    one (tests/accounts/test_signup_equal_work.py), and a sign-in changes no name."""
    if kwargs.get("created"):
        return False
    fields = kwargs.get("update_fields")
    return fields is None or bool(set(fields) & {"name", "email"})


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    meta = sender._meta
    if meta.app_label not in WATCHED_APPS or meta.label_lower in IGNORED:
        return
    if meta.app_label == "accounts" and meta.model_name != "user":
        return
    if meta.app_label == "accounts" and not _names_changed(**kwargs):
        return
    plan_inputs_changed(_coalition_of(instance))


def signals_connect() -> None:
    post_save.connect(_changed, dispatch_uid="mapdoc-save")
    post_delete.connect(_changed, dispatch_uid="mapdoc-delete")
