"""Python's garbage collector in a process that serves pages.

A page makes some 100,000 objects, so the collector runs hundreds of times a request, and every
few requests a full collection walks every object the process holds: Django's and Resettle's
modules, compiled templates, URL patterns and prepared queries, none of which will ever be
garbage. Measured in-process at 1M people, full collections took 60-120 ms each, 4-5 ms per page
on average and the slowest requests' extra time. Frozen objects are left out of every collection,
so the process freezes what it holds once started and again after its first requests have filled
its caches; the garbage the pages make is still collected.
"""

import gc
from typing import Any

from django.core.signals import request_finished

# Requests after which what the process holds is frozen again (caches fill over the first ones).
FREEZE_AFTER = frozenset({1, 10, 100, 1000})
# Objects allocated between the youngest generation's collections (Python's default is 700: a
# page would collect it 150 times).
YOUNGEST_THRESHOLD = 10_000

_served = 0


def tune_for_serving() -> None:
    """For a web server's process, once the application is loaded."""
    _freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, older, oldest)
    request_finished.connect(_after_request, dispatch_uid="resettle.core.collection")


def _freeze() -> None:
    gc.collect()
    gc.freeze()


def _after_request(**kwargs: Any) -> None:
    # After the response has gone: the collection delays this worker's next request, not this one.
    global _served
    _served += 1
    if _served in FREEZE_AFTER:
        _freeze()
