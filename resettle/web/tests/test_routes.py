"""Every address belongs to one page: two apps that declare the same route would leave the
second unreachable, and its tests would hit the first's view."""

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver


def _routes(patterns, prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found.extend(_routes(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


def test_no_two_pages_share_an_address():
    # The API's operations share a path per method (ninja dispatches them); its paths are
    # checked through the OpenAPI schema instead.
    counts = Counter(r for r in _routes(get_resolver().url_patterns) if not r.startswith("api/"))

    assert [route for route, times in counts.items() if times > 1] == []
