"""Sessions, programmes, enrolments and registers."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable

from resettle.access.core import (
    Actor,
    about,
    acting_staff,
    can_view_case_records,
    get_or_404,
    is_current,
    people_visible_to,
    people_with_readable,
)
from resettle.access.rules.directory import services_visible_to
from resettle.accounts.models import Role
from resettle.directory.models import Service
from resettle.people.models import Person
from resettle.referrals.models import Referral
from resettle.registers.models import Attendance, Enrolment, Programme, Session, SessionNote
from resettle.suitability.models import SuitabilityAssessment

# Sessions and registers -------------------------------------------------------------------------
#
# A session and its register belong to the organisation that delivers the service. Its
# coordinators and caseworkers see its sessions and take their registers, as does a member of
# its staff named as a session's leader (a peer mentor coaching, say); its admins and
# coordinators plan sessions and programmes. Who is enrolled and who came are case notes: the
# delivering organisation reads them for the people it works with, and the organisation that
# referred someone to the service reads that person's where agreements and consent give it case
# notes. A leader's note about an attendee stays with the delivering organisation, unless the
# leader chose to tell the referrer, whose organisation then reads it under the same rule.

REGISTER_ROLES = frozenset({Role.DELIVERY_COORDINATOR, Role.CASEWORKER})
SESSION_PLANNER_ROLES = frozenset({Role.DELIVERY_COORDINATOR, Role.ORGANISATION_ADMIN})
ENROLMENT = "registers.Enrolment"
ATTENDANCE = "registers.Attendance"
SESSION_NOTE = "registers.SessionNote"


def can_plan_sessions(actor: Actor, service: Service) -> bool:
    """Generate, add, move and cancel a service's sessions and set up its programmes."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in SESSION_PLANNER_ROLES
        and staff.organisation_id == service.organisation_id
    )


def sessions_visible_to(actor: Actor) -> QuerySet[Session]:
    staff = acting_staff(actor)
    if staff is None:
        return Session.objects.none()
    own = Q(service__organisation_id=staff.organisation_id)
    if staff.role in REGISTER_ROLES | SESSION_PLANNER_ROLES:
        return Session.objects.filter(own)
    return Session.objects.filter(own, leaders=staff.user_id)


def get_session_for_actor(actor: Actor, session_id: Any) -> Session:
    """The session, or the same 404 whether it does not exist or is not the actor's to see."""
    return get_or_404(
        sessions_visible_to(actor).select_related("service__organisation", "programme", "location"),
        session_id,
        "session",
    )


def can_take_register(actor: Actor, session: Session) -> bool:
    """See who is enrolled, mark them, count heads and note concerns: the delivering
    organisation's coordinators and caseworkers, and the session's leaders among its staff."""
    staff = acting_staff(actor)
    if staff is None or staff.organisation_id != session.service.organisation_id:
        return False
    if staff.role in REGISTER_ROLES:
        return True
    return session.leaders.filter(pk=staff.user_id).exists()


def can_enrol(actor: Actor, service: Service) -> bool:
    """Enrol people in the service, withdraw and complete their enrolments."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role in REGISTER_ROLES
        and staff.organisation_id == service.organisation_id
    )


def can_manage_enrolment(actor: Actor, enrolment: Enrolment) -> bool:
    return can_enrol(actor, enrolment.service)


def can_confirm_completion(actor: Actor, enrolment: Enrolment) -> bool:
    """Confirming that someone completed a programme, and the date of their award, is the
    delivering organisation's coordinator's."""
    staff = acting_staff(actor)
    return (
        staff is not None
        and staff.role == Role.DELIVERY_COORDINATOR
        and staff.organisation_id == enrolment.service.organisation_id
    )


def can_confirm_suitability(actor: Actor, assessment: SuitabilityAssessment) -> bool:
    """An enrolment a suitability restriction refuses goes ahead only when the organisation
    that made the assessment confirms it."""
    staff = acting_staff(actor)
    return staff is not None and staff.organisation_id == assessment.assessor_organisation_id


def programmes_visible_to(actor: Actor) -> QuerySet[Programme]:
    """A programme is part of a service's directory entry: seen wherever the service is."""
    if not is_current(actor):
        return Programme.objects.none()
    return Programme.objects.filter(service__in=services_visible_to(actor).values("pk"))


def get_programme_for_actor(actor: Actor, programme_id: Any) -> Programme:
    return get_or_404(
        programmes_visible_to(actor).select_related("service__organisation"),
        programme_id,
        "programme",
    )


def _delivered_or_referred(actor: Actor, service: str, label: str) -> Q | Combinable | None:
    """Records of the actor's organisation's services (`service` is the path to the service)
    about people it works with, or about people it referred to the service where it may read
    `label`'s records of them."""
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return None
    own: Q | Combinable = Q(**{f"{service}__organisation_id": staff.organisation_id}) & about(
        people_visible_to(actor)
    )
    if staff.role == Role.PEER_MENTOR:
        return own
    referred = Referral.objects.filter(
        referring_organisation_id=staff.organisation_id,
        person_id=OuterRef("person_id"),
        service_id=OuterRef(f"{service}_id"),
    )
    return own | (Exists(referred) & about(people_with_readable(actor, label)))


def enrolments_visible_to(actor: Actor) -> QuerySet[Enrolment]:
    visible = _delivered_or_referred(actor, "service", ENROLMENT)
    if visible is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(visible)


def get_enrolment_for_actor(actor: Actor, enrolment_id: Any) -> Enrolment:
    return get_or_404(
        enrolments_visible_to(actor).select_related(
            "person", "service__organisation", "programme", "referral"
        ),
        enrolment_id,
        "enrolment",
    )


def attendance_visible_to(actor: Actor) -> QuerySet[Attendance]:
    visible = _delivered_or_referred(actor, "session__service", ATTENDANCE)
    if visible is None:
        return Attendance.objects.none()
    return Attendance.objects.filter(visible)


def session_notes_visible_to(actor: Actor) -> QuerySet[SessionNote]:
    staff = acting_staff(actor)
    if staff is None or not can_view_case_records(actor):
        return SessionNote.objects.none()
    own: Q | Combinable = Q(organisation_id=staff.organisation_id) & about(people_visible_to(actor))
    told = Q(
        notify_referrer=True, referral__referring_organisation_id=staff.organisation_id
    ) & about(people_with_readable(actor, SESSION_NOTE))
    return SessionNote.objects.filter(own | told)


def enrolments_for_person(actor: Actor, person: Person) -> QuerySet[Enrolment]:
    return enrolments_visible_to(actor).filter(person=person)
