import hashlib
import os
import stat
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from resettle.access.policy import people_visible_to
from resettle.accounts.models import Membership, Organisation, OrganisationKind, User
from resettle.demo.generator import DEMO_USERNAMES, PARTNERSHIP_NAME, delete_demo, generate
from resettle.lib.identifiers import normalise_identifier
from resettle.lib.postcodes import normalise_postcode
from resettle.partnerships.models import Partnership
from resettle.people import choices
from resettle.people.choices import RELATIONSHIP_INVERSE, ContactWishes, RelationshipKind
from resettle.people.models import (
    Address,
    Household,
    HouseholdMember,
    Identifier,
    Person,
    PersonName,
    Relationship,
    WorkingRelationship,
)
from resettle.people.selectors import possible_duplicates

from .conftest import SMALL_DEMO

FIXED_TODAY = date(2026, 11, 23)


def _digest() -> str:
    """Everything the generator decides, in a stable order; timestamps left out."""
    rows = [
        *Organisation.objects.values_list("id", "name", "kind", "email"),
        *User.objects.values_list("username", "first_name", "last_name", "email"),
        *Membership.objects.values_list("id", "user__username", "organisation_id", "role"),
        *Person.objects.values_list(
            "id",
            "given_name",
            "middle_names",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "gender_identity",
            "pronouns",
            "ethnicity",
            "disability",
            "phone",
            "email",
            "created_by__username",
        ),
        *Identifier.objects.values_list("id", "person_id", "scheme", "value"),
        *PersonName.objects.values_list("id", "person_id", "kind", "given_name", "family_name"),
        *Address.objects.values_list(
            "id",
            "person_id",
            "kind",
            "line_1",
            "line_2",
            "town",
            "postcode",
            "from_date",
            "to_date",
        ),
        *Household.objects.values_list("id", "name"),
        *HouseholdMember.objects.values_list(
            "id", "household_id", "person_id", "joined_on", "left_on"
        ),
        *Relationship.objects.values_list(
            "id", "person_id", "related_person_id", "kind", "lives_with", "contact_wishes"
        ),
        *WorkingRelationship.objects.values_list(
            "id",
            "person_id",
            "organisation_id",
            "started_on",
            "ended_on",
            "allocated_to__username",
        ),
    ]
    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()


def _generate(seed: int = 2026, people: int = SMALL_DEMO) -> None:
    generate(people, seed, FIXED_TODAY, password="a-demo-password")


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_ids_included():
    _generate()
    first = _digest()
    delete_demo()
    assert not Person.objects.exists()
    _generate()
    assert _digest() == first


@pytest.mark.django_db
def test_a_different_seed_gives_different_people():
    _generate(seed=1)
    first = set(Person.objects.values_list("given_name", "family_name", "date_of_birth"))
    delete_demo()
    _generate(seed=2)
    assert set(Person.objects.values_list("given_name", "family_name", "date_of_birth")) != first


@pytest.mark.django_db
def test_running_twice_adds_nothing_the_second_time():
    call_command("generate_demo", people=SMALL_DEMO, stdout=StringIO())
    counts = (Person.objects.count(), User.objects.count(), WorkingRelationship.objects.count())
    out = StringIO()
    call_command("generate_demo", people=SMALL_DEMO, stdout=out)
    assert "already exists" in out.getvalue()
    assert (
        Person.objects.count(),
        User.objects.count(),
        WorkingRelationship.objects.count(),
    ) == counts
    assert Partnership.objects.filter(name=PARTNERSHIP_NAME).count() == 1


@pytest.mark.django_db
def test_reset_replaces_the_demo_and_keeps_everything_else():
    outsider = User.objects.create_user("someone.real", password="not-a-demo-password")
    kept = Person.objects.create(given_name="Kept", family_name="Outside")
    call_command("generate_demo", people=SMALL_DEMO, stdout=StringIO())
    counts = (Person.objects.count(), User.objects.count(), Household.objects.count())
    call_command("generate_demo", people=SMALL_DEMO, reset=True, stdout=StringIO())
    assert (Person.objects.count(), User.objects.count(), Household.objects.count()) == counts
    assert User.objects.filter(pk=outsider.pk).exists()
    assert Person.objects.filter(pk=kept.pk).exists()
    assert Partnership.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_when_a_demo_username_belongs_to_someone_else():
    User.objects.create_user("admin", password="their-own-password")
    with pytest.raises(CommandError, match="admin"):
        call_command("generate_demo", people=SMALL_DEMO, stdout=StringIO())
    assert not Person.objects.exists()


def test_all_identifiers_are_valid_and_unique(demo):
    identifiers = list(Identifier.objects.values_list("scheme", "value"))
    assert {scheme for scheme, _ in identifiers} == set(choices.IdentifierScheme.values)
    for scheme, value in identifiers:
        assert normalise_identifier(scheme, value) == value
    assert len(set(identifiers)) == len(identifiers)


def test_all_postcodes_are_valid_and_some_people_have_no_fixed_abode(demo):
    postcodes = Address.objects.exclude(postcode="").values_list("postcode", flat=True)
    assert postcodes
    for postcode in postcodes:
        assert normalise_postcode(postcode) == postcode
    assert Address.objects.filter(kind=choices.AddressKind.NO_FIXED_ABODE).exists()


def test_generated_rows_pass_model_validation(demo):
    for model in (
        Organisation,
        Membership,
        Person,
        PersonName,
        Identifier,
        Address,
        Household,
        HouseholdMember,
        Relationship,
        WorkingRelationship,
    ):
        rows = list(model.objects.all()[:60])
        assert rows, model
        for row in rows:
            row.full_clean()


def test_search_keys_are_those_save_would_set(demo):
    for person in list(Person.objects.all()[:50]) + list(PersonName.objects.all()):
        stored = (person.given_key, person.family_key, person.family_letters)
        person.set_search_keys()
        assert (person.given_key, person.family_key, person.family_letters) == stored


def test_contact_details_are_fictional(demo):
    for phone in Person.objects.exclude(phone="").values_list("phone", flat=True):
        assert phone.startswith("07700 900")
    for email in Person.objects.exclude(email="").values_list("email", flat=True):
        assert email.endswith("@example.org")


EXPECTED_LOGINS = {
    "probation": (OrganisationKind.PROBATION, "referrer", False),
    "prison": (OrganisationKind.PRISON, "referrer", False),
    "caseworker": (OrganisationKind.LEAD_CHARITY, "caseworker", False),
    "mentor": (OrganisationKind.MENTORING, "peer_mentor", False),
    "coordinator": (OrganisationKind.SPORT_TRUST, "delivery_coordinator", False),
    "family": (OrganisationKind.FAMILY_SUPPORT, "caseworker", False),
    "housing": (OrganisationKind.HOUSING, "caseworker", False),
    "manager": (OrganisationKind.LEAD_CHARITY, "partnership_manager", False),
    "analyst": (OrganisationKind.LEAD_CHARITY, "analyst", False),
    "admin": (OrganisationKind.LEAD_CHARITY, "organisation_admin", False),
    "safeguarding": (OrganisationKind.LEAD_CHARITY, "caseworker", True),
}


def test_each_role_has_its_login_with_the_right_membership(demo):
    for username, (kind, role, lead) in EXPECTED_LOGINS.items():
        membership = Membership.objects.select_related("organisation").get(user__username=username)
        assert (membership.organisation.kind, membership.role) == (kind, role), username
        assert membership.is_safeguarding_lead is lead


def test_multi_is_a_caseworker_in_two_organisations(demo):
    memberships = Membership.objects.filter(user__username="multi")
    assert sorted(memberships.values_list("organisation__kind", "role")) == [
        (OrganisationKind.HOUSING, "caseworker"),
        (OrganisationKind.LEAD_CHARITY, "caseworker"),
    ]


def test_every_organisation_has_colleagues_besides_the_named_logins(demo):
    named = set(DEMO_USERNAMES)
    for organisation in Organisation.objects.all():
        staff = set(organisation.memberships.values_list("user__username", flat=True))
        assert staff - named, organisation.name
    assert Organisation.objects.filter(kind=OrganisationKind.SPORT_TRUST).count() == 3
    assert Partnership.objects.get().organisations.count() == Organisation.objects.count()


def test_only_the_named_logins_are_marked_as_demo_accounts(demo):
    flagged = set(User.objects.filter(is_demo=True).values_list("username", flat=True))
    assert flagged == set(DEMO_USERNAMES)


def test_the_mentor_sees_only_their_own_mentees(demo, actor):
    mentor = actor("mentor")
    visible = set(people_visible_to(mentor).values_list("pk", flat=True))
    allocated = set(
        WorkingRelationship.objects.filter(
            organisation=mentor.organisation, allocated_to=mentor.user, ended_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    mentees_of_others = set(
        WorkingRelationship.objects.filter(organisation=mentor.organisation, ended_on__isnull=True)
        .exclude(allocated_to=mentor.user)
        .values_list("person_id", flat=True)
    )
    assert visible == allocated
    assert visible
    assert mentees_of_others
    assert not visible & mentees_of_others
    assert len(visible) < people_visible_to(actor("caseworker")).count()


def test_people_the_mentor_handed_on_are_no_longer_theirs_to_see(demo, actor):
    mentor = actor("mentor")
    handed_on = WorkingRelationship.objects.filter(
        allocated_to=mentor.user, ended_on__isnull=False
    ).values_list("person_id", flat=True)
    assert handed_on
    assert not people_visible_to(mentor).filter(pk__in=handed_on).exists()


def test_families_include_children_and_adult_children(demo):
    child_records = Relationship.objects.filter(kind=RelationshipKind.CHILD).select_related(
        "related_person"
    )
    children = {r.related_person for r in child_records}
    assert any(child.is_child for child in children)
    assert any(not child.is_child for child in children)
    assert Household.objects.count() >= SMALL_DEMO // 4


def test_relationships_are_recorded_from_both_sides(demo):
    relationships = {(r.person_id, r.related_person_id): r for r in Relationship.objects.all()}
    for (a, b), relationship in relationships.items():
        inverse = relationships[(b, a)]
        assert inverse.kind == RELATIONSHIP_INVERSE[RelationshipKind(relationship.kind)]
        assert inverse.lives_with == relationship.lives_with


def test_lives_with_means_both_live_in_the_same_household_now(demo):
    current = {}
    for member in HouseholdMember.objects.filter(left_on__isnull=True):
        current.setdefault(member.person_id, set()).add(member.household_id)
    for r in Relationship.objects.all():
        together = bool(current.get(r.person_id, set()) & current.get(r.related_person_id, set()))
        assert r.lives_with == together


def test_some_family_members_want_no_contact(demo):
    assert Relationship.objects.filter(contact_wishes=ContactWishes.NO_CONTACT).exists()


def test_every_coded_field_has_not_recorded_and_prefer_not_to_say(demo):
    for field in ("sex", "gender_identity", "pronouns", "ethnicity", "disability"):
        values = set(Person.objects.values_list(field, flat=True))
        assert {choices.NOT_RECORDED, choices.PREFER_NOT_TO_SAY} <= values, field


def test_near_duplicates_are_found_by_the_duplicate_check(demo):
    duplicates = Person.objects.filter(created_by__username="housing")
    assert duplicates.count() >= 3
    for duplicate in duplicates:
        check = possible_duplicates(
            actor=None,
            given_name=duplicate.given_name,
            family_name=duplicate.family_name,
            date_of_birth=duplicate.date_of_birth,
            exclude=duplicate,
        )
        assert check.hidden_count >= 1, duplicate


def test_women_are_supported_by_the_womens_programme(demo):
    womens = WorkingRelationship.objects.filter(organisation__kind=OrganisationKind.WOMENS_SERVICE)
    assert womens.exists()
    for relationship in womens.select_related("person"):
        assert relationship.person.sex == "female" or relationship.person.gender_identity == "woman"


def test_the_family_charity_works_with_family_members_not_people_leaving_prison(demo):
    family = WorkingRelationship.objects.filter(organisation__kind=OrganisationKind.FAMILY_SUPPORT)
    assert family.exists()
    assert not family.filter(person__created_by__username="probation").exists()


def test_some_working_relationships_have_ended(demo):
    ended = WorkingRelationship.objects.filter(ended_on__isnull=False)
    assert ended.exists()
    assert not ended.filter(ended_on__gte=date.today()).exists()


@pytest.mark.django_db
def test_demo_password_from_the_environment_is_used_and_not_stored(monkeypatch, settings):
    monkeypatch.setenv("DEMO_PASSWORD", "chosen-by-the-tester")
    out = StringIO()
    call_command("generate_demo", people=SMALL_DEMO, stdout=out)
    assert User.objects.get(username="mentor").check_password("chosen-by-the-tester")
    assert "chosen-by-the-tester" in out.getvalue()
    assert not settings.DEMO_PASSWORD_FILE.exists()


@pytest.mark.django_db
def test_a_generated_password_is_stored_privately_and_reused(settings):
    call_command("generate_demo", people=SMALL_DEMO, stdout=StringIO())
    path = settings.DEMO_PASSWORD_FILE
    password = path.read_text().strip()
    assert len(password) >= 12
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert User.objects.get(username="multi").check_password(password)
    call_command("generate_demo", people=SMALL_DEMO, reset=True, stdout=StringIO())
    assert path.read_text().strip() == password
    assert User.objects.get(username="caseworker").check_password(password)
