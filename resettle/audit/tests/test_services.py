import json
from uuid import UUID

import pytest
from django.core.exceptions import ValidationError

from resettle.access.categories import Category
from resettle.audit.chain import event_hash
from resettle.audit.models import AuditAction, AuditEvent
from resettle.audit.services import (
    EventData,
    diff,
    record_event,
    record_events,
    record_read,
    record_reads,
)

pytestmark = pytest.mark.django_db


def test_an_event_snapshots_who_acted_for_which_organisation(cast, make_person, rf):
    person = make_person(cast.caseworker)
    request = rf.get("/people/x/", HTTP_USER_AGENT="Firefox", REMOTE_ADDR="10.1.2.3")

    event = record_event(
        actor=cast.caseworker,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        person=person,
        category=Category.CONTACT,
        changes={"phone": ["1", "2"]},
        request=request,
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.user_id == cast.caseworker.user_id
    assert stored.username == "caseworker"
    assert stored.user_name == cast.caseworker.user.get_full_name()
    assert stored.organisation_id == cast.lead_charity.pk
    assert stored.organisation_name == "New Leaf Northshire"
    assert stored.role == "caseworker"
    assert stored.object_id == str(person.pk)
    assert stored.person_id == person.pk
    assert stored.category == "contact"
    assert stored.changes == {"phone": ["1", "2"]}
    assert (stored.ip, stored.user_agent, stored.route) == ("10.1.2.3", "Firefox", "GET /people/x/")
    assert stored.at is not None
    assert event_hash(stored) == stored.hash


def test_a_user_acting_for_no_organisation_is_recorded_without_one(db, cast):
    event = record_event(actor=None, user=cast.admin.user, action=AuditAction.TOKEN_CREATED)

    assert (event.username, event.organisation_id, event.role) == ("admin", None, "")


def test_forwarded_addresses_are_ignored_unless_trusted(cast, rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.7")

    settings.AUDIT_TRUST_X_FORWARDED_FOR = False
    untrusted = record_event(actor=cast.caseworker, action=AuditAction.READ, request=request)
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    trusted = record_event(actor=cast.caseworker, action=AuditAction.READ, request=request)

    assert untrusted.ip == "10.0.0.1"
    # The address our own proxy saw (the last), not whatever the client wrote before it.
    assert trusted.ip == "192.0.2.7"


def test_what_a_client_sends_is_trimmed_and_cleaned(cast, rf):
    request = rf.get("/\x00path", HTTP_USER_AGENT="A\x00" + "x" * 1000, REMOTE_ADDR="not an ip")

    event = record_event(actor=cast.caseworker, action=AuditAction.READ, request=request)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.user_agent == ("A" + "x" * 1000)[:300]
    assert "\x00" not in stored.route
    assert stored.ip is None
    assert event_hash(stored) == stored.hash


def test_an_ipv6_address_survives_the_round_trip(cast, rf):
    request = rf.get("/", REMOTE_ADDR="2001:DB8:0:0::1")

    event = record_event(actor=cast.caseworker, action=AuditAction.READ, request=request)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.ip == "2001:db8::1"
    assert event_hash(stored) == stored.hash


def test_an_unknown_action_is_refused(cast):
    with pytest.raises(ValidationError):
        record_event(actor=cast.caseworker, action="peek")

    assert not AuditEvent.objects.exists()


def test_a_read_records_one_event_per_category(cast, make_person):
    person = make_person(cast.caseworker)

    events = record_read(
        actor=cast.caseworker,
        person=person,
        categories=[Category.IDENTITY, Category.HEALTH, Category.HEALTH],
    )

    assert [(e.action, e.category, e.person_id) for e in events] == [
        ("read", "identity", person.pk),
        ("read", "health", person.pk),
    ]
    first, second = AuditEvent.objects.order_by("id")
    assert (second.chain, second.seq) == (first.chain, first.seq + 1)
    assert second.prev_hash == first.hash


def test_a_read_costs_the_same_queries_however_many_categories(
    cast, make_person, django_assert_num_queries, django_assert_max_num_queries
):
    person = make_person(cast.caseworker)
    record_read(actor=cast.caseworker, person=person, categories=["identity"])

    with django_assert_max_num_queries(6) as one:
        record_read(actor=cast.caseworker, person=person, categories=["identity"])
    with django_assert_num_queries(len(one.captured_queries)):
        record_read(actor=cast.caseworker, person=person, categories=Category.values)


def test_many_reads_are_inserted_in_batches_each_event_given_its_own_id(cast, make_person):
    person = make_person(cast.caseworker)
    reads = [(person.pk, f"category-{n}") for n in range(2500)]  # more than one statement holds

    events = record_reads(actor=cast.caseworker, reads=reads)

    stored = {e.pk: e for e in AuditEvent.objects.all()}
    assert len(stored) == len(events) == 2500
    for event in events:
        assert (stored[event.pk].seq, stored[event.pk].category) == (event.seq, event.category)
        assert stored[event.pk].person_id == person.pk
        assert event_hash(stored[event.pk]) == event.hash
    seqs = sorted(e.seq for e in events)
    assert seqs == list(range(seqs[0], seqs[0] + 2500))


def test_a_bad_value_in_a_later_event_records_none_of_them(cast):
    good = EventData(action=AuditAction.READ, object_type="person", object_id="1")
    too_long = EventData(action=AuditAction.READ, object_type="x" * 51, object_id="2")

    with pytest.raises(ValidationError):
        record_events(actor=cast.caseworker, events=[good, good, too_long])

    assert not AuditEvent.objects.exists()


def test_a_read_of_nothing_records_nothing(cast, make_person):
    record_read(actor=cast.caseworker, person=make_person(cast.caseworker), categories=[])

    assert not AuditEvent.objects.exists()


def test_diff_lists_changed_fields_as_text():
    old = {"given_name": "Sam", "date_of_birth": None, "count": 1, "same": "x"}
    new = {"given_name": "Sammy", "date_of_birth": "1990-01-02", "count": 1, "same": "x", "new": 5}

    assert diff(old, new) == {
        "date_of_birth": [None, "1990-01-02"],
        "given_name": ["Sam", "Sammy"],
        "new": [None, "5"],
    }


def test_diff_of_the_same_values_is_empty():
    assert diff({"a": UUID(int=1)}, {"a": UUID(int=1)}) == {}


def test_a_chain_passing_a_multiple_of_the_checkpoint_interval_writes_a_checkpoint(
    cast, one_chain, settings, checkpoint_file, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_EVERY = 3
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            record_event(actor=cast.caseworker, action=AuditAction.READ)
    assert not checkpoint_file.exists()

    with django_capture_on_commit_callbacks(execute=True):
        third = record_event(actor=cast.caseworker, action=AuditAction.READ)

    [line] = checkpoint_file.read_text().splitlines()
    assert json.loads(line)["seq"] == third.seq == 3
