"""The sections of a subject access pack: every kind of record Resettle holds about a person,
grouped under the data category it belongs to (resettle/access/categories.py), with the fields
the registry (resettle/access/registry.py) lists for it.

Each section says how to find a person's records, which of them are the requesting
organisation's own (shown whole: it made them), and which of other organisations' it may see
(shown with only the fields of categories it may see), asked of the access policy as the
organisation's controller view. `test_pack_is_complete` fails when a model holding personal
data is in no section and not set aside in NOT_IN_PACK, so a new kind of record has to be placed
before it can ship."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from resettle.access import policy
from resettle.access.categories import Category
from resettle.access.registry import IDENTIFIER_SCHEMES, fields_in
from resettle.access.rules.dataprotection import SubjectAccessScope
from resettle.accounts.models import Membership
from resettle.custody.models import ChecklistUpdate
from resettle.linkage.models import LinkageRun, RunState
from resettle.people.models import Person
from resettle.referrals.models import ReferralState

# Groups beyond the data categories: the records that say who holds the person's record and
# why, and the audit trail of who read or changed it.
ACCESS = "access"
ACCESS_LOG = "access_log"
GROUPS: tuple[tuple[str, str], ...] = (
    *((category.value, category.label) for category in Category),
    (ACCESS, "Who holds this record and why"),
    (ACCESS_LOG, "Who has read or changed this record"),
)

# Kinds of record holding personal data that are not in the pack, and why.
NOT_IN_PACK: dict[str, str] = {
    "dataprotection.Anonymisation": (
        "Only that the record was anonymised under the retention schedule, and when: once it is, "
        "nobody can be found to make a pack for."
    ),
    "notifications.Notification": (
        "Messages to staff: they point to records in this pack and name no one by reference."
    ),
    "api.IdempotencyRecord": (
        "A copy of an answer the API already gave, kept for a day so a repeated request is not "
        "made twice."
    ),
    "registers.MarkReceipt": (
        "A duplicate of a register mark (in Attendance), kept so a repeated tap is ignored."
    ),
    "people.MergedRow": (
        "Which rows a merge moved or set aside, to undo it: the rows themselves are in the pack, "
        "and the merge in its own section."
    ),
}

# Fields left out of every section: search keys derived from the names, and bookkeeping.
NOT_SHOWN = frozenset(
    {"given_key", "family_key", "family_letters", "version", "updated_at", "content", "id"}
)

# Fields that name other people for their protection (people the person must avoid): a
# subject access answer may withhold third parties' information, and these exist to keep
# someone safe from the person, so the pack says one is recorded rather than who.
WITHHELD: dict[str, frozenset[str]] = {
    "suitability.SuitabilityAssessment": frozenset({"named_people_to_avoid"}),
}

OrgId = Any
OwnRule = Callable[[OrgId], Q]
SharedRule = Callable[[SubjectAccessScope, Person], Q | None]


@dataclass(frozen=True)
class Section:
    """One kind of record in the pack.

    `about`: the person's records of `label`. `own`: which are the organisation's own. `shared`:
    which of everyone else's it may see (None: none of them). `holder`: the path to the
    organisation each record belongs to, to say whose it is. `covers`: other models whose
    fields this section shows (a household's name with the membership)."""

    key: str
    title: str
    group: str
    label: str
    about: Callable[[Person], Q]
    own: OwnRule
    shared: SharedRule
    holder: str = ""
    order: tuple[str, ...] = ("created_at",)
    fields: tuple[str, ...] | None = None
    covers: tuple[str, ...] = field(default=())


# Rules used by many sections -----------------------------------------------------------------


def _person(path: str = "person") -> Callable[[Person], Q]:
    return lambda person: Q(**{path: person})


def _organisation(path: str) -> OwnRule:
    return lambda organisation_id: Q(**{f"{path}_id": organisation_id})


def _nobody_owns(organisation_id: OrgId) -> Q:
    """Records of the person's own record (names, addresses, family), which no organisation
    owns: shared under their category."""
    return Q(pk__in=[])


def _recorded_by_staff(path: str) -> OwnRule:
    """Records with no organisation of their own: the organisation's when its staff recorded
    them."""
    return lambda organisation_id: Q(
        Exists(
            Membership.objects.filter(
                user_id=OuterRef(f"{path}_id"), organisation_id=organisation_id
            )
        )
    )


# Every record (an empty Q would vanish when or-ed with the organisation's own).
EVERY = Q(pk__isnull=False)


def _in_category(category: str) -> SharedRule:
    """Every record of the person, when the organisation may see `category`."""
    return lambda scope, person: EVERY if category in scope.categories else None


def _none(scope: SubjectAccessScope, person: Person) -> Q | None:
    return None


def _listed(rule: Callable[[Any, Person], Any], path: str = "pk") -> SharedRule:
    """Those a per-person rule of the policy gives the controller view."""

    def shared(scope: SubjectAccessScope, person: Person) -> Q | None:
        return Q(**{f"{path}__in": rule(scope.controller, person).values("pk")})

    return shared


def _when(check: Callable[[Any, Person], bool]) -> SharedRule:
    """Every record of the person, when a check of the policy passes for the controller view."""
    return lambda scope, person: EVERY if check(scope.controller, person) else None


def _visible_cases(path: str) -> SharedRule:
    return _listed(policy.cases_for_person, path)


CASE = _organisation("case__organisation")
IDENTITY_SCHEMES = [s for s, c in IDENTIFIER_SCHEMES.items() if c == Category.IDENTITY]
CJ_SCHEMES = [s for s, c in IDENTIFIER_SCHEMES.items() if c == Category.CRIMINAL_JUSTICE_IDS]


def _referral_own(organisation_id: OrgId) -> Q:
    """A referral is the sender's and, once submitted, the receiver's."""
    return Q(referring_organisation_id=organisation_id) | (
        Q(service__organisation_id=organisation_id) & ~Q(state=ReferralState.DRAFT)
    )


def _checklist_own(organisation_id: OrgId) -> Q:
    return Q(
        Exists(
            ChecklistUpdate.objects.filter(item_id=OuterRef("pk"), organisation_id=organisation_id)
        )
    )


def _consents_shared(scope: SubjectAccessScope, person: Person) -> Q | None:
    if not scope.working:
        return None
    return Q(pk__in=policy.consents_of_visible_people(scope.controller).values("pk"))


def _signpostings_shared(scope: SubjectAccessScope, person: Person) -> Q | None:
    return Q(pk__in=policy.signpostings_visible_to(scope.controller).values("pk"))


def _attendance_shared(scope: SubjectAccessScope, person: Person) -> Q | None:
    return Q(pk__in=policy.attendance_visible_to(scope.controller).values("pk"))


def _session_notes_shared(scope: SubjectAccessScope, person: Person) -> Q | None:
    return Q(pk__in=policy.session_notes_visible_to(scope.controller).values("pk"))


def _outcomes_of_visible_cases(path: str) -> SharedRule:
    """End-of-support records: another organisation's are outcomes, read under that category."""

    def shared(scope: SubjectAccessScope, person: Person) -> Q | None:
        if Category.OUTCOMES not in scope.categories:
            return None
        return Q(**{f"{path}__in": policy.cases_for_person(scope.controller, person).values("pk")})

    return shared


def _names_person(person: Person) -> Q:
    """A relationship recorded on the person's record, or on a relative's record naming them."""
    return Q(person=person) | Q(related_person=person)


def _latest_linkage_runs() -> QuerySet:
    """Each partnership's latest finished linkage run: the one its pages and counts use (each
    run replaces the one before)."""
    latest = (
        LinkageRun.objects.filter(partnership=OuterRef("partnership"), state=RunState.DONE)
        .order_by("-created_at")
        .values("pk")[:1]
    )
    return LinkageRun.objects.filter(state=RunState.DONE, pk=Subquery(latest)).values("pk")


def _in_our_partnerships(path: str) -> SharedRule:
    """Linkage records of the partnerships the organisation is in, when it may see the person's
    identity (what they are derived from)."""

    def shared(scope: SubjectAccessScope, person: Person) -> Q | None:
        if Category.IDENTITY not in scope.categories:
            return None
        return Q(**{f"{path}__organisations": scope.organisation_id})

    return shared


def _in_a_pair(person: Person) -> Q:
    return Q(left=person) | Q(right=person)


# Search keys are worked out from the names: a pack gives the names, not the keys.
DERIVED_PERSON_FIELDS = frozenset({"given_key", "family_key", "family_letters"})


def _person_fields(category: Category) -> list[str]:
    """The person's fields of a category, as the registry classifies them."""
    return [f for f in fields_in("people.Person", [category]) if f not in DERIVED_PERSON_FIELDS]


SECTIONS: tuple[Section, ...] = (
    # Identity ----------------------------------------------------------------------------------
    Section(
        "person",
        "Personal details",
        Category.IDENTITY,
        "people.Person",
        about=lambda person: Q(pk=person.pk),
        own=_nobody_owns,
        shared=_in_category(Category.IDENTITY),
        fields=(*_person_fields(Category.IDENTITY), "created_at"),
    ),
    Section(
        "names",
        "Other names",
        Category.IDENTITY,
        "people.PersonName",
        about=_person(),
        own=_nobody_owns,
        shared=_in_category(Category.IDENTITY),
    ),
    Section(
        "identity_identifiers",
        "Identifiers",
        Category.IDENTITY,
        "people.Identifier",
        about=lambda person: Q(person=person, scheme__in=IDENTITY_SCHEMES),
        own=_nobody_owns,
        shared=_in_category(Category.IDENTITY),
        order=("scheme",),
    ),
    # The organisation's own id for the person in the system it imported their record from:
    # its own records only, as no other organisation is shown it.
    Section(
        "source_records",
        "Our own reference numbers, from imported records",
        Category.IDENTITY,
        "linkage.SourceRecord",
        about=_person(),
        own=_organisation("organisation"),
        shared=_none,
        holder="organisation",
        fields=("source_id", "created_at"),
    ),
    # Record linkage: which of the partnership's records are the same person, and why. The
    # other record of a pair is not named: it may be someone else's.
    Section(
        "linkage_cluster",
        "Record linkage: the records the partnership counts as this person",
        Category.IDENTITY,
        "linkage.PersonLink",
        about=lambda person: Q(person=person, run__in=_latest_linkage_runs()),
        own=_nobody_owns,
        shared=_in_our_partnerships("run__partnership"),
        holder="run__partnership",
        fields=("cluster_id", "match_weight", "reasons", "created_at"),
    ),
    Section(
        "linkage_pairs",
        "Record linkage: other records compared with this one",
        Category.IDENTITY,
        "linkage.LinkPair",
        about=lambda person: _in_a_pair(person) & Q(run__in=_latest_linkage_runs()),
        own=_nobody_owns,
        shared=_in_our_partnerships("run__partnership"),
        holder="run__partnership",
        order=("-match_weight", "created_at"),
        fields=("match_weight", "match_probability", "agreed", "disagreed", "status", "created_at"),
    ),
    Section(
        "linkage_decisions",
        "Record linkage: reviewers' decisions whether another record is this person's",
        Category.IDENTITY,
        "linkage.PairDecision",
        about=_in_a_pair,
        own=_organisation("decided_by__organisation"),
        shared=_in_our_partnerships("partnership"),
        holder="partnership",
        fields=("decision", "decided_by", "created_at"),
    ),
    # Criminal-justice identifiers ----------------------------------------------------------------
    Section(
        "criminal_justice_identifiers",
        "Criminal-justice identifiers",
        Category.CRIMINAL_JUSTICE_IDS,
        "people.Identifier",
        about=lambda person: Q(person=person, scheme__in=CJ_SCHEMES),
        own=_nobody_owns,
        shared=_in_category(Category.CRIMINAL_JUSTICE_IDS),
        order=("scheme",),
    ),
    # Contact details -----------------------------------------------------------------------------
    Section(
        "contact_details",
        "Phone and email",
        Category.CONTACT,
        "people.Person",
        about=lambda person: Q(pk=person.pk),
        own=_nobody_owns,
        shared=_in_category(Category.CONTACT),
        fields=tuple(_person_fields(Category.CONTACT)),
    ),
    Section(
        "addresses",
        "Addresses",
        Category.CONTACT,
        "people.Address",
        about=_person(),
        own=_nobody_owns,
        shared=_in_category(Category.CONTACT),
        order=("from_date", "created_at"),
    ),
    # Custody and licence -------------------------------------------------------------------------
    Section(
        "custody_periods",
        "Custody periods",
        Category.CUSTODY,
        "custody.CustodyPeriod",
        about=_person(),
        own=_recorded_by_staff("recorded_by"),
        shared=_when(policy.can_view_custody),
        order=("start_date", "created_at"),
    ),
    Section(
        "custody_events",
        "Custody events: into custody, releases and recalls",
        Category.CUSTODY,
        "custody.CustodyEvent",
        about=_person("period__person"),
        own=_recorded_by_staff("recorded_by"),
        shared=_when(policy.can_view_custody),
        order=("on", "created_at"),
    ),
    # Offence and sentence ------------------------------------------------------------------------
    Section(
        "outcome_events",
        "Further offences, arrests, convictions and cautions",
        Category.OFFENCE,
        "evaluation.OutcomeEvent",
        about=_person(),
        own=_organisation("organisation"),
        shared=_listed(policy.outcome_events_for_person),
        holder="organisation",
        order=("occurred_on", "created_at"),
    ),
    Section(
        "sentences",
        "Sentences",
        Category.OFFENCE,
        "offending.Sentence",
        about=_person(),
        own=_organisation("organisation"),
        shared=_listed(policy.sentences_for_person),
        holder="organisation",
        order=("sentenced_on", "created_at"),
    ),
    Section(
        "risk_assessments",
        "Risk of serious harm and MAPPA",
        Category.OFFENCE,
        "offending.RiskAssessment",
        about=_person(),
        own=_organisation("organisation"),
        shared=_listed(policy.risk_assessments_for_person),
        holder="organisation",
        order=("assessed_on", "created_at"),
    ),
    Section(
        "licence_conditions",
        "Licence conditions",
        Category.OFFENCE,
        "offending.LicenceCondition",
        about=_person(),
        own=_organisation("organisation"),
        shared=_listed(policy.licence_conditions_for_person),
        holder="organisation",
        order=("starts_on", "created_at"),
    ),
    # Risk and suitability ------------------------------------------------------------------------
    Section(
        "suitability_assessments",
        "Suitability assessments",
        Category.RISK_SUITABILITY,
        "suitability.SuitabilityAssessment",
        about=_person(),
        own=_organisation("assessor_organisation"),
        shared=_when(policy.can_view_suitability),
        holder="assessor_organisation",
        order=("assessed_on", "created_at"),
    ),
    Section(
        "suitability_review_requests",
        "Requests to review a suitability assessment",
        Category.RISK_SUITABILITY,
        "suitability.SuitabilityReviewRequest",
        about=_person("assessment__person"),
        own=_organisation("organisation"),
        shared=_when(policy.can_view_suitability),
        holder="organisation",
    ),
    # Family and children -------------------------------------------------------------------------
    Section(
        "households",
        "Households",
        Category.FAMILY_CHILDREN,
        "people.HouseholdMember",
        about=_person(),
        own=_nobody_owns,
        shared=_in_category(Category.FAMILY_CHILDREN),
        order=("joined_on", "created_at"),
        fields=("household", "household__notes", "joined_on", "left_on", "created_at"),
        covers=("people.Household",),
    ),
    Section(
        "relationships",
        "Family and relationships",
        Category.FAMILY_CHILDREN,
        "people.Relationship",
        about=_names_person,
        own=_nobody_owns,
        shared=_in_category(Category.FAMILY_CHILDREN),
    ),
    # Case notes ----------------------------------------------------------------------------------
    Section(
        "referrals",
        "Referrals",
        Category.CASE_NOTES,
        "referrals.Referral",
        about=_person(),
        own=_referral_own,
        shared=_none,
    ),
    Section(
        "referral_transitions",
        "Referral history",
        Category.CASE_NOTES,
        "referrals.ReferralTransition",
        about=_person("referral__person"),
        own=lambda organisation_id: (
            Q(referral__referring_organisation_id=organisation_id)
            | (
                Q(referral__service__organisation_id=organisation_id)
                & ~Q(referral__state=ReferralState.DRAFT)
            )
        ),
        shared=_none,
        holder="organisation",
    ),
    Section(
        "waiting_list_moves",
        "Moves on a waiting list",
        Category.CASE_NOTES,
        "referrals.WaitingListMove",
        about=_person("referral__person"),
        own=lambda organisation_id: Q(referral__service__organisation_id=organisation_id),
        shared=_none,
        holder="organisation",
    ),
    Section(
        "signpostings",
        "Signposting to other services",
        Category.CASE_NOTES,
        "referrals.Signposting",
        about=_person(),
        own=_organisation("organisation"),
        shared=_signpostings_shared,
        holder="organisation",
    ),
    Section(
        "cases",
        "Cases",
        Category.CASE_NOTES,
        "cases.Case",
        about=_person(),
        own=_organisation("organisation"),
        shared=_visible_cases("pk"),
        holder="organisation",
        order=("opened_on", "created_at"),
    ),
    Section(
        "case_events",
        "Case history",
        Category.CASE_NOTES,
        "cases.CaseEvent",
        about=_person("case__person"),
        own=CASE,
        shared=_visible_cases("case"),
        holder="case__organisation",
        order=("on", "created_at"),
    ),
    Section(
        "tasks",
        "Tasks",
        Category.CASE_NOTES,
        "cases.Task",
        about=_person("case__person"),
        own=CASE,
        shared=_visible_cases("case"),
        holder="case__organisation",
    ),
    Section(
        "contacts",
        "Contacts: meetings, calls and messages",
        Category.CASE_NOTES,
        "contacts.Contact",
        about=_person(),
        own=_organisation("organisation"),
        shared=_listed(policy.contacts_for_person),
        holder="organisation",
        order=("happened_at", "created_at"),
    ),
    Section(
        "appointments",
        "Appointments",
        Category.CASE_NOTES,
        "appointments.Appointment",
        about=_person(),
        own=_organisation("organisation"),
        shared=_listed(policy.appointments_for_person),
        holder="organisation",
        order=("starts_at", "created_at"),
    ),
    Section(
        "appointment_changes",
        "Appointment changes",
        Category.CASE_NOTES,
        "appointments.AppointmentChange",
        about=_person("appointment__person"),
        own=_organisation("appointment__organisation"),
        shared=_listed(policy.appointments_for_person, "appointment"),
        holder="appointment__organisation",
    ),
    Section(
        "release_checklist",
        "Pre-release checklist",
        Category.CASE_NOTES,
        "custody.ChecklistItem",
        about=_person("period__person"),
        own=_checklist_own,
        shared=_in_category(Category.CASE_NOTES),
    ),
    Section(
        "release_checklist_updates",
        "Pre-release checklist updates",
        Category.CASE_NOTES,
        "custody.ChecklistUpdate",
        about=_person("item__period__person"),
        own=_organisation("organisation"),
        shared=_in_category(Category.CASE_NOTES),
        holder="organisation",
    ),
    Section(
        "mentee_preferences",
        "Mentoring preferences",
        Category.CASE_NOTES,
        "mentoring.MenteePreferences",
        about=_person(),
        own=_organisation("organisation"),
        shared=_none,
        holder="organisation",
    ),
    Section(
        "mentor_allocations",
        "Mentors",
        Category.CASE_NOTES,
        "mentoring.MentorAllocation",
        about=_person("case__person"),
        own=CASE,
        shared=_visible_cases("case"),
        holder="case__organisation",
        order=("started_on", "created_at"),
    ),
    Section(
        "enrolments",
        "Enrolments on services and programmes",
        Category.CASE_NOTES,
        "registers.Enrolment",
        about=_person(),
        own=_organisation("service__organisation"),
        shared=_listed(policy.enrolments_for_person),
        holder="service__organisation",
        order=("enrolled_on", "created_at"),
    ),
    Section(
        "attendance",
        "Session attendance",
        Category.CASE_NOTES,
        "registers.Attendance",
        about=_person(),
        own=_organisation("session__service__organisation"),
        shared=_attendance_shared,
        holder="session__service__organisation",
    ),
    Section(
        "session_notes",
        "Notes from sessions",
        Category.CASE_NOTES,
        "registers.SessionNote",
        about=_person(),
        own=_organisation("organisation"),
        shared=_session_notes_shared,
        holder="organisation",
    ),
    # Outcomes ------------------------------------------------------------------------------------
    Section(
        "goals",
        "Action plan goals",
        Category.OUTCOMES,
        "plans.Goal",
        about=_person(),
        own=CASE,
        shared=_listed(policy.goals_for_person),
        holder="case__organisation",
    ),
    Section(
        "goal_steps",
        "Steps towards goals",
        Category.OUTCOMES,
        "plans.GoalStep",
        about=_person("goal__person"),
        own=_organisation("goal__case__organisation"),
        shared=_listed(policy.goals_for_person, "goal"),
        holder="goal__case__organisation",
    ),
    Section(
        "goal_updates",
        "Progress on goals",
        Category.OUTCOMES,
        "plans.GoalUpdate",
        about=_person("goal__person"),
        own=_organisation("goal__case__organisation"),
        shared=_listed(policy.goals_for_person, "goal"),
        holder="goal__case__organisation",
        order=("on", "created_at"),
    ),
    Section(
        "plan_reviews",
        "Action plan reviews",
        Category.OUTCOMES,
        "plans.PlanReview",
        about=_person(),
        own=CASE,
        shared=_outcomes_of_visible_cases("case"),
        holder="case__organisation",
        order=("reviewed_on", "created_at"),
    ),
    Section(
        "assessments",
        "Outcome assessments",
        Category.OUTCOMES,
        "outcomes.Assessment",
        about=_person(),
        own=_organisation("organisation"),
        shared=_listed(policy.assessments_for_person),
        holder="organisation",
        order=("completed_on", "created_at"),
    ),
    Section(
        "end_of_support",
        "End of support",
        Category.OUTCOMES,
        "outcomes.EndOfSupport",
        about=_person(),
        own=CASE,
        shared=_outcomes_of_visible_cases("case"),
        holder="case__organisation",
    ),
    Section(
        "goal_outcomes",
        "What came of each goal",
        Category.OUTCOMES,
        "outcomes.GoalOutcome",
        about=_person("end_of_support__person"),
        own=_organisation("end_of_support__case__organisation"),
        shared=_outcomes_of_visible_cases("end_of_support__case"),
        holder="end_of_support__case__organisation",
    ),
    # Who holds the record and why ------------------------------------------------------------
    Section(
        "working_relationships",
        "Working with the person",
        ACCESS,
        "people.WorkingRelationship",
        about=_person(),
        own=_organisation("organisation"),
        shared=_none,
        holder="organisation",
        order=("started_on", "created_at"),
    ),
    Section(
        "consents",
        "Consent to share information",
        ACCESS,
        "consent.Consent",
        about=_person(),
        own=_organisation("recorded_by_organisation"),
        shared=_consents_shared,
        holder="recorded_by_organisation",
        order=("given_on", "created_at"),
    ),
    Section(
        "break_glass",
        "Emergency access (break-glass) by our staff",
        ACCESS,
        "access.BreakGlassAccess",
        about=_person(),
        own=_organisation("organisation"),
        shared=_none,
        holder="organisation",
        order=("opened_at",),
    ),
    Section(
        "files_sent",
        "Files sent outside the partnership that name the person",
        ACCESS,
        "evaluation.ExportJob",
        # The file's list of the people it names is JSON text: the person's id appears in it.
        about=lambda person: Q(people__icontains=str(person.pk)),
        own=_organisation("organisation"),
        shared=_none,
        holder="organisation",
        fields=("kind", "state", "file_name", "requested_by", "finished_at", "created_at"),
    ),
    Section(
        "subject_access_requests",
        "Subject access requests",
        ACCESS,
        "dataprotection.SubjectAccessExport",
        about=_person(),
        own=_organisation("organisation"),
        shared=_none,
        holder="organisation",
        fields=("state", "requested_by", "created_at", "finished_at", "expires_at", "deleted_at"),
    ),
    Section(
        "legal_holds",
        "Legal holds: records kept beyond the retention schedule",
        ACCESS,
        "dataprotection.LegalHold",
        about=_person(),
        own=_organisation("organisation"),
        shared=_none,
        holder="organisation",
        fields=("reason", "set_by", "created_at", "lifted_at", "lifted_by"),
    ),
    Section(
        "merges",
        "Records of the person merged into one, and merges undone",
        ACCESS,
        "people.PersonMerge",
        about=lambda person: Q(survivor=person) | Q(merged=person),
        own=_organisation("organisation"),
        shared=_none,
        holder="organisation",
        fields=(
            "survivor",
            "merged",
            "reason",
            "merged_by",
            "created_at",
            "unmerged_at",
            "unmerged_by",
            "unmerge_reason",
        ),
    ),
)

# The audit trail is read on its own terms (resettle/dataprotection/pack.py), not as a section.
ACCESS_LOG_LABEL = "audit.AuditEvent"


def covered_labels() -> set[str]:
    """Every model whose records some part of the pack shows."""
    labels = {ACCESS_LOG_LABEL}
    for section in SECTIONS:
        labels.add(section.label)
        labels.update(section.covers)
    return labels
