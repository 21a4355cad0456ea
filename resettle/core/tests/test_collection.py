import gc
import weakref

import pytest
from django.core.signals import request_finished

from resettle.core import collection


@pytest.fixture
def serving():
    """The collector as a serving process sets it, put back afterwards."""
    threshold = gc.get_threshold()
    gc.unfreeze()
    collection._served = 0
    collection.tune_for_serving()
    yield
    request_finished.disconnect(dispatch_uid="resettle.core.collection")
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_what_the_process_holds_once_started_is_frozen(serving):
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == collection.YOUNGEST_THRESHOLD


@pytest.mark.django_db  # the request's other receivers close its database connections
def test_what_the_first_requests_leave_is_frozen_again(serving):
    frozen = gc.get_freeze_count()
    kept = [[n] for n in range(1000)]  # a cache the first request filled
    request_finished.send(sender=None)
    assert gc.get_freeze_count() >= frozen + len(kept)
    # Not again until the tenth request.
    more = [[n] for n in range(1000)]
    for _ in range(8):
        request_finished.send(sender=None)
    assert gc.get_freeze_count() < frozen + len(kept) + len(more)
    request_finished.send(sender=None)
    assert gc.get_freeze_count() >= frozen + len(kept) + len(more)


def test_garbage_the_pages_make_is_still_collected(serving):
    class Node:
        pass

    cycle = Node()
    cycle.self = cycle
    gone = weakref.ref(cycle)
    del cycle
    assert gc.isenabled()
    gc.collect(0)  # the youngest generation: not frozen
    assert gone() is None
