"""The subject access pack: complete against every data category in the registry, holding the
organisation's own records whatever their category and other organisations' only as far as the
agreements and consent let it see them, and the access log from the audit trail."""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.apps import apps

from resettle.access import policy
from resettle.access.categories import Category
from resettle.access.registry import ACCESS_RECORD, REGISTRY
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event, record_read
from resettle.dataprotection import pack
from resettle.dataprotection.sections import (
    ACCESS_LOG,
    GROUPS,
    NOT_IN_PACK,
    SECTIONS,
    covered_labels,
)
from resettle.dataprotection.tests.conftest import OTHER_NOTE, OWN_NOTE
from resettle.evaluation.models import Cohort, ExportJob, ExportKind, OutcomeEvent
from resettle.linkage.models import (
    LinkageRun,
    LinkPair,
    PairDecision,
    PairStatus,
    PersonLink,
    RunState,
)
from resettle.partnerships.models import Partnership
from resettle.people.models import WorkingRelationship
from resettle.suitability.models import SuitabilityAssessment

pytestmark = pytest.mark.django_db

AVOID = "Quentin Victimson"


def _pack(lead, person) -> pack.Pack:
    return pack.build(
        scope=policy.subject_access_scope(lead, person), person=person, requested_by="Test"
    )


def _records(built: pack.Pack, key: str) -> list[pack.Record]:
    for group in built.groups:
        for section in group.sections:
            if section.key == key:
                return section.records
    raise KeyError(key)


def _texts(records: list[pack.Record], name: str) -> list[str]:
    return [f.text for record in records for f in record.fields if f.name == name]


# The guard: every category, every kind of record ---------------------------------------------


def test_every_data_category_has_its_own_part_of_the_pack():
    groups = [key for key, _ in GROUPS]
    assert set(Category.values) <= set(groups)
    assert len(groups) == len(set(groups))


def test_every_kind_of_record_holding_personal_data_is_in_the_pack_or_set_aside_with_a_reason():
    personal = {
        label
        for label, fields in REGISTRY.items()
        if any(
            isinstance(placed, Category) or placed == ACCESS_RECORD for placed in fields.values()
        )
    }
    missing = personal - covered_labels() - set(NOT_IN_PACK)
    assert not missing, (
        "Add these to a section in resettle/dataprotection/sections.py SECTIONS, or to "
        f"NOT_IN_PACK with the reason: {sorted(missing)}"
    )
    assert not set(NOT_IN_PACK) & covered_labels()
    assert all(why for why in NOT_IN_PACK.values())
    assert set(NOT_IN_PACK) <= set(REGISTRY)


def test_every_section_names_fields_its_model_has_and_a_group_that_exists():
    groups = {key for key, _ in GROUPS}
    keys = [section.key for section in SECTIONS]
    assert len(keys) == len(set(keys))
    for section in SECTIONS:
        assert section.group in groups, section.key
        apps.get_model(section.label)
        assert pack.section_fields(section), section.key


def test_the_pack_for_a_person_has_every_category_as_a_heading_and_in_the_json(lead, person):
    built = _pack(lead, person)
    content = zipfile.ZipFile(io.BytesIO(pack.archive(built)))
    assert sorted(content.namelist()) == ["index.html", "person.json"]
    page = content.read("index.html").decode()
    data = json.loads(content.read("person.json"))
    for key, label in GROUPS:
        assert f'<h2 id="{key}">{label}</h2>' in page.replace("&#x27;", "'"), key
        assert key in data["categories"], key
    assert data["person"] == {"id": str(person.pk), "name": "Sam Okafor"}
    assert "answerable for as a data controller" in data["scope"]
    assert "answerable for as a data controller" in page


# Scope: own records whole, others' as far as shared -----------------------------------------------


def test_own_records_are_in_and_unshared_records_of_others_are_not(lead, person):
    built = _pack(lead, person)
    notes = _texts(_records(built, "contacts"), "note")
    assert notes == [OWN_NOTE]
    # Contact details are not shared with the lead charity: neither the phone nor the fields.
    assert _records(built, "contact_details") == []
    assert _texts(_records(built, "person"), "given_name") == ["Sam"]


def test_others_records_are_in_where_the_agreement_shares_them(lead, person, share):
    share(categories=[Category.CASE_NOTES, Category.CONTACT], kinds=[OrganisationKind.LEAD_CHARITY])
    built = _pack(lead, person)
    contacts = _records(built, "contacts")
    assert sorted(_texts(contacts, "note")) == sorted([OWN_NOTE, OTHER_NOTE])
    theirs = next(r for r in contacts if not r.own)
    assert theirs.held_by == "Northshire Homes"
    assert _texts(_records(built, "contact_details"), "phone") == ["07700900123"]
    group = next(g for g in built.groups if g.key == Category.CASE_NOTES)
    assert group.includes_others


def test_own_records_are_in_whatever_their_category_and_names_to_avoid_are_withheld(
    cast, lead, person
):
    OutcomeEvent.objects.create(
        person=person,
        kind="arrest",
        occurred_on=date.today() - timedelta(days=3),
        offence_category="theft",
        source="self_report",
        organisation=cast.lead_charity,
        recorded_by=cast.caseworker.user,
    )
    SuitabilityAssessment.objects.create(
        person=person,
        assessed_by=cast.caseworker.user,
        assessor_organisation=cast.lead_charity,
        assessed_on=date.today(),
        review_on=date.today() + timedelta(days=90),
        assessor_contact="01632 960000",
        group_sessions_with_adults="yes",
        sessions_with_under_18s_present="no",
        sessions_with_vulnerable_adults_present="yes",
        one_to_one_sessions="yes",
        two_staff_needed="no",
        named_contact_restriction="yes",
        named_people_to_avoid=AVOID,
    )
    built = _pack(lead, person)
    assert _texts(_records(built, "outcome_events"), "kind") == ["Arrest"]
    assessment = _records(built, "suitability_assessments")
    assert _texts(assessment, "named_people_to_avoid") == [pack.WITHHELD_TEXT]
    assert AVOID not in pack.as_html(built)
    assert AVOID not in json.dumps(pack.as_json(built))
    # The assessor's own phone is staff data, not the person's.
    assert _texts(assessment, "assessor_contact") == []


def test_another_organisations_suitability_answers_need_the_category(cast, lead, person, share):
    SuitabilityAssessment.objects.create(
        person=person,
        assessed_by=cast.probation.user,
        assessor_organisation=cast.probation_unit,
        assessed_on=date.today(),
        review_on=date.today() + timedelta(days=90),
        assessor_contact="01632 960000",
        group_sessions_with_adults="yes",
        sessions_with_under_18s_present="no",
        sessions_with_vulnerable_adults_present="yes",
        one_to_one_sessions="yes",
        two_staff_needed="yes",
        named_contact_restriction="no",
    )
    assert _records(_pack(lead, person), "suitability_assessments") == []
    share(categories=[Category.RISK_SUITABILITY], kinds=[OrganisationKind.LEAD_CHARITY])
    shared = _records(_pack(lead, person), "suitability_assessments")
    assert _texts(shared, "two_staff_needed") == ["Yes"]
    assert not shared[0].own


def test_after_the_work_ends_only_the_organisations_own_records_remain(cast, lead, person, share):
    share(categories=[Category.CASE_NOTES], kinds=[OrganisationKind.LEAD_CHARITY])
    WorkingRelationship.objects.filter(organisation=cast.lead_charity).update(
        started_on=date.today() - timedelta(days=400), ended_on=date.today() - timedelta(days=200)
    )
    record_read(actor=cast.housing, person=person, categories=[Category.IDENTITY])
    assert policy.can_make_subject_access_export(lead, person)
    built = _pack(lead, person)
    assert _texts(_records(built, "contacts"), "note") == [OWN_NOTE]
    assert not any(entry.organisation == "Northshire Homes" for entry in built.access_log)


# The access log ---------------------------------------------------------------------------------


def test_the_pack_holds_who_read_and_changed_the_record(cast, lead, person):
    record_read(actor=cast.caseworker, person=person, categories=[Category.IDENTITY])
    record_read(actor=cast.housing, person=person, categories=[Category.CASE_NOTES])
    record_event(
        actor=cast.caseworker,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        person=person,
        category=Category.IDENTITY,
        changes={"given_name": ["Samuel", "Sam"]},
        reason="The person asked",
    )
    # Another organisation's change in a category the lead charity may not see: listed, but
    # not what changed.
    record_event(
        actor=cast.housing,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        person=person,
        category=Category.CONTACT,
        changes={"phone": ["07700900000", "07700900123"]},
    )
    built = _pack(lead, person)
    log = built.access_log
    assert [(e.who, e.organisation, e.action) for e in log[:2]] == [
        (cast.caseworker.user.get_full_name(), "New Leaf Northshire", "Read"),
        (cast.housing.user.get_full_name(), "Northshire Homes", "Read"),
    ]
    change = next(e for e in log if e.reason == "The person asked")
    assert change.changes == [{"field": "given_name", "from": "Samuel", "to": "Sam"}]
    theirs = next(e for e in log if e.organisation == "Northshire Homes" and e.action == "Changed")
    assert theirs.changes == []
    page = pack.as_html(built)
    assert "The person asked" in page
    assert "07700900000" not in page
    entries = pack.as_json(built)["categories"][ACCESS_LOG]["entries"]
    assert len(entries) == len(log) == 4


def test_files_that_named_the_person_are_listed(cast, lead, person, make_person):
    cohort = Cohort.objects.create(
        organisation=cast.lead_charity,
        name="Cohort",
        service_from=date.today() - timedelta(days=300),
        service_to=date.today() - timedelta(days=10),
        created_by=cast.analyst.user,
    )
    other = make_person(cast.caseworker)
    for named in ([str(person.pk), str(other.pk)], [str(other.pk)]):
        ExportJob.objects.create(
            organisation=cast.lead_charity,
            requested_by=cast.analyst.user,
            kind=ExportKind.JDL_COHORT,
            cohort=cohort,
            file_name=f"jdl-{len(named)}.csv",
            people=named,
        )
    files = _records(_pack(lead, person), "files_sent")
    assert _texts(files, "file_name") == ["jdl-2.csv"]


def test_the_latest_linkage_of_the_persons_record_is_in_the_pack(cast, lead, person, make_person):
    other = make_person(cast.probation, given_name="Zebedee", family_name="Okafor")
    left, right = sorted((person, other), key=lambda p: str(p.pk))
    older = LinkageRun.objects.create(partnership=cast.partnership, state=RunState.DONE)
    PersonLink.objects.create(run=older, person=person, cluster_id=person.pk)
    run = LinkageRun.objects.create(partnership=cast.partnership, state=RunState.DONE)
    cluster = min(person.pk, other.pk, key=str)
    PersonLink.objects.create(
        run=run,
        person=person,
        cluster_id=cluster,
        match_weight=12.5,
        reasons={"family_name": "exact", "date_of_birth": "exact"},
    )
    LinkPair.objects.create(
        run=run,
        left=left,
        right=right,
        match_weight=12.5,
        match_probability=0.9998,
        agreed={"family_name": "exact", "date_of_birth": "exact"},
        disagreed=["given_name"],
        status=PairStatus.ACCEPTED,
    )
    PairDecision.objects.create(
        partnership=cast.partnership, left=left, right=right, decision="accept", decided_by=lead
    )
    elsewhere = Partnership.objects.create(name="Elsewhere")
    theirs = LinkageRun.objects.create(partnership=elsewhere, state=RunState.DONE)
    PersonLink.objects.create(run=theirs, person=person, cluster_id=person.pk)

    built = _pack(lead, person)

    (linked,) = _records(built, "linkage_cluster")
    assert linked.held_by == cast.partnership.name
    assert _texts([linked], "cluster_id") == [str(cluster)]
    assert _texts([linked], "match_weight") == ["12.5"]
    assert "date_of_birth" in _texts([linked], "reasons")[0]
    (pair,) = _records(built, "linkage_pairs")
    assert _texts([pair], "status") == ["Same person (reviewed)"]
    assert _texts([pair], "disagreed") == ["given_name"]
    (decision,) = _records(built, "linkage_decisions")
    assert decision.own
    assert _texts([decision], "decision") == ["Same person"]
    # The other record of the pair may be someone else's: it is not named.
    assert "Zebedee" not in json.dumps(pack.as_json(built))
    assert "Zebedee" not in pack.as_html(built)


def test_another_organisations_linkage_decision_is_in_the_pack_as_theirs(
    cast, lead, person, make_person
):
    other = make_person(cast.probation, given_name="Zebedee", family_name="Okafor")
    left, right = sorted((person, other), key=lambda p: str(p.pk))
    PairDecision.objects.create(
        partnership=cast.partnership,
        left=left,
        right=right,
        decision="reject",
        decided_by=cast.housing,
    )
    elsewhere = Partnership.objects.create(name="Elsewhere")
    elsewhere.organisations.add(cast.outside_organisation)
    PairDecision.objects.create(
        partnership=elsewhere, left=left, right=right, decision="accept", decided_by=cast.outsider
    )
    (decision,) = _records(_pack(lead, person), "linkage_decisions")
    assert not decision.own
    assert decision.held_by == cast.partnership.name
    assert _texts([decision], "decision") == ["Different people"]
