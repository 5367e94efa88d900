"""What a route classification is: shared by tests/test_routes.py and the apps' access matrices.

Each matrix module exposes its classifications as a plain ``ROUTES`` dict; tests/test_routes.py
imports those dicts by name and merges them. No module fills another module's list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass
class Route:
    # public | published | login | login-own | staff | api | api-own | api-staff | api-public
    # | admin | coalition
    kind: str
    kwargs: dict = field(default_factory=dict)
    method: str = "get"


def iter_routes(
    resolvers: list | None = None, prefix: str = "", namespace: str | None = None
) -> Iterator[tuple[str, str]]:
    """Every URL of the project as (namespaced name, pattern)."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from iter_routes(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = entry.name or f"<unnamed {pattern}>"
            yield (f"{namespace}:{name}" if namespace else name), pattern


def coalition_routes(*names: str) -> dict[str, Route]:
    """Routes under one coalition, checked per role by the matrix module that lists them."""
    return {name: Route("coalition") for name in names}
