"""Making, changing and ending sharing agreements: who may, the hard limits, the audit trail, and
that an agreement's dates decide access to the day."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, OrganisationKind, Role
from resettle.accounts.tests.factories import make_organisation, make_user
from resettle.audit.models import AuditAction, AuditEvent
from resettle.core.exceptions import PermissionDenied
from resettle.notifications.models import Notification
from resettle.partnerships.models import LawfulBasis, SharingAgreement
from resettle.partnerships.services import agreement_create, agreement_end, agreement_update
from resettle.partnerships.tests.factories import make_agreement

pytestmark = pytest.mark.django_db

TODAY = date.today()


def terms(**changes) -> dict:
    data = {
        "title": "Housing information sharing",
        "document_reference": "ISA-2025-07",
        "purpose": "So housing providers can plan a safe tenancy.",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "categories": [Category.CONTACT, Category.HEALTH],
        "recipient_kinds": [OrganisationKind.HOUSING],
        "starts_on": TODAY - timedelta(days=10),
        "ends_on": None,
    }
    return data | changes


def events_for(agreement: SharingAgreement) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="sharing_agreement", object_id=str(agreement.pk))
    )


# Making an agreement


def test_admin_makes_an_agreement_owned_by_their_organisation(cast):
    agreement = agreement_create(
        actor=cast.admin,
        partnership=cast.partnership,
        data=terms(),
        recipient_organisation_ids=[cast.family_charity.pk],
    )

    agreement.refresh_from_db()
    assert agreement.owner == cast.lead_charity
    assert agreement.created_by == cast.admin.user
    assert agreement.categories == [Category.CONTACT, Category.HEALTH]
    assert list(agreement.recipient_organisations.all()) == [cast.family_charity]


def test_making_an_agreement_is_audited_with_every_term(cast):
    agreement = agreement_create(actor=cast.admin, partnership=cast.partnership, data=terms())

    [event] = events_for(agreement)
    assert event.action == AuditAction.AGREEMENT_CHANGE
    assert event.organisation_id == cast.lead_charity.pk
    assert event.changes["categories"] == [None, "contact, health"]
    assert event.changes["recipient_kinds"] == [None, "housing"]
    assert event.changes["title"] == [None, "Housing information sharing"]


def test_categories_are_stored_once_each_in_the_listed_order(cast):
    agreement = agreement_create(
        actor=cast.admin,
        partnership=cast.partnership,
        data=terms(categories=[Category.HEALTH, Category.CONTACT, Category.HEALTH]),
    )

    assert agreement.categories == [Category.CONTACT, Category.HEALTH]


@pytest.mark.parametrize("who", ["caseworker", "manager", "analyst", "safeguarding"])
def test_only_organisation_admins_make_agreements(cast, who):
    with pytest.raises(PermissionDenied):
        agreement_create(actor=getattr(cast, who), partnership=cast.partnership, data=terms())

    assert not SharingAgreement.objects.exists()


def test_an_admin_outside_the_partnership_cannot_make_its_agreements(cast, outsider_admin):
    with pytest.raises(PermissionDenied):
        agreement_create(actor=outsider_admin, partnership=cast.partnership, data=terms())


def test_offence_to_a_sport_trust_is_refused_and_nothing_saved(cast):
    data = terms(
        categories=[Category.OFFENCE],
        recipient_kinds=[OrganisationKind.PROBATION, OrganisationKind.SPORT_TRUST],
    )

    with pytest.raises(ValidationError) as refused:
        agreement_create(actor=cast.admin, partnership=cast.partnership, data=data)

    assert refused.value.message_dict["categories"] == [
        "Offence and sentence can only be shared with prison, probation"
    ]
    assert not SharingAgreement.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.AGREEMENT_CHANGE).exists()


def test_offence_to_a_named_sport_trust_is_refused_too(cast):
    data = terms(categories=[Category.OFFENCE], recipient_kinds=[OrganisationKind.PROBATION])

    with pytest.raises(ValidationError) as refused:
        agreement_create(
            actor=cast.admin,
            partnership=cast.partnership,
            data=data,
            recipient_organisation_ids=[cast.football_trust.pk],
        )

    [message] = refused.value.message_dict["recipient_organisations"]
    assert "Northshire Town Community Trust" in message
    assert not SharingAgreement.objects.exists()


def test_an_agreement_needs_someone_to_share_with(cast):
    with pytest.raises(ValidationError) as refused:
        agreement_create(
            actor=cast.admin, partnership=cast.partnership, data=terms(recipient_kinds=[])
        )

    assert "recipient_kinds" in refused.value.message_dict


def test_named_recipients_must_be_in_the_partnership(cast):
    with pytest.raises(ValidationError) as refused:
        agreement_create(
            actor=cast.admin,
            partnership=cast.partnership,
            data=terms(),
            recipient_organisation_ids=[cast.outside_organisation.pk],
        )

    assert refused.value.message_dict["recipient_organisations"] == [
        "Choose organisations in this agreement's partnership"
    ]


def test_unknown_terms_are_refused(cast):
    with pytest.raises(ValidationError) as refused:
        agreement_create(
            actor=cast.admin, partnership=cast.partnership, data=terms(owner="someone else")
        )

    assert "owner" in refused.value.message_dict


# Changing an agreement


def test_owner_admin_changes_an_agreement_and_the_change_is_audited(cast):
    agreement = agreement_create(actor=cast.admin, partnership=cast.partnership, data=terms())

    agreement_update(
        actor=cast.admin,
        agreement=agreement,
        data={"categories": [Category.CONTACT], "title": "Housing ISA"},
        recipient_organisation_ids=[cast.family_charity.pk],
    )

    agreement.refresh_from_db()
    assert agreement.categories == [Category.CONTACT]
    latest = events_for(agreement)[-1]
    assert latest.changes == {
        "categories": ["contact, health", "contact"],
        "recipient_organisations": ["", "Families Together Northshire"],
        "title": ["Housing information sharing", "Housing ISA"],
    }


def test_the_partnerships_other_organisations_admins_are_told_of_a_change(cast):
    partner = make_organisation(name="Partner Housing", kind=OrganisationKind.HOUSING)
    cast.partnership.organisations.add(partner)
    partner_admin = Membership.objects.create(
        user=make_user(username="partneradmin"), organisation=partner, role=Role.ORGANISATION_ADMIN
    )
    agreement = agreement_create(actor=cast.admin, partnership=cast.partnership, data=terms())
    agreement_update(actor=cast.admin, agreement=agreement, data={"title": "Housing ISA"})

    told = Notification.objects.filter(recipient=partner_admin.user).order_by("created_at")
    assert [n.subject for n in told] == [
        "Sharing agreement changed: Housing information sharing",
        "Sharing agreement changed: Housing ISA",
    ]
    assert not Notification.objects.filter(recipient=cast.admin.user).exists()


def test_saving_without_a_change_records_nothing(cast):
    agreement = agreement_create(actor=cast.admin, partnership=cast.partnership, data=terms())

    agreement_update(actor=cast.admin, agreement=agreement, data=terms())

    assert len(events_for(agreement)) == 1


def test_another_organisations_admin_cannot_change_an_agreement(cast, probation_admin):
    agreement = make_agreement(
        partnership=cast.partnership, owner=cast.lead_charity, categories=[Category.HEALTH]
    )

    with pytest.raises(PermissionDenied):
        agreement_update(actor=probation_admin, agreement=agreement, data={"title": "Mine now"})

    agreement.refresh_from_db()
    assert agreement.title == "Resettlement information sharing"


def test_a_change_breaking_a_hard_limit_is_refused(cast):
    agreement = make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        recipient_kinds=[OrganisationKind.SPORT_TRUST],
    )

    with pytest.raises(ValidationError):
        agreement_update(
            actor=cast.admin, agreement=agreement, data={"categories": [Category.OFFENCE]}
        )

    agreement.refresh_from_db()
    assert agreement.categories == [Category.HEALTH]


# Ending an agreement


def test_ending_an_agreement_sets_today_as_its_end_and_keeps_it(cast):
    agreement = make_agreement(
        partnership=cast.partnership, owner=cast.lead_charity, categories=[Category.HEALTH]
    )

    agreement_end(actor=cast.admin, agreement=agreement)

    agreement.refresh_from_db()
    assert agreement.ends_on == TODAY
    assert events_for(agreement)[-1].changes == {"ends_on": [None, TODAY.isoformat()]}


def test_an_ended_agreement_cannot_be_ended_again(cast):
    agreement = make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        ends_on=TODAY,
    )

    with pytest.raises(ValidationError, match="already ended"):
        agreement_end(actor=cast.admin, agreement=agreement)


def test_an_agreement_not_yet_in_force_cannot_be_ended(cast):
    agreement = make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        starts_on=TODAY + timedelta(days=7),
    )

    with pytest.raises(ValidationError, match="not been in force"):
        agreement_end(actor=cast.admin, agreement=agreement)


def test_another_organisations_admin_cannot_end_an_agreement(cast, probation_admin):
    agreement = make_agreement(
        partnership=cast.partnership, owner=cast.lead_charity, categories=[Category.HEALTH]
    )

    with pytest.raises(PermissionDenied):
        agreement_end(actor=probation_admin, agreement=agreement)


# Dates decide access


def test_an_agreement_ending_today_stops_access_today(cast, make_person):
    person = make_person(cast.housing)
    make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        recipient_kinds=[OrganisationKind.HOUSING],
        ends_on=TODAY,
    )

    assert not policy.can_view_category(cast.housing, person, Category.HEALTH)


def test_an_agreement_ending_tomorrow_still_gives_access_today(cast, make_person):
    person = make_person(cast.housing)
    make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        recipient_kinds=[OrganisationKind.HOUSING],
        ends_on=TODAY + timedelta(days=1),
    )

    assert policy.can_view_category(cast.housing, person, Category.HEALTH)


def test_ending_an_agreement_stops_access_at_once(cast, make_person):
    person = make_person(cast.housing)
    agreement = make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        recipient_kinds=[OrganisationKind.HOUSING],
    )
    assert policy.can_view_category(cast.housing, person, Category.HEALTH)

    agreement_end(actor=cast.admin, agreement=agreement)

    # A fresh request: the policy keeps an actor's grants only for one request.
    housing = type(cast.housing).objects.get(pk=cast.housing.pk)
    assert not policy.can_view_category(housing, person, Category.HEALTH)
