"""Values kept for one request or scope, and never beyond it."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from core.request_cache import RequestCacheMiddleware, request_cache_scope, request_memo


def _counter():
    made = []

    def make():
        made.append(1)
        return len(made)

    return made, make


def test_outside_a_request_nothing_is_kept():
    made, make = _counter()
    assert [request_memo("k", make), request_memo("k", make)] == [1, 2]


def test_a_scope_keeps_a_value_until_it_ends_and_nested_scopes_share_it():
    made, make = _counter()
    with request_cache_scope():
        assert request_memo("k", make) == 1
        with request_cache_scope():
            assert request_memo("k", make) == 1
        assert request_memo("k", make) == 1
    assert request_memo("k", make) == 2


def test_each_request_gets_its_own_store():
    made, make = _counter()
    seen = []

    def view(request):
        seen.append((request_memo("k", make), request_memo("k", make)))
        return HttpResponse()

    middleware = RequestCacheMiddleware(view)
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().get("/"))
    assert seen == [(1, 1), (2, 2)]
    assert request_memo("k", make) == 3  # and nothing is left after the response
