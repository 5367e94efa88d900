"""Values computed once per request (or per explicit scope) and shared by everything it calls.

A page asks for the metric catalog, the active release or a coalition's metric values from
many helpers; ``request_memo`` lets each helper stay a plain function while the page reads
the database once. Outside a request or a ``request_cache_scope`` nothing is kept, so a
service, a task or a test always sees the database as it is now.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

T = TypeVar("T")
_store: ContextVar[dict[Hashable, Any] | None] = ContextVar("request_cache", default=None)


def request_memo(key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, computed once per request or scope under ``key`` (every time outside one).

    Kept per language: catalog rows carry their names in the language active when read, and a
    request may build a plan in another language than its page's."""
    store = _store.get()
    if store is None:
        return make()
    key = (key, get_language())
    if key not in store:
        store[key] = make()
    return store[key]


@contextmanager
def request_cache_scope() -> Iterator[dict[Hashable, Any]]:
    """Share values within the block (a task building a document, a benchmark); nested
    scopes reuse the outer one."""
    if _store.get() is not None:
        yield _store.get()  # type: ignore[misc]
        return
    token = _store.set({})
    try:
        yield _store.get()  # type: ignore[misc]
    finally:
        _store.reset(token)


class RequestCacheMiddleware:
    """Gives every request its own ``request_memo`` store, dropped when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _store.set({})
        try:
            return self.get_response(request)
        finally:
            _store.reset(token)
