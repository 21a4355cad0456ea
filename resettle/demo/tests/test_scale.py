"""The national-scale generator at a tiny size, on whichever database the suite runs."""

import csv
import filecmp
import random
from collections import Counter
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Q

from resettle.access.policy import cases_visible_to, people_visible_to
from resettle.cases.models import Case
from resettle.contacts.models import Contact
from resettle.custody.models import CustodyPeriod
from resettle.demo.generator import namelists
from resettle.demo.generator.scale import generate_scale
from resettle.demo.generator.scale.people import LOAD_ORDER, NAME_PICKERS, TABLES
from resettle.demo.generator.scale.world import NAMED_CASELOADS
from resettle.lib.identifiers import normalise_identifier
from resettle.lib.names import letters_key, name_key
from resettle.lib.postcodes import normalise_postcode
from resettle.people.choices import RelationshipKind
from resettle.people.models import (
    Address,
    Identifier,
    Person,
    Relationship,
    WorkingRelationship,
)
from resettle.referrals.models import Referral

TODAY = date(2026, 11, 23)
SIZE = 200


def _scaled_people():
    return Person.objects.filter(created_by__username__startswith="scale.")


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        names = set()
        for table in (TABLES[name].model._meta.db_table for name in LOAD_ORDER):
            constraints = connection.introspection.get_constraints(cursor, table)
            names |= {name for name, c in constraints.items() if c["index"]}
        return names


@pytest.mark.django_db
def test_generates_the_people_asked_for_with_consistent_records(demo):
    before = {name: table.model.objects.count() for name, table in TABLES.items()}
    result = generate_scale(people=SIZE, seed=7, today=TODAY, bulk=False)

    assert result.people == SIZE
    for name, table in TABLES.items():
        assert table.model.objects.count() - before[name] == result.counts[name], name
    assert result.counts["contact"] > SIZE * 5
    # Search keys are the ones Person.save() would set.
    for person in _scaled_people():
        assert person.given_key == name_key(person.given_name)
        assert person.family_letters == letters_key(person.family_name)
    # Identifiers and postcodes pass Resettle's own validators.
    for scheme, value in Identifier.objects.values_list("scheme", "value"):
        assert normalise_identifier(scheme, value) == value
    for postcode in Address.objects.exclude(postcode="").values_list("postcode", flat=True):
        assert normalise_postcode(postcode) == postcode
    # Every live case has its organisation's open working relationship with the person.
    live = Case.objects.exclude(state="closed").filter(person__in=_scaled_people())
    assert live.exists()
    for case in live:
        assert WorkingRelationship.objects.filter(
            person=case.person, organisation=case.organisation, ended_on__isnull=True
        ).exists()
    # Nothing happened after today; recalls are recorded, with their paused cases.
    scaled_contacts = Contact.objects.filter(person__in=_scaled_people())
    assert not scaled_contacts.filter(happened_at__gte=datetime(2026, 11, 23, tzinfo=UTC)).exists()
    assert CustodyPeriod.objects.filter(recalled_on__isnull=False).exists()
    assert Referral.objects.filter(state="declined").exclude(decline_reason="").exists()


@pytest.mark.django_db
def test_families_are_named_and_born_as_real_ones_are(demo):
    """Record linkage is measured on these people: siblings with one given name, or mothers all
    born on one day of the year, would be namesakes that real data does not have."""
    generate_scale(people=SIZE, seed=7, today=TODAY, bulk=False)
    children: dict = {}
    for parent, parent_name, child_name in Relationship.objects.filter(
        kind=RelationshipKind.CHILD, person__in=_scaled_people()
    ).values_list("person", "person__given_name", "related_person__given_name"):
        assert child_name != parent_name
        assert child_name not in children.setdefault(parent, set())
        children[parent].add(child_name)
    assert sum(len(names) > 1 for names in children.values()) > 5
    # The mothers of people leaving prison, each once (a child's parent is the leaver).
    mothers = (
        Relationship.objects.filter(
            kind=RelationshipKind.PARENT,
            person__in=_scaled_people(),
            related_person__sex="female",
            related_person__date_of_birth__isnull=False,
        )
        .exclude(related_person__custody_periods__isnull=False)
        .values_list("related_person", "related_person__date_of_birth")
        .distinct()
    )
    months = Counter(born.month for _, born in mothers)
    assert sum(months.values()) >= 12 and max(months.values()) <= sum(months.values()) / 4, months


def test_british_given_names_have_a_long_tail():
    """In England hundreds of rarer given names are each held by a small share of men; the
    commonest names alone would make namesakes of people whom real records tell apart."""
    male = NAME_PICKERS[id(namelists.BRITISH)][0]
    rng = random.Random(3)
    drawn = Counter(male(rng) for _ in range(20_000))
    assert len(drawn) > 150
    rarer = sum(count for name, count in drawn.items() if name not in namelists.BRITISH.male)
    assert 0.2 < rarer / 20_000 < 0.4


@pytest.mark.django_db
def test_named_logins_see_a_believable_caseload_through_the_access_policy(demo, actor):
    generate_scale(people=SIZE, seed=7, today=TODAY, bulk=False)

    caseworker = actor("caseworker")
    visible = people_visible_to(caseworker)
    scaled_visible = visible.filter(created_by__username__startswith="scale.")
    assert scaled_visible.exists()
    own = Case.objects.filter(worker=caseworker.user).exclude(state="closed")
    assert 0 < own.count() <= NAMED_CASELOADS["caseworker"][1]
    assert set(own.values_list("person", flat=True)) <= set(visible.values_list("pk", flat=True))
    assert cases_visible_to(caseworker).filter(pk__in=own).count() == own.count()
    # A peer mentor sees only their own mentees: the people allocated to them.
    mentor = actor("mentor")
    mentees = people_visible_to(mentor)
    allocated = WorkingRelationship.objects.filter(
        allocated_to=mentor.user, ended_on__isnull=True
    ).values_list("person", flat=True)
    assert set(mentees.values_list("pk", flat=True)) == set(allocated)
    assert mentees.count() <= NAMED_CASELOADS["mentor"][1] + 20  # plus the small demo's own


@pytest.mark.django_db
def test_bulk_mode_rebuilds_every_index_and_checks_foreign_keys(demo):
    indexes = _index_names()

    result = generate_scale(people=SIZE, seed=3, today=TODAY, bulk=True)

    assert result.people == SIZE
    assert _index_names() == indexes
    # Database invariants hold after the load: one live case per person per organisation.
    doubled = (
        Case.objects.exclude(state="closed")
        .values("person", "organisation")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not doubled.exists()
    in_custody = Q(released_on__isnull=True) | Q(recalled_on__gt=F("released_on"))
    assert not (
        CustodyPeriod.objects.filter(in_custody)
        .values("person")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


@pytest.mark.django_db
def test_same_seed_gives_the_same_files_and_another_seed_does_not(demo, tmp_path):
    first, again, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_scale(people=SIZE, seed=11, today=TODAY, fmt="csv", out=first)
    generate_scale(people=SIZE, seed=11, today=TODAY, fmt="csv", out=again)
    generate_scale(people=SIZE, seed=12, today=TODAY, fmt="csv", out=other)

    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(f"{TABLES[n].name}.csv" for n in LOAD_ORDER)
    _, mismatch, errors = filecmp.cmpfiles(first, again, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert not filecmp.cmp(first / "people_person.csv", other / "people_person.csv", shallow=False)
    # Files only: the database gained no generated people.
    assert not _scaled_people().exists()


@pytest.mark.django_db
def test_csv_export_has_every_column_and_readable_values(demo, tmp_path):
    out = StringIO()
    call_command(
        "generate_scale",
        people=SIZE,
        seed=5,
        today=TODAY,
        format="csv",
        out=tmp_path,
        stdout=out,
    )
    assert "Generated" in out.getvalue()
    with open(tmp_path / "contacts_contact.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = {f.column for f in Contact._meta.concrete_fields}
    assert set(rows[0]) == columns
    row = rows[0]
    assert len(row["id"]) == 36 and row["id"].count("-") == 4
    assert row["happened_at"].endswith("Z")
    assert row["outcome"] in {"attended", "did_not_attend", "cancelled"}
    with open(tmp_path / "people_person.csv", newline="") as handle:
        people = list(csv.DictReader(handle))
    assert len(people) == SIZE
    assert {p["id"] for p in people} >= {r["person_id"] for r in rows}


@pytest.mark.django_db
def test_parquet_export_is_typed(demo, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    generate_scale(people=SIZE, seed=5, today=TODAY, fmt="parquet", out=tmp_path)

    table = pq.read_table(tmp_path / "contacts_contact.parquet")
    happened_at = table.schema.field("happened_at").type
    assert happened_at.tz == "UTC" and str(happened_at).startswith("timestamp")
    people = pq.read_table(tmp_path / "people_person.parquet")
    assert people.num_rows == SIZE
    assert str(people.schema.field("date_of_birth").type) == "date32[day]"


@pytest.mark.django_db
def test_refuses_to_run_twice_or_without_the_demo(db, demo):
    generate_scale(people=50, seed=1, today=TODAY, bulk=False)
    with pytest.raises(CommandError, match="already has scale data"):
        call_command("generate_scale", people=50, stdout=StringIO())


@pytest.mark.django_db
def test_needs_the_demo_partnership(db):
    with pytest.raises(CommandError, match="generate_demo"):
        call_command("generate_scale", people=50, stdout=StringIO())
