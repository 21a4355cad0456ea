"""The retention schedule: rules set by a data-protection lead, what is due and what is not,
legal holds, dry runs, reruns and interrupted runs, the erasure log, and the pages."""

from datetime import date, timedelta
from io import StringIO
from itertools import count
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from resettle.audit.models import AuditEvent
from resettle.cases.models import Case, CaseEvent, CaseEventKind, CaseState, CloseReason
from resettle.contacts.models import Contact
from resettle.core.exceptions import PermissionDenied
from resettle.dataprotection import retention, services
from resettle.dataprotection.models import (
    Anonymisation,
    ErasureLogEntry,
    LegalHold,
    RecordType,
    RetentionAction,
    RetentionRule,
)
from resettle.people.merging import snapshot
from resettle.people.models import Address, Identifier, Person, PersonMerge, PersonName

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)
NUMBERS = count(6)
NOTE = "Spoke about his daughter and the tenancy at 4 Elm Row"


def _rule(lead, cast, record_type: str, years: int) -> RetentionRule:
    return services.retention_rule_set(
        actor=lead, partnership=cast.partnership, record_type=record_type, years=years
    )


def _closed_case(cast, person: Person, closed_on: date) -> Case:
    case = Case.objects.create(
        person=person,
        organisation=cast.lead_charity,
        opened_on=closed_on - timedelta(days=200),
        state=CaseState.CLOSED,
        closed_on=closed_on,
        close_reason=CloseReason.GOALS_MET,
    )
    Contact.objects.create(
        person=person,
        case=case,
        organisation=cast.lead_charity,
        recorded_by=cast.caseworker.user,
        kind="face_to_face",
        happened_at=f"{closed_on - timedelta(days=30)}T10:00:00Z",
        outcome="attended",
        note=NOTE,
    )
    CaseEvent.objects.create(case=case, kind=CaseEventKind.CLOSED, on=closed_on, note=NOTE)
    return case


def _former(cast, make_person, ended_on: date, **fields) -> Person:
    """Someone the lead charity supported until `ended_on`, with aliases, an address and an
    identifier."""
    fields.setdefault("given_name", "Dale")
    fields.setdefault("family_name", "Marsh")
    person = make_person(
        cast.caseworker,
        started_on=ended_on - timedelta(days=400),
        ended_on=ended_on,
        phone="07700900456",
        email="dale@example.org",
        date_of_birth=date(1985, 7, 14),
        identifiers={"ni_number": f"QQ12345{next(NUMBERS)}C"},
        **fields,
    )
    PersonName.objects.create(person=person, kind="alias", given_name="Dee", family_name="Marsh")
    Address.objects.create(person=person, kind="home", line_1="4 Elm Row", postcode="NS1 1AA")
    return person


def _notes(case: Case) -> list[str]:
    return [
        *Contact.objects.filter(case=case).values_list("note", flat=True),
        *CaseEvent.objects.filter(case=case).values_list("note", flat=True),
    ]


# Rules ------------------------------------------------------------------------------------------


def test_a_lead_sets_a_rule_and_the_change_is_audited(cast, lead):
    rule = _rule(lead, cast, RecordType.CLOSED_CASES, 7)
    assert rule.action == RetentionAction.DELETE_NOTES
    changed = _rule(lead, cast, RecordType.CLOSED_CASES, 9)
    assert changed.pk == rule.pk and changed.years == 9
    events = AuditEvent.objects.filter(object_type="retention_rule", object_id=str(rule.pk))
    assert events.count() == 2
    assert events.order_by("at").last().changes == {"years": ["7", "9"]}


@pytest.mark.parametrize("years", [0, 101])
def test_years_out_of_range_are_refused(cast, lead, years):
    with pytest.raises(ValidationError) as error:
        _rule(lead, cast, RecordType.CLOSED_CASES, years)
    assert "years" in error.value.message_dict


def test_an_action_that_does_not_fit_the_record_type_is_refused(cast):
    rule = RetentionRule(
        partnership=cast.partnership,
        record_type=RecordType.CLOSED_CASES,
        action=RetentionAction.ANONYMISE,
        years=5,
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "action" in error.value.message_dict


def test_only_a_lead_of_a_member_organisation_sets_a_rule(cast, lead):
    with pytest.raises(PermissionDenied):
        _rule(cast.caseworker, cast, RecordType.CLOSED_CASES, 7)
    cast.outsider.is_data_protection_lead = True
    cast.outsider.save()
    with pytest.raises(PermissionDenied):
        _rule(cast.outsider, cast, RecordType.CLOSED_CASES, 7)
    assert not RetentionRule.objects.exists()


# Closed cases ------------------------------------------------------------------------------------


def test_notes_of_cases_closed_longer_ago_than_the_rule_are_deleted(cast, lead, make_person):
    _rule(lead, cast, RecordType.CLOSED_CASES, 7)
    old = _closed_case(cast, make_person(given_name="Old"), TODAY - timedelta(days=365 * 8))
    recent = _closed_case(cast, make_person(given_name="Recent"), TODAY - timedelta(days=365 * 3))
    counts = retention.apply_retention(TODAY)
    assert sum(counts.values()) == 1
    assert _notes(old) == ["", ""]
    assert _notes(recent) == [NOTE, NOTE]
    # The records themselves, and so every count, stay.
    assert Contact.objects.filter(case=old).count() == 1


def test_the_longest_rule_of_the_organisations_partnerships_applies(cast, lead, make_person):
    from resettle.partnerships.models import Partnership

    _rule(lead, cast, RecordType.CLOSED_CASES, 2)
    longer = Partnership.objects.create(name="County Housing Forum")
    longer.organisations.add(cast.lead_charity)
    services.retention_rule_set(
        actor=lead, partnership=longer, record_type=RecordType.CLOSED_CASES, years=10
    )
    case = _closed_case(cast, make_person(), TODAY - timedelta(days=365 * 5))
    assert retention.apply_retention(TODAY) == {}
    assert _notes(case) == [NOTE, NOTE]


# People no longer supported ----------------------------------------------------------------------


def test_someone_no_longer_supported_for_the_rules_years_is_anonymised(cast, lead, make_person):
    rule = _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 6)
    gone = _former(cast, make_person, TODAY - timedelta(days=365 * 7))
    recent = _former(cast, make_person, TODAY - timedelta(days=365 * 2), given_name="Recent")
    current = make_person(cast.caseworker, given_name="Current")
    assert retention.apply_retention(TODAY) == {rule.pk: 1}
    gone.refresh_from_db()
    assert (gone.given_name, gone.family_name) == ("Anonymised", "Person")
    assert (gone.phone, gone.email, gone.middle_names, gone.preferred_name) == ("", "", "", "")
    assert gone.date_of_birth == date(1985, 1, 1)  # the year stays
    assert not PersonName.objects.filter(person=gone).exists()
    assert not Address.objects.filter(person=gone).exists()
    assert not Identifier.objects.filter(person=gone).exists()
    # Still counted: the person and their working relationship stay.
    assert gone.working_relationships.count() == 1
    recent.refresh_from_db()
    current.refresh_from_db()
    assert recent.given_name == "Recent" and current.given_name == "Current"


def test_a_record_merged_into_theirs_and_its_saved_copy_are_anonymised_too(cast, lead, make_person):
    rule = _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 6)
    gone = _former(cast, make_person, TODAY - timedelta(days=365 * 7))
    merged = Person.objects.create(
        given_name="Dal",
        family_name="Marshe",
        email="d.marsh@example.org",
        date_of_birth=date(1985, 7, 4),
    )
    merge = PersonMerge.objects.create(
        organisation=cast.lead_charity,
        survivor=gone,
        merged=merged,
        reason="The same person",
        person_fields=snapshot(merged),
    )
    assert retention.apply_retention(TODAY) == {rule.pk: 1}
    merged.refresh_from_db()
    merge.refresh_from_db()
    assert (merged.given_name, merged.family_name, merged.email) == ("Anonymised", "Person", "")
    assert merged.date_of_birth == date(1985, 1, 1)
    saved = merge.person_fields
    assert (saved["given_name"], saved["family_name"], saved["email"]) == (
        "Anonymised",
        "Person",
        "",
    )
    assert saved["date_of_birth"] == "1985-01-01"
    assert saved["id"] == str(merged.pk)


def test_anyone_with_open_support_anywhere_is_not_anonymised(cast, lead, make_person):
    _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 6)
    person = _former(cast, make_person, TODAY - timedelta(days=365 * 7))
    Case.objects.create(person=person, organisation=cast.housing_provider, opened_on=TODAY)
    assert retention.apply_retention(TODAY) == {}
    person.refresh_from_db()
    assert person.given_name == "Dale"


# Legal holds, dry runs, reruns, interruptions ----------------------------------------------------


def test_a_legal_hold_stops_retention_until_it_is_lifted(cast, lead, make_person):
    _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 6)
    _rule(lead, cast, RecordType.CLOSED_CASES, 6)
    person = _former(cast, make_person, TODAY - timedelta(days=365 * 7))
    case = _closed_case(cast, person, TODAY - timedelta(days=365 * 7))
    hold = services.legal_hold_place(actor=lead, person=person, reason="A claim is expected")
    assert retention.preview(TODAY) == {}
    assert retention.apply_retention(TODAY) == {}
    person.refresh_from_db()
    assert person.given_name == "Dale" and _notes(case) == [NOTE, NOTE]
    assert AuditEvent.objects.filter(object_type="legal_hold", object_id=str(hold.pk)).exists()

    services.legal_hold_lift(actor=lead, hold=hold)
    assert sum(retention.apply_retention(TODAY).values()) == 2
    person.refresh_from_db()
    assert person.given_name == "Anonymised" and _notes(case) == ["", ""]


def test_a_dry_run_changes_nothing(cast, lead, make_person):
    rule = _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 6)
    person = _former(cast, make_person, TODAY - timedelta(days=365 * 7))
    assert retention.preview(TODAY) == {rule.pk: 1}
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "1 record would be anonymised" in out.getvalue()
    person.refresh_from_db()
    assert person.given_name == "Dale"
    assert not ErasureLogEntry.objects.exists()
    assert not Anonymisation.objects.exists()


def test_a_rerun_does_nothing_more(cast, lead, make_person):
    _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 6)
    _rule(lead, cast, RecordType.CLOSED_CASES, 6)
    person = _former(cast, make_person, TODAY - timedelta(days=365 * 7))
    _closed_case(cast, person, TODAY - timedelta(days=365 * 7))
    assert sum(retention.apply_retention(TODAY).values()) == 2
    assert retention.apply_retention(TODAY) == {}
    assert ErasureLogEntry.objects.count() == 2


def test_an_interrupted_run_leaves_nobody_half_anonymised_and_resumes(cast, lead, make_person):
    rule = _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 6)
    ended = TODAY - timedelta(days=365 * 7)
    first = _former(cast, make_person, ended, given_name="First")
    second = _former(cast, make_person, ended, given_name="Second")
    real_count = retention._count
    calls = []

    def fail_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the run stopped, after the record's changes were made
        real_count(*args, **kwargs)

    with mock.patch.object(retention, "_count", fail_second), pytest.raises(KeyboardInterrupt):
        retention.apply_retention(TODAY)
    names = {p.pk: p.given_name for p in Person.objects.filter(pk__in=[first.pk, second.pk])}
    done = [pk for pk, name in names.items() if name == "Anonymised"]
    untouched = [pk for pk, name in names.items() if name != "Anonymised"]
    assert len(done) == 1 and len(untouched) == 1
    # The one rolled back still has everything; the log says exactly what was done.
    assert Identifier.objects.filter(person_id=untouched[0]).exists()
    assert not Anonymisation.objects.filter(person_id=untouched[0]).exists()
    assert ErasureLogEntry.objects.get().count == 1

    assert retention.apply_retention(TODAY) == {rule.pk: 1}
    assert Person.objects.filter(pk__in=[first.pk, second.pk], given_name="Anonymised").count() == 2
    assert sum(ErasureLogEntry.objects.values_list("count", flat=True)) == 2


def test_the_erasure_log_holds_no_personal_data(cast, lead, make_person):
    _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 6)
    _rule(lead, cast, RecordType.CLOSED_CASES, 6)
    person = _former(cast, make_person, TODAY - timedelta(days=365 * 7))
    case = _closed_case(cast, person, TODAY - timedelta(days=365 * 7))
    retention.apply_retention(TODAY)
    rows = list(ErasureLogEntry.objects.values())
    assert len(rows) == 2
    text = repr(rows)
    for personal in ("Dale", "Marsh", "0770", "QQ12345", "Elm Row", str(person.pk), str(case.pk)):
        assert personal not in text
    assert {row["record_type"] for row in rows} == set(RecordType.values)


def test_the_command_applies_retention_and_prints_counts(cast, lead, make_person):
    _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 1)
    _former(cast, make_person, date.today() - timedelta(days=365 * 3))
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "1 record was anonymised" in out.getvalue()
    assert "1 record in all" in out.getvalue()


# Pages ------------------------------------------------------------------------------------------


def test_the_retention_page_shows_rules_with_what_is_due_and_the_log(
    cast, client_as, lead, make_person
):
    _rule(lead, cast, RecordType.PEOPLE_NO_LONGER_SUPPORTED, 1)
    _former(cast, make_person, date.today() - timedelta(days=365 * 3))
    page = client_as(lead).get(reverse("dataprotection:retention"))
    assert page.status_code == 200
    assert [row.due for row in page.context["rules"]] == [1]
    assert "Retention has not anonymised or deleted anything yet" in page.content.decode()
    retention.apply_retention()
    page = client_as(lead).get(reverse("dataprotection:retention"))
    assert [row.due for row in page.context["rules"]] == [0]
    assert [entry.count for entry in page.context["log"]] == [1]


def test_the_lead_sets_a_rule_on_the_page(cast, client_as, lead):
    url = reverse("dataprotection:retention")
    client = client_as(lead)
    data = {"partnership": cast.partnership.pk, "record_type": RecordType.CLOSED_CASES}
    refused = client.post(url, {**data, "years": "0"})
    assert refused.status_code == 200
    assert "Keep records for at least 1 year" in refused.content.decode()
    saved = client.post(url, {**data, "years": "7"})
    assert saved.status_code == 302
    assert RetentionRule.objects.get().years == 7


def test_the_retention_page_is_refused_to_everyone_else(cast, client_as):
    url = reverse("dataprotection:retention")
    assert client_as(cast.caseworker).get(url).status_code == 403
    assert client_as(cast.admin).post(url, {"years": "5"}).status_code == 403
    assert Client().get(url).status_code == 302


def test_the_lead_places_and_lifts_a_legal_hold_on_the_page(cast, client_as, lead, person):
    url = reverse("dataprotection:legal_holds", args=[person.pk])
    client = client_as(lead)
    assert client.get(url).status_code == 200
    assert "Say why the records must be kept" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "A claim is expected"}).status_code == 302
    hold = LegalHold.objects.get(person=person)
    page = client.get(url)
    assert page.context["held"] is True
    lift = reverse("dataprotection:legal_hold_lift", args=[person.pk, hold.pk])
    assert client.post(lift).status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by == lead.user
    assert AuditEvent.objects.filter(object_type="legal_hold", person_id=person.pk).count() == 2


def test_legal_holds_are_refused_to_everyone_else(cast, client_as, lead, person):
    hold = services.legal_hold_place(actor=lead, person=person, reason="A claim is expected")
    url = reverse("dataprotection:legal_holds", args=[person.pk])
    lift = reverse("dataprotection:legal_hold_lift", args=[person.pk, hold.pk])
    # Sees the person, not a lead: refused. Does not see them: the same 404 as for no one.
    assert client_as(cast.caseworker).get(url).status_code == 403
    assert client_as(cast.caseworker).post(lift).status_code == 403
    assert client_as(cast.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is None


def test_a_lead_of_another_organisation_cannot_lift_the_hold(
    cast, client_as, lead, other_lead, person
):
    hold = services.legal_hold_place(actor=lead, person=person, reason="A claim is expected")
    lift = reverse("dataprotection:legal_hold_lift", args=[person.pk, hold.pk])
    assert client_as(other_lead).post(lift).status_code == 403
    hold.refresh_from_db()
    assert hold.lifted_at is None
