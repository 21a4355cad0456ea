"""Contact lists read a fixed number of queries however many rows there are (5 and 50, the same
count): the API list across people, one person's contacts page and API list, and the whole
family's support. Partners' notes are in every list, so the audit of their reading is measured
too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from resettle.access import policy
from resettle.access import services as access_services
from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditEvent
from resettle.cases import services as case_services
from resettle.contacts import services
from resettle.contacts.tests.conftest import signed_in
from resettle.custody.tests.conftest import days
from resettle.custody.tests.conftest import make_agreement as share_casework
from resettle.people import services as people_services
from resettle.people.choices import ContactWishes
from resettle.people.tests.sharing import make_agreement

pytestmark = pytest.mark.django_db


def _contact(actor, case, n: int, **data) -> None:
    data = {
        "kind": "face_to_face",
        "happened_at": timezone.now() - timedelta(hours=n + 1),
        "outcome": "attended",
        "duration_minutes": 30,
        "pathways": ["health", "accommodation"],
        "note": f"Talked about sleep ({n}).",
    } | data
    services.contact_record(actor=actor, case=case, data=data)


def _open(actor, person):
    return case_services.case_open(
        actor=actor, person=person, opened_on=days(-30), worker=actor.user
    )


def _measure(count_queries, calls) -> list[tuple[int, object]]:
    measured = []
    for who, url in calls:
        with count_queries() as queries:
            response = who.get(url)
        assert response.status_code == 200, (url, response.content)
        measured.append((len(queries), response))
    return measured


def test_the_contact_list_reads_a_fixed_number_of_queries(count_queries, cast, make_person, api_as):
    """Each person has a contact of the lead charity's and one of the family charity's (whose
    non-sensitive notes the lead charity may read); a sensitive one stays with its writer."""
    share_casework(cast)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            person = make_person(
                cast.caseworker, cast.family, given_name=f"Sam{n}", family_name="Count"
            )
            own, partners = _open(cast.caseworker, person), _open(cast.family, person)
            _contact(cast.caseworker, own, n)
            _contact(cast.family, partners, n, kind="phone")
            _contact(cast.family, partners, n, sensitive=True, note="Only for the family team.")

    caseworker, family = api_as(cast.caseworker), api_as(cast.family)
    # At most 40 rows, 20 people, a page: the audit of a page is one insert only up to 49 events
    # on SQLite (Django's 999 parameters a query, 20 columns an event), past that one more.
    calls = [
        (caseworker, "/api/v1/contacts"),
        (caseworker, "/api/v1/contacts?page_size=40"),
        (caseworker, "/api/v1/contacts?outcome=attended&page_size=40"),
        (family, "/api/v1/contacts?page_size=40"),
    ]
    _measure(count_queries, calls)  # a token's first use is recorded once
    add(5, 0)
    few = _measure(count_queries, calls)
    add(45, 5)
    many = _measure(count_queries, calls)
    assert [response.json()["count"] for _n, response in few] == [10, 10, 10, 15]
    bodies = [response.json() for _n, response in many]
    assert [b["count"] for b in bodies] == [100, 100, 100, 150]
    shown = bodies[1]["results"]
    assert len(shown) == 40 and {c["organisation"] for c in shown} == {
        str(cast.lead_charity.pk),
        str(cast.family_charity.pk),
    }
    # The partner's notes were shown, and their reading recorded for every person on the page.
    people = {c["person"] for c in shown}
    read = AuditEvent.objects.filter(
        user_id=cast.caseworker.user.pk, action="read", category="case_notes"
    )
    assert len(people) == 20
    assert {str(p) for p in read.values_list("person_id", flat=True)} >= people
    assert [n for n, _response in many] == [n for n, _response in few]


def test_a_persons_contacts_read_a_fixed_number_of_queries(
    count_queries, cast, make_person, api_as
):
    share_casework(cast)
    person = make_person(cast.caseworker, cast.family, given_name="Sam", family_name="Okafor")
    own, partners = _open(cast.caseworker, person), _open(cast.family, person)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            _contact(cast.caseworker, own, n, sensitive=n % 3 == 0)
            _contact(
                cast.family,
                partners,
                n,
                kind="phone",
                outcome="did_not_attend",
                duration_minutes=None,
            )

    page, api = signed_in(cast.caseworker), api_as(cast.caseworker)
    url = f"/people/{person.pk}/contacts/"
    calls = [
        (page, url),
        (page, f"{url}?sort=oldest"),
        (page, f"{url}?outcome=did_not_attend"),
        (api, f"/api/v1/contacts?person={person.pk}&page_size=100"),
    ]
    _measure(count_queries, calls)  # the first request after signing in saves the session
    add(5, 0)
    few = _measure(count_queries, calls)
    add(45, 5)
    many = _measure(count_queries, calls)
    assert "10 contacts" in few[0][1].content.decode()
    assert "100 contacts" in many[0][1].content.decode()
    assert "50 contacts match the filters" in many[2][1].content.decode()
    assert len(many[0][1].context["contacts"]) == 25
    assert many[3][1].json()["count"] == 100
    assert [n for n, _response in many] == [n for n, _response in few]


def test_family_support_reads_a_fixed_number_of_queries(count_queries, cast, make_person):
    """The leaver's family: relatives in and out of the household, each with their live cases of
    two organisations; one in five wants no contact."""
    make_agreement(
        cast.partnership,
        owner=cast.family_charity,
        categories=[Category.FAMILY_CHILDREN, Category.CASE_NOTES],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
    )
    leaver = make_person(cast.family, cast.caseworker, given_name="Dean", family_name="Holt")
    _open(cast.family, leaver)
    _open(cast.caseworker, leaver)
    household = people_services.household_create(
        actor=cast.family, name="Holt household", member_ids=[leaver.pk]
    )
    kinds = ["child", "sibling", "parent", "partner", "other"]

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            relative = make_person(
                cast.family, cast.caseworker, given_name=f"Kin{n}", family_name="Holt"
            )
            people_services.relationship_set(
                actor=cast.family,
                person=leaver,
                related_person=relative,
                kind=kinds[n % len(kinds)],
                lives_with=n % 2 == 0,
                contact_wishes=ContactWishes.NO_CONTACT if n % 5 == 4 else ContactWishes.HAPPY,
            )
            if n % 2 == 0:
                people_services.household_member_add(
                    actor=cast.family, household=household, person=relative
                )
            _open(cast.family, relative)
            _open(cast.caseworker, relative)

    client = signed_in(cast.family)
    url = f"/people/{leaver.pk}/family/support/"
    _measure(count_queries, [(client, url)])  # the first request after signing in saves the session
    add(5, 0)
    few = _measure(count_queries, [(client, url)])
    add(45, 5)
    many = _measure(count_queries, [(client, url)])
    support = many[0][1].context["support"]
    assert len(support.members) == 50
    shown = [m for m in support.members if m.person is not None]
    assert len(shown) == 40 and all(len(m.cases) == 2 for m in shown)
    body = many[0][1].content.decode()
    assert "Kin48 Holt" in body and body.count("No contact wanted</strong>") == 10
    assert len(few[0][1].context["support"].members) == 5
    # Reading the family information of the leaver and of each relative shown is recorded.
    read = AuditEvent.objects.filter(
        user_id=cast.family.user.pk, action="read", category="family_children"
    )
    assert read.values("person_id").distinct().count() == 41
    assert [n for n, _response in many] == [n for n, _response in few]


def test_family_support_read_in_bulk_shows_the_cases_a_break_glass_opens(cast, make_person):
    """Relatives' cases are read for all of them at once (the list rule), and one by one for a
    relative whose case notes a safeguarding lead opened by break-glass, which lists leave out:
    each relative shows exactly the live cases `cases_for_person` gives."""
    make_agreement(
        cast.partnership,
        owner=cast.family_charity,
        categories=[Category.FAMILY_CHILDREN],
        kinds=[OrganisationKind.LEAD_CHARITY],
    )
    lead = cast.safeguarding
    leaver = make_person(lead, cast.family, given_name="Dean", family_name="Holt")
    opened, closed = (
        make_person(lead, cast.family, given_name=name, family_name="Holt")
        for name in ("Opened", "Closed")
    )
    for relative in (opened, closed):
        people_services.relationship_set(
            actor=lead, person=leaver, related_person=relative, kind="sibling"
        )
        _open(lead, relative)
        _open(cast.family, relative)
    access_services.break_glass_open(
        actor=lead,
        person=opened,
        category=Category.CASE_NOTES,
        reason="Police report of a threat tonight.",
        hours=4,
    )
    response = signed_in(lead).get(f"/people/{leaver.pk}/family/support/")
    cases = {m.person.given_name: m.cases for m in response.context["support"].members}
    assert {c.organisation for c in cases["Opened"]} == {cast.lead_charity, cast.family_charity}
    assert {c.organisation for c in cases["Closed"]} == {cast.lead_charity}
    for relative in (opened, closed):
        expected = policy.cases_for_person(lead, relative).exclude(state="closed")
        assert set(cases[relative.given_name]) == set(expected)
