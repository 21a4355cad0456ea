"""Need-to-know on the people pages: contact details and family information are shown only
to organisations an agreement (and, where it rests on consent, the person's consent) gives
them to; identity to anyone working with the person. Sensitive reads go in the audit trail."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditAction, AuditEvent
from resettle.partnerships.models import LawfulBasis
from resettle.people.categories import PERSON_FIELDS, RECORD_METADATA
from resettle.people.choices import AddressKind, ContactWishes, RelationshipKind
from resettle.people.models import Address, Household, HouseholdMember, Person, Relationship
from resettle.people.tests.sharing import make_household, make_relationship

pytestmark = pytest.mark.django_db

PHONE = "07700 900123"
EMAIL = "sam@example.com"
NOT_SHARED = "Contact details are not shared with your organisation"
FAMILY_NOT_SHARED = "is not shared with your organisation"
LEAD = OrganisationKind.LEAD_CHARITY
YESTERDAY = date.today() - timedelta(days=1)


@pytest.fixture
def sam(cast, make_person):
    """An adult the lead charity and the football trust work with, with contact details."""
    person = make_person(
        cast.caseworker,
        cast.coordinator,
        given_name="Sam",
        family_name="Reed",
        date_of_birth=date(1990, 1, 2),
        phone=PHONE,
        email=EMAIL,
        identifiers={"prison_number": "A1234BC"},
    )
    Address.objects.create(
        person=person, kind=AddressKind.HOME, line_1="1 Elm Road", postcode="SW1A 1AA"
    )
    return person


def detail(person: Person) -> str:
    return reverse("people:detail", args=[person.pk])


def reads(person: Person) -> list[str]:
    return list(
        AuditEvent.objects.filter(person_id=person.pk, action=AuditAction.READ)
        .order_by("id")
        .values_list("category", flat=True)
    )


def shows_contact(text: str) -> bool:
    return PHONE in text or EMAIL in text or "1 Elm Road" in text


# The map of fields to categories


def test_every_person_field_has_a_category_or_is_record_metadata():
    fields = {f.name for f in Person._meta.concrete_fields}
    assert fields == set(PERSON_FIELDS) | RECORD_METADATA
    assert not set(PERSON_FIELDS) & RECORD_METADATA


def test_identifiers_and_disability_are_identity_and_phone_is_contact():
    assert PERSON_FIELDS["disability"] == Category.IDENTITY
    assert PERSON_FIELDS["phone"] == PERSON_FIELDS["email"] == Category.CONTACT


# The summary page


def test_with_contact_shared_the_summary_shows_contact_details_and_change_links(
    client_as, cast, sam, share
):
    share(categories=[Category.CONTACT], kinds=[LEAD])
    response = client_as(cast.caseworker).get(detail(sam))
    assert response.status_code == 200
    assert PHONE in response.text and EMAIL in response.text and "1 Elm Road" in response.text
    assert NOT_SHARED not in response.text
    assert "#id_phone" in response.text
    assert reverse("people:add_address", args=[sam.pk]) in response.text


def test_without_an_agreement_the_summary_shows_identity_but_not_contact(client_as, cast, sam):
    response = client_as(cast.caseworker).get(detail(sam))
    assert response.status_code == 200
    assert "Sam Reed" in response.text
    # A prison number is a criminal-justice identifier, not identity.
    assert "A1234BC" not in response.text
    assert "2 January 1990" in response.text
    assert not shows_contact(response.text)
    assert NOT_SHARED in response.text
    assert "#id_phone" not in response.text
    assert reverse("people:add_address", args=[sam.pk]) not in response.text


def test_on_consent_the_summary_shows_contact_only_while_consent_covers_it(
    client_as, cast, sam, share, consent
):
    share(
        categories=[Category.CONTACT],
        kinds=[OrganisationKind.SPORT_TRUST],
        basis=LawfulBasis.CONSENT,
    )
    client = client_as(cast.coordinator)
    assert NOT_SHARED in client.get(detail(sam)).text

    given = consent(sam, categories=[Category.CONTACT], kinds=[OrganisationKind.SPORT_TRUST])
    assert PHONE in client.get(detail(sam)).text

    # Withdrawn mid-session: the next page load no longer shows it.
    given.withdrawn_on = date.today()
    given.save()
    text = client.get(detail(sam)).text
    assert not shows_contact(text) and NOT_SHARED in text


def test_consent_for_another_kind_of_organisation_does_not_share_contact(
    client_as, cast, sam, share, consent
):
    share(categories=[Category.CONTACT], kinds=[OrganisationKind.SPORT_TRUST], basis="consent")
    consent(sam, categories=[Category.CONTACT], kinds=[OrganisationKind.HOUSING])
    assert not shows_contact(client_as(cast.coordinator).get(detail(sam)).text)


def test_an_ended_agreement_no_longer_shares_contact(client_as, cast, sam, share):
    share(
        categories=[Category.CONTACT],
        kinds=[LEAD],
        starts_on=date.today() - timedelta(days=200),
        ends_on=date.today(),
    )
    assert not shows_contact(client_as(cast.caseworker).get(detail(sam)).text)


def test_a_childs_contact_details_are_not_shared_beyond_family_services(
    client_as, cast, make_person, share
):
    share(categories=[Category.CONTACT], kinds=[LEAD, OrganisationKind.FAMILY_SUPPORT])
    child = make_person(
        cast.caseworker, cast.family, date_of_birth=date.today() - timedelta(days=3650), phone=PHONE
    )
    assert PHONE not in client_as(cast.caseworker).get(detail(child)).text
    assert PHONE in client_as(cast.family).get(detail(child)).text


def test_an_agreement_that_covers_children_shares_a_childs_record_as_it_says(
    client_as, api_as, cast, make_person, share
):
    child = make_person(
        cast.caseworker, date_of_birth=date.today() - timedelta(days=3650), phone=PHONE
    )
    agreement = share(categories=[Category.CONTACT], kinds=[LEAD])
    agreement.covers_children = True
    agreement.save()

    assert PHONE in client_as(cast.caseworker).get(detail(child)).text
    listed = api_as(cast.caseworker).get(f"/api/v1/people/{child.pk}").json()
    assert listed["phone"] == PHONE
    # Only what it shares: a child's family information is still family services' alone.
    assert policy.can_view_category(cast.caseworker, child, Category.CONTACT)
    assert not policy.can_view_category(cast.caseworker, child, Category.FAMILY_CHILDREN)


def test_the_summary_records_what_it_showed(client_as, cast, sam, share):
    client = client_as(cast.caseworker)
    client.get(detail(sam))
    assert reads(sam) == [Category.IDENTITY]
    share(categories=[Category.CONTACT], kinds=[LEAD])
    client.get(detail(sam))
    assert reads(sam) == [Category.IDENTITY, Category.IDENTITY, Category.CONTACT]
    event = AuditEvent.objects.last()
    assert event.username == "caseworker"
    assert event.organisation_id == cast.lead_charity.pk
    assert event.route == f"GET {detail(sam)}"


def test_a_404_records_no_read(client_as, cast, sam):
    assert client_as(cast.housing).get(detail(sam)).status_code == 404
    assert reads(sam) == []


def test_the_summary_costs_the_same_queries_however_much_is_recorded(
    count_queries, client_as, cast, sam, share
):
    share(categories=[Category.CONTACT], kinds=[LEAD])
    client = client_as(cast.caseworker)
    client.get(detail(sam))  # sessions and the like settle on the first request

    def count() -> int:
        with count_queries() as queries:
            assert client.get(detail(sam)).status_code == 200
        return len(queries)

    before = count()
    for n in range(5):
        Address.objects.create(
            person=sam,
            kind=AddressKind.TEMPORARY,
            line_1=f"{n} Oak Road",
            postcode="SW1A 1AA",
            to_date=date(2020, 1, 1),
        )
        sam.other_names.create(kind="alias", family_name=f"Alias{n}")
    assert count() == before


# Changing details


def test_without_contact_the_edit_form_has_no_contact_fields_and_keeps_them(client_as, cast, sam):
    client = client_as(cast.caseworker)
    page = client.get(reverse("people:edit", args=[sam.pk]))
    assert "phone" not in page.context["form"].fields
    assert PHONE not in page.text and EMAIL not in page.text
    response = client.post(
        reverse("people:edit", args=[sam.pk]),
        {
            "given_name": "Samuel",
            "family_name": "Reed",
            "date_of_birth_day": "2",
            "date_of_birth_month": "1",
            "date_of_birth_year": "1990",
            "sex": "not_recorded",
            "gender_identity": "not_recorded",
            "pronouns": "not_recorded",
            "ethnicity": "not_recorded",
            "disability": "not_recorded",
            "prison_number": "A1234BC",
            # Sent anyway, by a crafted request: ignored, not saved.
            "phone": "0000",
            "email": "",
        },
    )
    assert response.status_code == 302
    sam.refresh_from_db()
    assert sam.given_name == "Samuel"
    assert (sam.phone, sam.email) == (PHONE, EMAIL)


def test_with_contact_the_edit_form_has_the_contact_fields(client_as, cast, sam, share):
    share(categories=[Category.CONTACT], kinds=[LEAD])
    form = client_as(cast.caseworker).get(reverse("people:edit", args=[sam.pk])).context["form"]
    assert form["phone"].value() == PHONE


def test_the_add_form_asks_for_contact_only_where_an_agreement_gives_them(client_as, cast, share):
    client = client_as(cast.caseworker)
    assert "phone" not in client.get(reverse("people:create")).context["form"].fields
    share(categories=[Category.CONTACT], kinds=[LEAD], basis=LawfulBasis.CONSENT)
    assert "phone" in client.get(reverse("people:create")).context["form"].fields


def test_without_contact_an_address_cannot_be_added(client_as, cast, sam):
    url = reverse("people:add_address", args=[sam.pk])
    client = client_as(cast.caseworker)
    assert client.get(url).status_code == 403
    response = client.post(url, {"kind": "home", "line_1": "9 Ash Road", "postcode": "SW1A 1AA"})
    assert response.status_code == 403
    assert "contact details are not shared" in response.text
    assert not Address.objects.filter(line_1="9 Ash Road").exists()


def test_without_contact_a_name_can_still_be_added(client_as, cast, sam):
    response = client_as(cast.caseworker).post(
        reverse("people:add_name", args=[sam.pk]), {"kind": "alias", "family_name": "Reid"}
    )
    assert response.status_code == 302


# The list and its htmx fragment


def test_the_list_and_its_fragment_never_show_contact_details(client_as, cast, sam, share):
    share(categories=[Category.CONTACT], kinds=[LEAD])
    client = client_as(cast.caseworker)
    page = client.get(reverse("people:list"))
    fragment = client.get(reverse("people:list"), {"q": "Sam Reed"}, headers={"HX-Request": "1"})
    for response in (page, fragment):
        assert "Sam Reed" in response.text
        assert not shows_contact(response.text)


# Family and households


@pytest.fixture
def reeds(cast, make_person, sam):
    """Sam's partner Pat, whom both the lead charity and the family charity work with, and
    their household."""
    pat = make_person(cast.caseworker, cast.family, given_name="Pat", family_name="Reed")
    make_relationship(
        sam, pat, RelationshipKind.PARTNER, lives_with=True, contact_wishes=ContactWishes.HAPPY
    )
    household = make_household("Reed, Elm Road", [sam, pat])
    return {"sam": sam, "pat": pat, "household": household}


def family(person: Person) -> str:
    return reverse("people:family", args=[person.pk])


def household_url(household: Household, view: str = "people:household_detail") -> str:
    return reverse(view, args=[household.pk])


def test_with_family_shared_the_family_page_shows_it_and_records_the_read(
    client_as, cast, reeds, share
):
    share(categories=[Category.FAMILY_CHILDREN], kinds=[LEAD])
    response = client_as(cast.caseworker).get(family(reeds["sam"]))
    assert response.status_code == 200
    assert "Pat Reed" in response.text
    assert household_url(reeds["household"]) in response.text
    assert reverse("people:add_relationship", args=[reeds["sam"].pk]) in response.text
    assert reads(reeds["sam"]) == [Category.FAMILY_CHILDREN]


def test_without_family_shared_the_family_page_says_so_and_shows_nothing(client_as, cast, reeds):
    response = client_as(cast.caseworker).get(family(reeds["sam"]))
    assert response.status_code == 200
    assert "Family information about Sam Reed" + " " + FAMILY_NOT_SHARED in response.text
    assert "Pat Reed" not in response.text
    assert "Reed, Elm Road" not in response.text
    assert reverse("people:add_relationship", args=[reeds["sam"].pk]) not in response.text
    assert reverse("people:household_create") not in response.text
    # The tab is still there, so the sections stay where they are.
    assert 'aria-current="page">Family</a>' in response.text
    assert reads(reeds["sam"]) == []


def test_when_consent_is_withdrawn_the_family_page_stops_showing_family(
    client_as, cast, reeds, share, consent
):
    share(categories=[Category.FAMILY_CHILDREN], kinds=[LEAD], basis=LawfulBasis.CONSENT)
    given = consent(reeds["sam"], categories=[Category.FAMILY_CHILDREN], kinds=[LEAD])
    client = client_as(cast.caseworker)
    assert "Pat Reed" in client.get(family(reeds["sam"])).text
    given.withdrawn_on = date.today()
    given.save()
    assert "Pat Reed" not in client.get(family(reeds["sam"])).text


def test_without_family_shared_family_changes_are_refused(client_as, cast, reeds):
    sam, pat = reeds["sam"], reeds["pat"]
    client = client_as(cast.caseworker)
    add = reverse("people:add_relationship", args=[sam.pk])
    assert client.get(add, {"q": "Pat"}).status_code == 403
    posted = client.post(
        add + "?q=Pat",
        {
            "related_person": str(pat.pk),
            "kind": RelationshipKind.SIBLING,
            "lives_with": "no",
            "contact_wishes": ContactWishes.HAPPY,
        },
    )
    assert posted.status_code == 403
    assert Relationship.objects.get(person=sam, related_person=pat).kind == "partner"
    create = reverse("people:household_create") + f"?person={sam.pk}"
    assert client.get(create).status_code == 403
    assert client.post(create, {"name": "New", "members": [str(sam.pk)]}).status_code == 403
    assert Household.objects.count() == 1


def test_without_family_shared_household_pages_are_not_found(client_as, cast, reeds):
    household = reeds["household"]
    member = household.members.get(person=reeds["sam"])
    client = client_as(cast.caseworker)
    for url in (
        household_url(household),
        household_url(household, "people:household_edit"),
        reverse("people:household_member_leave", args=[household.pk, member.pk]),
    ):
        assert client.get(url).status_code == 404, url
        if url != household_url(household):  # the household page itself only reads
            assert client.post(url, {"name": "Changed"}).status_code == 404, url
    household.refresh_from_db()
    member.refresh_from_db()
    assert household.name == "Reed, Elm Road" and member.left_on is None


def test_the_household_names_only_members_whose_family_is_shared(
    client_as, cast, reeds, share, consent
):
    share(categories=[Category.FAMILY_CHILDREN], kinds=[LEAD], basis=LawfulBasis.CONSENT)
    consent(reeds["pat"], categories=[Category.FAMILY_CHILDREN], kinds=[LEAD])
    client = client_as(cast.caseworker)
    response = client.get(household_url(reeds["household"]))
    assert response.status_code == 200
    assert "Pat Reed" in response.text
    assert "Sam Reed" not in response.text
    assert response.text.count("Mark as left") == 1
    sam_member = HouseholdMember.objects.get(person=reeds["sam"])
    leave = reverse("people:household_member_leave", args=[reeds["household"].pk, sam_member.pk])
    assert client.get(leave).status_code == 404


def test_only_relatives_whose_family_is_shared_are_offered(
    client_as, cast, reeds, make_person, share, consent
):
    share(categories=[Category.FAMILY_CHILDREN], kinds=[LEAD], basis=LawfulBasis.CONSENT)
    for person in (reeds["sam"], reeds["pat"]):
        consent(person, categories=[Category.FAMILY_CHILDREN], kinds=[LEAD])
    make_person(cast.caseworker, given_name="Ray", family_name="Reed")  # no consent
    client = client_as(cast.caseworker)
    response = client.get(reverse("people:add_relationship", args=[reeds["sam"].pk]), {"q": "Reed"})
    offered = [label for _, label in response.context["form"]["related_person"].field.choices]
    assert any(label.startswith("Pat Reed") for label in offered)
    assert not any(label.startswith("Ray Reed") for label in offered)
    create = reverse("people:household_create") + f"?person={reeds['sam'].pk}"
    members = client.get(create).context["form"]["members"].field.choices
    assert [label.split(",")[0] for _, label in members] == ["Sam Reed", "Pat Reed"]
