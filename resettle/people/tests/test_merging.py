"""Merging two records of one person and undoing it (people.merging): what moves, what clashes,
exact restoration, later edits, and who may."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from resettle.access import policy
from resettle.access.rules import merging as rules
from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.audit.models import AuditEvent
from resettle.cases.models import CaseState
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.dataprotection.models import Anonymisation
from resettle.people import merging
from resettle.people.choices import AddressKind, RelationshipKind
from resettle.people.models import (
    Address,
    HouseholdMember,
    MergedRow,
    MergedRowAction,
    Person,
    PersonMerge,
    Relationship,
    WorkingRelationship,
)
from resettle.people.references import STAYS, holders, person_references
from resettle.people.tests.merging import (
    TODAY,
    case,
    contact,
    dump,
    furnish,
    household_with,
    identify,
    preferences,
    relate,
    service,
)

pytestmark = pytest.mark.django_db
REASON = "Two records made for the same person at two referrals."


@pytest.fixture
def pair(cast, make_person):
    """Two records of Jordan Example, the lead charity's alone."""
    survivor = make_person(cast.admin, given_name="Jordan", family_name="Example")
    merged = make_person(cast.admin, given_name="Jordon", family_name="Example")
    return survivor, merged


def _merge(cast, survivor, merged, **kwargs):
    return merging.person_merge(
        actor=kwargs.pop("actor", cast.admin),
        survivor=survivor,
        merged=merged,
        reason=kwargs.pop("reason", REASON),
        **kwargs,
    )


def _unmerge(cast, merge, **kwargs):
    return merging.person_unmerge(
        actor=kwargs.pop("actor", cast.admin),
        merge=merge,
        reason=kwargs.pop("reason", "Two different people after all."),
        **kwargs,
    )


# What moves ------------------------------------------------------------------------------------


def test_it_moves_every_row_of_the_merged_record_to_the_survivor(cast, pair):
    survivor, merged = pair
    made = furnish(merged, cast.admin, tag="Merged")
    furnish(survivor, cast.admin, tag="Survivor")
    identify(merged, "pnc", "2001/0000001Z")

    merge = _merge(cast, survivor, merged)

    for reference in person_references():
        left = reference.model._base_manager.filter(**{reference.name: merged})
        assert not left.exists(), reference.model._meta.label
    assert survivor.contacts.count() == 4
    assert survivor.cases.filter(pk=made["case"].pk).exists()
    assert survivor.other_names.filter(pk=made["name"].pk).exists()
    assert survivor.addresses.filter(pk=made["address"].pk).exists()
    assert survivor.identifiers.get(scheme="pnc").value == "2001/0000001Z"
    assert survivor.consents.filter(pk=made["consent"].pk).exists()
    assert survivor.referrals.filter(pk=made["referral"].pk).exists()
    assert survivor.custody_periods.filter(pk=made["custody"].pk).exists()
    assert merge.rows.filter(action=MergedRowAction.MOVED).count() == 9
    # The merged record stays, unchanged, marked by the live merge; no one sees it any more.
    merged.refresh_from_db()
    assert merged.given_name == "Jordon"
    visible = policy.people_visible_to(cast.caseworker)
    assert visible.filter(pk=survivor.pk).exists()
    assert not visible.filter(pk=merged.pk).exists()
    assert rules.merged_into(cast.caseworker, merged.pk) == survivor
    assert rules.merged_into(cast.outsider, merged.pk) is None


def test_it_audits_the_merge_on_both_records_with_who_and_why(cast, pair):
    survivor, merged = pair

    merge = _merge(cast, survivor, merged)

    events = AuditEvent.objects.filter(object_type="person_merge", object_id=str(merge.pk))
    assert {e.person_id for e in events} == {survivor.pk, merged.pk}
    assert {e.reason for e in events} == {REASON}
    assert {e.username for e in events} == {"admin"}


def test_unmerge_restores_exactly_what_was_there(cast, pair, make_person):
    survivor, merged = pair
    third = make_person(cast.admin, given_name="Casey")
    furnish(merged, cast.admin, tag="Merged")
    furnish(survivor, cast.admin, tag="Survivor")
    identify(merged, "crn", "X123456")
    household_with(survivor, merged)
    relate(survivor, merged, RelationshipKind.SIBLING)
    relate(merged, third)
    relate(survivor, third)
    preferences(merged, cast.admin)
    preferences(survivor, cast.admin)
    before = dump(survivor, merged, third)

    merge = _merge(cast, survivor, merged)
    assert dump(survivor, merged, third) != before
    _unmerge(cast, merge)

    assert dump(survivor, merged, third) == before
    events = AuditEvent.objects.filter(object_type="person_merge", object_id=str(merge.pk))
    assert events.count() == 4
    merge.refresh_from_db()
    assert merge.undone and merge.version == 2
    assert merge.kept_on_survivor == {} and merge.not_restored == {}
    assert rules.merged_into(cast.caseworker, merged.pk) is None


def test_unmerge_restores_the_merged_records_own_fields(cast, pair):
    survivor, merged = pair
    merge = _merge(cast, survivor, merged)
    Person.objects.filter(pk=merged.pk).update(given_name="Changed", phone="01632 960000")

    _unmerge(cast, merge)

    merged.refresh_from_db()
    assert (merged.given_name, merged.phone) == ("Jordon", "")


# Clashes: a duplicate is removed and put back --------------------------------------------------


def test_it_removes_the_merged_records_open_working_relationship_beside_the_survivors(cast, pair):
    survivor, merged = pair
    duplicate = WorkingRelationship.objects.get(person=merged)

    merge = _merge(cast, survivor, merged)

    assert WorkingRelationship.objects.filter(person=survivor).count() == 1
    assert not WorkingRelationship.objects.filter(pk=duplicate.pk).exists()
    removed = merge.rows.get(action=MergedRowAction.REMOVED)
    assert removed.model_label == "people.WorkingRelationship"
    assert removed.object_id == str(duplicate.pk)
    _unmerge(cast, merge)
    assert WorkingRelationship.objects.get(pk=duplicate.pk).person_id == merged.pk


def test_an_ended_working_relationship_moves_beside_the_survivors_open_one(cast, pair):
    survivor, merged = pair
    ended = WorkingRelationship.objects.create(
        person=merged,
        organisation=cast.lead_charity,
        started_on=TODAY - timedelta(days=300),
        ended_on=TODAY - timedelta(days=200),
    )

    merge = _merge(cast, survivor, merged)

    assert WorkingRelationship.objects.get(pk=ended.pk).person_id == survivor.pk
    assert merge.rows.filter(object_id=str(ended.pk), action=MergedRowAction.MOVED).exists()


def test_it_removes_membership_of_a_household_both_records_are_in(cast, pair):
    survivor, merged = pair
    household = household_with(survivor, merged)

    merge = _merge(cast, survivor, merged)

    assert list(household.members.values_list("person_id", flat=True)) == [survivor.pk]
    _unmerge(cast, merge)
    assert set(household.members.values_list("person_id", flat=True)) == {survivor.pk, merged.pk}


def test_it_removes_the_relationships_between_the_two_records(cast, pair):
    survivor, merged = pair
    relate(survivor, merged)

    merge = _merge(cast, survivor, merged)

    assert not Relationship.objects.filter(person__in=pair).exists()
    assert merge.rows.filter(action=MergedRowAction.REMOVED).count() == 3  # and the duplicate WR
    _unmerge(cast, merge)
    assert Relationship.objects.filter(person=survivor, related_person=merged).exists()
    assert Relationship.objects.filter(person=merged, related_person=survivor).exists()


def test_it_keeps_the_survivors_relationship_with_someone_both_records_are_related_to(
    cast, pair, make_person
):
    survivor, merged = pair
    parent = make_person(cast.admin, given_name="Pat")
    relate(survivor, parent, RelationshipKind.PARENT)
    relate(merged, parent, RelationshipKind.CARER)

    _merge(cast, survivor, merged)

    kinds = Relationship.objects.filter(related_person=parent).values_list("person_id", "kind")
    assert list(kinds) == [(survivor.pk, RelationshipKind.PARENT)]
    assert Relationship.objects.filter(person=parent).values_list("related_person_id").count() == 1


def test_it_removes_the_merged_records_mentee_preferences_beside_the_survivors(cast, pair):
    survivor, merged = pair
    kept = preferences(survivor, cast.admin)
    preferences(merged, cast.admin)

    merge = _merge(cast, survivor, merged)

    assert merge.rows.filter(model_label="mentoring.MenteePreferences").count() == 1
    assert kept.__class__.objects.filter(person=survivor).get() == kept


# Clashes that refuse the merge -----------------------------------------------------------------


def _refused(cast, survivor, merged, words: str) -> None:
    before = dump(survivor, merged)
    with pytest.raises(ApplicationError, match=words):
        _merge(cast, survivor, merged)
    assert dump(survivor, merged) == before
    assert not PersonMerge.objects.exists()


def test_it_refuses_two_live_cases_with_one_organisation(cast, pair):
    survivor, merged = pair
    case(survivor, cast.admin)
    case(merged, cast.admin)

    _refused(cast, survivor, merged, "live case with the same organisation")


def test_it_refuses_two_different_pnc_ids(cast, pair):
    survivor, merged = pair
    identify(survivor, "pnc", "2001/0000001Z")
    identify(merged, "pnc", "2002/0000002T")

    _refused(cast, survivor, merged, "different PNC IDs: they may be different people")


def test_it_refuses_two_records_both_in_custody(cast, pair):
    from resettle.custody.models import CustodyPeriod

    survivor, merged = pair
    for person in pair:
        CustodyPeriod.objects.create(
            person=person,
            kind="remand",
            start_date=TODAY - timedelta(days=10),
            establishment="HMP Northshire",
            recorded_by=cast.admin.user,
        )

    _refused(cast, survivor, merged, "custody now")


# Later edits -----------------------------------------------------------------------------------


def test_unmerge_keeps_later_edits_on_the_survivor_and_lists_them(cast, pair):
    survivor, merged = pair
    made = furnish(merged, cast.admin, tag="Merged")
    merge = _merge(cast, survivor, merged)
    later_case = case(survivor, cast.admin, state=CaseState.OPEN)
    for n in range(3):
        contact(survivor, later_case, cast.admin, f"After the merge {n}")
    # Recorded on the survivor, in the case the merge moved there.
    in_moved_case = contact(survivor, made["case"], cast.admin, "In the old case")
    Address.objects.filter(pk=made["address"].pk).update(
        line_1="Changed Street", updated_at=timezone.now()
    )

    report = merging.unmerge_report(merge)
    assert report.kept == {"cases.Case": 1, "contacts.Contact": 4}
    assert report.attached == {"contacts.Contact": 1}
    assert report.changed == {"people.Address": 1}
    assert report.missing == {}
    _unmerge(cast, merge)

    assert survivor.contacts.count() == 4
    assert survivor.contacts.filter(pk=in_moved_case.pk).exists()
    assert survivor.cases.get() == later_case
    assert merged.contacts.count() == 2
    assert Address.objects.get(pk=made["address"].pk).person_id == merged.pk
    assert Address.objects.get(pk=made["address"].pk).line_1 == "Changed Street"
    merge.refresh_from_db()
    assert merge.kept_on_survivor == {"cases.Case": 1, "contacts.Contact": 4}


def test_unmerge_restores_what_still_exists_and_lists_what_was_deleted_since(cast, pair):
    survivor, merged = pair
    made = furnish(merged, cast.admin, tag="Merged")
    merge = _merge(cast, survivor, merged)
    made["address"].delete()

    assert merging.unmerge_report(merge).missing == {"people.Address": 1}
    _unmerge(cast, merge)

    assert merged.other_names.count() == 1
    merge.refresh_from_db()
    assert merge.not_restored == {"people.Address": 1}


# Refusals --------------------------------------------------------------------------------------


def test_it_refuses_a_record_another_organisation_also_holds(cast, make_person):
    survivor = make_person(cast.admin)
    merged = make_person(cast.admin, cast.probation)

    with pytest.raises(ApplicationError, match="also held by another organisation"):
        _merge(cast, survivor, merged)


def test_it_refuses_a_record_with_another_organisations_referral(cast, pair):
    survivor, merged = pair
    from resettle.people.tests.merging import referral

    referral(merged, service(cast.housing.organisation), cast.admin)

    with pytest.raises(ApplicationError, match="Jordon Example's record is also held"):
        _merge(cast, survivor, merged)
    assert holders([merged.pk])[merged.pk] == {cast.lead_charity.pk, cast.housing.organisation_id}


def test_it_refuses_someone_who_is_not_a_linkage_reviewer(cast, pair):
    survivor, merged = pair
    with pytest.raises(PermissionDenied):
        _merge(cast, survivor, merged, actor=cast.caseworker)


def test_a_data_protection_lead_may_merge(cast, pair):
    survivor, merged = pair
    lead = make_membership(
        user=make_user(),
        organisation=cast.lead_charity,
        role=Role.ANALYST,
        is_data_protection_lead=True,
    )
    assert _merge(cast, survivor, merged, actor=lead).merged == merged


def test_it_refuses_another_organisations_reviewer(cast, pair):
    survivor, merged = pair
    elsewhere = make_membership(
        user=make_user(),
        organisation=cast.outsider.organisation,
        role=Role.ORGANISATION_ADMIN,
    )
    with pytest.raises(ApplicationError, match="not one your organisation works with now"):
        _merge(cast, survivor, merged, actor=elsewhere)


def test_it_refuses_merging_a_record_into_itself(cast, pair):
    survivor, _ = pair
    with pytest.raises(ApplicationError, match="into itself"):
        _merge(cast, survivor, survivor)


def test_it_refuses_merging_an_already_merged_record(cast, pair, make_person):
    survivor, merged = pair
    _merge(cast, survivor, merged)
    other = make_person(cast.admin)

    with pytest.raises(ApplicationError, match="already been merged"):
        _merge(cast, other, merged)
    with pytest.raises(ApplicationError, match="already been merged"):
        _merge(cast, merged, other)


def test_it_refuses_an_anonymised_record(cast, pair):
    survivor, merged = pair
    Anonymisation.objects.create(person=merged, anonymised_at=timezone.now())
    with pytest.raises(ApplicationError, match="anonymised"):
        _merge(cast, survivor, merged)


def test_it_needs_a_reason(cast, pair):
    survivor, merged = pair
    with pytest.raises(ValidationError):
        _merge(cast, survivor, merged, reason="  ")


def test_it_refuses_a_form_sent_after_the_records_changed(cast, pair):
    survivor, merged = pair
    seen = merging.fingerprint(merged, survivor)
    furnish(merged, cast.admin, tag="Later")

    with pytest.raises(merging.StaleMerge):
        _merge(cast, survivor, merged, seen=seen)
    assert not PersonMerge.objects.exists()


def test_it_takes_a_form_sent_on_the_records_as_they_are(cast, pair):
    survivor, merged = pair
    seen = merging.fingerprint(merged, survivor)
    assert _merge(cast, survivor, merged, seen=seen).survivor == survivor


def test_it_refuses_unmerging_twice(cast, pair):
    merge = _merge(cast, *pair)
    _unmerge(cast, merge)
    with pytest.raises(ApplicationError, match="already been undone"):
        _unmerge(cast, merge)


def test_it_refuses_unmerging_a_stale_version(cast, pair):
    merge = _merge(cast, *pair)
    with pytest.raises(merging.StaleMerge):
        _unmerge(cast, merge, expected_version=merge.version + 1)


def test_it_refuses_unmerging_when_the_survivor_was_since_merged(cast, pair, make_person):
    survivor, merged = pair
    merge = _merge(cast, survivor, merged)
    later = make_person(cast.admin)
    _merge(cast, later, survivor)

    with pytest.raises(ApplicationError, match="Undo that merge first"):
        _unmerge(cast, merge)


def test_it_refuses_unmerging_another_organisations_merge(cast, pair):
    merge = _merge(cast, *pair)
    elsewhere = make_membership(
        user=make_user(), organisation=cast.outsider.organisation, role=Role.ORGANISATION_ADMIN
    )
    with pytest.raises(PermissionDenied):
        _unmerge(cast, merge, actor=elsewhere)
    with pytest.raises(PermissionDenied):
        _unmerge(cast, merge, actor=cast.caseworker)


# Guards ----------------------------------------------------------------------------------------


def test_only_rows_nothing_refers_to_are_removed_as_duplicates():
    for reference in person_references():
        if reference.model._meta.label in merging.REMOVE_DUPLICATE:
            referred = [
                r
                for r in reference.model._meta.get_fields(include_hidden=True)
                if r.is_relation and r.auto_created and not r.concrete
            ]
            assert referred == [], reference.model._meta.label


def test_every_reference_to_a_person_moves_or_is_listed_as_staying():
    moving = {reference.model._meta.label for reference in person_references()}
    assert "contacts.Contact" in moving and "people.WorkingRelationship" in moving
    assert not moving & set(STAYS)


def test_a_merged_record_cannot_be_deleted_while_the_merge_is_kept(cast, pair):
    merge = _merge(cast, *pair)
    with pytest.raises(ProtectedError):
        merge.merged.delete()
    assert MergedRow.objects.filter(merge=merge).exists()
    assert HouseholdMember.objects.count() == 0
    assert AddressKind.HOME


def test_the_subject_access_pack_lists_the_merge_on_both_records(cast, pair):
    from resettle.dataprotection import pack

    survivor, merged = pair
    cast.admin.is_data_protection_lead = True
    cast.admin.save()
    _merge(cast, survivor, merged)

    built = pack.build(
        scope=policy.subject_access_scope(cast.admin, survivor), person=survivor, requested_by="T"
    )
    [section] = [s for g in built.groups for s in g.sections if s.key == "merges"]
    [record] = section.records
    texts = {f.name: f.text for f in record.fields}
    assert texts["merged"] == "Jordon Example" and texts["reason"] == REASON
