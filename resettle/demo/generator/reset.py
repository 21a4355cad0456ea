"""Finding and removing the demo partnership, so `generate_demo --reset` can start again."""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from resettle.accounts.models import Membership, Organisation, User
from resettle.appointments.models import Appointment
from resettle.cases.models import Case
from resettle.contacts.models import Contact
from resettle.custody.models import CustodyPeriod
from resettle.demo.generator.organisations import PARTNERSHIP_NAME
from resettle.directory.models import Location, Service
from resettle.evaluation.models import Cohort, Evaluation, ExportJob, OutcomeEvent
from resettle.mentoring.models import (
    MenteePreferences,
    MentorAllocation,
    MentorProfile,
    SupervisionNote,
)
from resettle.offending.models import LicenceCondition, RiskAssessment, Sentence
from resettle.openreferral.models import FeedImport, ImportedService
from resettle.outcomes.models import Assessment, EndOfSupport, Schedule
from resettle.partnerships.models import Partnership, SharingAgreement
from resettle.people.models import Household, HouseholdMember, Person, WorkingRelationship
from resettle.plans.models import Goal, PlanReview
from resettle.referrals.models import Referral, Signposting
from resettle.registers.models import Enrolment, Programme, Session


def demo_exists() -> bool:
    return Partnership.objects.filter(name=PARTNERSHIP_NAME).exists()


@transaction.atomic
def delete_demo() -> int:
    """Delete the demo partnership, its organisations, their staff (users with no membership
    outside the demo) and the people they recorded or work with. Returns rows deleted."""
    partnership = Partnership.objects.filter(name=PARTNERSHIP_NAME).first()
    if partnership is None:
        return 0
    organisations = Organisation.objects.filter(partnerships=partnership)
    outside = Membership.objects.filter(user_id=OuterRef("pk")).exclude(
        organisation__in=organisations
    )
    users = User.objects.filter(memberships__organisation__in=organisations).exclude(
        Exists(outside)
    )
    user_ids = list(users.values_list("pk", flat=True).distinct())
    people = Person.objects.filter(
        Q(created_by_id__in=user_ids)
        | Exists(
            WorkingRelationship.objects.filter(
                person_id=OuterRef("pk"), organisation__in=organisations
            )
        )
    )
    # Households made up only of demo people go with them.
    others = HouseholdMember.objects.filter(household_id=OuterRef("pk")).exclude(
        person__in=people.values("pk")
    )
    households = Household.objects.filter(
        Exists(HouseholdMember.objects.filter(household_id=OuterRef("pk"))), ~Exists(others)
    )
    total = households.delete()[0]
    total += delete_casework(people, organisations)
    total += people.delete()[0]
    total += User.objects.filter(pk__in=user_ids).delete()[0]
    # An agreement protects its owner organisation, so the partnership's agreements go first.
    total += SharingAgreement.objects.filter(partnership=partnership).delete()[0]
    total += organisations.delete()[0]
    total += partnership.delete()[0]
    return total


def delete_casework(people, organisations) -> int:
    """The demo's casework records, in an order their protected references allow: what points
    at a case, referral, service or mentor goes before it."""
    mine = Q(person__in=people.values("pk"))
    ours = Q(organisation__in=organisations)
    referrals = Referral.objects.filter(
        mine
        | Q(referring_organisation__in=organisations)
        | Q(service__organisation__in=organisations)
    )
    querysets = [
        ExportJob.objects.filter(ours),
        Evaluation.objects.filter(ours),
        Cohort.objects.filter(ours),
        OutcomeEvent.objects.filter(mine | ours),
        LicenceCondition.objects.filter(mine | ours),
        RiskAssessment.objects.filter(mine | ours),
        Sentence.objects.filter(mine | ours),
        Signposting.objects.filter(mine | ours),
        EndOfSupport.objects.filter(mine),
        Assessment.objects.filter(mine | ours),
        Schedule.objects.filter(ours),
        PlanReview.objects.filter(mine),
        Goal.objects.filter(mine),
        Appointment.objects.filter(mine | ours),
        Contact.objects.filter(mine | ours),
        MentorAllocation.objects.filter(
            Q(case__person__in=people.values("pk")) | Q(mentor__organisation__in=organisations)
        ),
        SupervisionNote.objects.filter(mentor__organisation__in=organisations),
        MenteePreferences.objects.filter(mine | ours),
        MentorProfile.objects.filter(ours),
        Case.objects.filter(mine | ours),
        CustodyPeriod.objects.filter(mine),
        Session.objects.filter(service__organisation__in=organisations),
        Programme.objects.filter(service__organisation__in=organisations),
        ImportedService.objects.filter(ours),
        FeedImport.objects.filter(ours),
        Service.objects.filter(ours),
        Location.objects.filter(ours),
    ]
    # Enrolments hold the referral that made them, and onward referrals the one they came
    # from: those go first.
    total = Enrolment.objects.filter(mine | Q(service__organisation__in=organisations)).delete()[0]
    referrals.update(parent=None)
    total += referrals.delete()[0]
    for queryset in querysets:
        total += queryset.delete()[0]
    return total
