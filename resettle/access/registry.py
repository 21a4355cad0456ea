"""Which data category (DESIGN §4) every stored field belongs to: one registry for every model.

Pages, the API, exports and reports decide whether to show a field by asking here which
category it is in, and the policy whether the actor may see that category for this person. A
concrete field of a project model missing from the registry fails `test_registry`, so a new
field has to be placed before it can ship.

Besides the categories, a field may be marked:
- NOT_PERSONAL: about the record or the service, not a person (keys, timestamps, versions,
  organisations, directory entries, who recorded something).
- STAFF: staff members' own details (accounts, memberships, an assessor's phone): personal,
  but about the people who use Resettle, not the people it supports, so no agreement shares them.
- ACCESS_RECORD: who may see what and who did what (working relationships, consent, break-glass,
  the audit trail, notifications): about a person, read under their own rules in access/.
- BY_SCHEME: an identifier, whose category is its scheme's (IDENTIFIER_SCHEMES).

Models are named by label ("people.Person"), so the registry imports no domain app.
"""

import enum
from collections.abc import Iterable

from resettle.access.categories import Category


class Marker(enum.StrEnum):
    NOT_PERSONAL = "not_personal"
    STAFF = "staff"
    ACCESS_RECORD = "access_record"
    BY_SCHEME = "by_scheme"


NOT_PERSONAL, STAFF, ACCESS_RECORD, BY_SCHEME = Marker

Classification = Category | Marker

# The base model's key and timestamps.
RECORD = ("id", "created_at", "updated_at")

# Identifiers take their scheme's category. PNC ID, prison number and CRN say that someone has
# been through the criminal-justice system and open its records, so a delivery partner gets them
# only where an agreement gives criminal-justice identifiers. A National Insurance number is
# held by everyone and is what employment and benefits partners work with: it is identity.
IDENTIFIER_SCHEMES: dict[str, Category] = {
    "prison_number": Category.CRIMINAL_JUSTICE_IDS,
    "crn": Category.CRIMINAL_JUSTICE_IDS,
    "pnc": Category.CRIMINAL_JUSTICE_IDS,
    "ni_number": Category.IDENTITY,
}


def _fields(*groups: tuple) -> dict[str, Classification]:
    """`(classification, field, field, ...)` groups as one map; a field placed twice is an error."""
    placed: dict[str, Classification] = {}
    for classification, *names in groups:
        for name in names:
            if name in placed:
                raise ValueError(f"{name} is classified twice")
            placed[name] = classification
    return placed


REGISTRY: dict[str, dict[str, Classification]] = {
    # Accounts and organisations ------------------------------------------------------------
    "accounts.User": _fields(
        (NOT_PERSONAL, "id"),
        (
            STAFF,
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "is_demo",
        ),
    ),
    "accounts.Organisation": _fields(
        (NOT_PERSONAL, *RECORD, "name", "kind", "description", "email", "phone"),
    ),
    "partnerships.Partnership": _fields((NOT_PERSONAL, *RECORD, "name", "description")),
    "accounts.Membership": _fields(
        (NOT_PERSONAL, *RECORD),
        (
            STAFF,
            "user",
            "organisation",
            "role",
            "is_safeguarding_lead",
            "is_data_protection_lead",
            "ended_on",
        ),
    ),
    "accounts.Invitation": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "purpose"),
        (
            STAFF,
            "email",
            "first_name",
            "last_name",
            "role",
            "is_safeguarding_lead",
            "is_data_protection_lead",
            "user",
            "invited_by",
            "token_hash",
            "sent_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ),
    ),
    "api.ApiToken": _fields(
        (NOT_PERSONAL, *RECORD),
        (STAFF, "user", "name", "prefix", "token_hash", "last_used_at", "expires_at", "revoked_at"),
    ),
    # A stored API answer is replayed only to the user who sent the request.
    "api.IdempotencyRecord": _fields(
        (NOT_PERSONAL, "id", "created_at", "key", "request_hash", "response_status"),
        (ACCESS_RECORD, "user", "response_body", "response_headers"),
    ),
    # A task worker's "still alive" line, for /readyz.
    "operations.WorkerHeartbeat": _fields((NOT_PERSONAL, "worker_id", "started_at", "seen_at")),
    # People ---------------------------------------------------------------------------------
    "people.Person": _fields(
        (NOT_PERSONAL, *RECORD, "created_by"),
        (
            Category.IDENTITY,
            "given_name",
            "middle_names",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "gender_identity",
            "gender_identity_description",
            "pronouns",
            "pronouns_description",
            "ethnicity",
            # Arguably health; kept with identity because it is a protected characteristic
            # recorded for equality monitoring, as sex and ethnicity are.
            "disability",
            # Search keys are derived from the names, so they reveal nothing the names do not.
            "given_key",
            "family_key",
            "family_letters",
        ),
        (Category.CONTACT, "phone", "email"),
    ),
    "people.PersonName": _fields(
        (NOT_PERSONAL, *RECORD),
        (
            Category.IDENTITY,
            "person",
            "kind",
            "given_name",
            "family_name",
            "given_key",
            "family_key",
            "family_letters",
        ),
    ),
    "people.Identifier": _fields((NOT_PERSONAL, *RECORD), (BY_SCHEME, "person", "scheme", "value")),
    "people.Address": _fields(
        (NOT_PERSONAL, *RECORD),
        (
            Category.CONTACT,
            "person",
            "kind",
            "line_1",
            "line_2",
            "town",
            "postcode",
            "from_date",
            "to_date",
        ),
    ),
    # Which household someone lives in is itself family information.
    "people.Household": _fields(
        (NOT_PERSONAL, *RECORD), (Category.FAMILY_CHILDREN, "name", "notes")
    ),
    "people.HouseholdMember": _fields(
        (NOT_PERSONAL, *RECORD),
        (Category.FAMILY_CHILDREN, "household", "person", "joined_on", "left_on"),
    ),
    "people.Relationship": _fields(
        (NOT_PERSONAL, *RECORD),
        (
            Category.FAMILY_CHILDREN,
            "person",
            "related_person",
            "kind",
            "lives_with",
            "contact_wishes",
            "notes",
        ),
    ),
    "people.WorkingRelationship": _fields(
        (NOT_PERSONAL, *RECORD),
        (ACCESS_RECORD, "person", "organisation", "started_on", "ended_on", "allocated_to"),
    ),
    # Merging records: which records are the same person is identity, as in linkage. The merged
    # record's fields and the removed rows are kept only to be put back, never shown.
    "people.PersonMerge": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "merged_by",
            "unmerged_at",
            "unmerged_by",
            "kept_on_survivor",
            "not_restored",
            "version",
        ),
        (Category.IDENTITY, "survivor", "merged", "reason", "unmerge_reason", "person_fields"),
    ),
    "people.MergedRow": _fields(
        (NOT_PERSONAL, "id", "merge", "model_label", "object_id", "field_name", "action"),
        (Category.IDENTITY, "snapshot"),
    ),
    "consent.Consent": _fields(
        (NOT_PERSONAL, *RECORD, "recorded_by", "recorded_by_organisation", "withdrawn_recorded_by"),
        (
            ACCESS_RECORD,
            "person",
            "categories",
            "organisation_kinds",
            "method",
            "given_by",
            "given_by_name",
            "given_on",
            "expires_on",
            "withdrawn_on",
            "notes",
        ),
    ),
    # Access, audit, notifications, agreements --------------------------------------------------
    "access.BreakGlassAccess": _fields(
        (NOT_PERSONAL, *RECORD),
        (
            ACCESS_RECORD,
            "user",
            "organisation",
            "person",
            "category",
            "reason",
            "opened_at",
            "expires_at",
            "closed_at",
        ),
    ),
    "audit.AuditEvent": _fields(
        (NOT_PERSONAL, "id", "chain", "seq", "prev_hash", "hash"),
        (
            ACCESS_RECORD,
            "at",
            "user_id",
            "username",
            "user_name",
            "organisation_id",
            "organisation_name",
            "role",
            "action",
            "object_type",
            "object_id",
            "person_id",
            "category",
            "reason",
            "ip",
            "user_agent",
            "route",
            "changes",
        ),
    ),
    # A notification may name a person; only its recipient reads it.
    "notifications.Notification": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "link"),
        (ACCESS_RECORD, "recipient", "subject", "body", "read_at"),
    ),
    "partnerships.SharingAgreement": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "partnership",
            "owner",
            "title",
            "document_reference",
            "purpose",
            "lawful_basis",
            "categories",
            "recipient_kinds",
            "starts_on",
            "ends_on",
            "covers_children",
            "follow_up_days",
            "permitted_exports",
            "evaluator",
            "created_by",
        ),
    ),
    # Directory and Open Referral: services, not people ------------------------------------------
    "directory.Service": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "name",
            "description",
            "who_it_is_for",
            "access",
            "status",
            "pathways",
            "minimum_age",
            "maximum_age",
            "eligible_gender",
            "postcode_districts",
            "custody_status",
            "release_window_weeks",
            "cost",
            "capacity",
            "has_waiting_list",
            "url",
        ),
        # A named member of staff to contact about the service.
        (STAFF, "contact_name", "email", "phone"),
    ),
    "directory.Location": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "name",
            "address_line_1",
            "town",
            "county",
            "postcode",
            "accessibility",
            "transport",
        ),
    ),
    "directory.Schedule": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "service",
            "location",
            "valid_from",
            "valid_to",
            "opens_at",
            "closes_at",
            "rrule",
            "description",
        ),
    ),
    "directory.Taxonomy": _fields((NOT_PERSONAL, *RECORD, "name", "description", "uri", "version")),
    "directory.TaxonomyTerm": _fields(
        (NOT_PERSONAL, *RECORD, "taxonomy", "code", "name", "description", "parent"),
    ),
    "openreferral.FeedImport": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "uploaded_by",
            "file_name",
            "payload",
            "state",
            "imported_at",
            "created_count",
            "updated_count",
        ),
    ),
    "openreferral.ImportedService": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "oruk_id", "service"),
    ),
    # Referrals: the referral itself is the working relationship being asked for, read by its
    # sender and receiver (access.policy's referral rules); what is written about the person in
    # it is case notes, and the categories it shares are listed on it.
    "referrals.Referral": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "service",
            "referring_organisation",
            "referred_by",
            "parent",
            "version",
            "handled_by",
        ),
        (
            ACCESS_RECORD,
            "person",
            "state",
            "pathway",
            "urgency",
            "shared_categories",
            "consent",
            "decline_reason",
            "submitted_at",
            "first_response_at",
            "decided_at",
            "started_at",
            "ended_at",
            "waiting_since",
            "waiting_rank",
            "waiting_order",
            "no_contact_confirmed",
        ),
        (
            Category.CASE_NOTES,
            "reason",
            "eligibility_override_reason",
            "decline_detail",
            "outcome",
            "end_reason",
        ),
    ),
    "referrals.ReferralTransition": _fields(
        (NOT_PERSONAL, *RECORD, "by", "organisation"),
        (ACCESS_RECORD, "referral", "from_state", "to_state"),
        (Category.CASE_NOTES, "note"),
    ),
    "referrals.WaitingListMove": _fields(
        (NOT_PERSONAL, *RECORD, "by", "organisation", "direction", "from_position", "to_position"),
        (ACCESS_RECORD, "referral", "passed"),
        (Category.CASE_NOTES, "reason"),
    ),
    "referrals.Signposting": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "signposted_by", "service", "followed_up_by"),
        (
            Category.CASE_NOTES,
            "person",
            "service_name",
            "from_referral",
            "pathway",
            "note",
            "signposted_on",
            "follow_up_on",
            "follow_up",
            "follow_up_note",
            "followed_up_at",
        ),
    ),
    # Custody: dates, establishment and releases are custody; licence conditions go with risk and
    # suitability (a partner needs them to support someone safely); a recall's reason is offence.
    "custody.CustodyPeriod": _fields(
        (NOT_PERSONAL, *RECORD, "recorded_by"),
        (
            Category.CUSTODY,
            "person",
            "kind",
            "start_date",
            "establishment",
            "expected_release_date",
            "conditional_release_date",
            "licence_end_date",
            "supervision_end_date",
            "released_on",
            "release_type",
            "recalled_on",
            "ended_on",
        ),
        (Category.RISK_SUITABILITY, "licence_conditions"),
        (Category.OFFENCE, "recall_reason"),
    ),
    "custody.CustodyEvent": _fields(
        (NOT_PERSONAL, *RECORD, "recorded_by"),
        (
            Category.CUSTODY,
            "period",
            "kind",
            "on",
            "release_type",
            "establishment",
            "no_fixed_abode",
        ),
        (Category.CONTACT, "release_address"),
        (Category.OFFENCE, "recall_reason"),
    ),
    "custody.ChecklistItem": _fields(
        (NOT_PERSONAL, *RECORD, "updated_by"),
        (Category.CASE_NOTES, "period", "kind", "pathway", "status", "note", "updated_on"),
    ),
    "custody.ChecklistUpdate": _fields(
        (NOT_PERSONAL, *RECORD, "by", "organisation"),
        (Category.CASE_NOTES, "item", "status", "note", "on"),
    ),
    # Cases and casework -------------------------------------------------------------------------
    "cases.Case": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "worker", "mentor", "referral", "version"),
        (ACCESS_RECORD, "person", "state", "opened_on", "closed_on"),
        (Category.CASE_NOTES, "close_reason", "next_review_on", "pause_reason"),
    ),
    "cases.CaseEvent": _fields(
        (NOT_PERSONAL, *RECORD, "by"),
        (Category.CASE_NOTES, "case", "kind", "on", "note"),
    ),
    "cases.Task": _fields(
        (NOT_PERSONAL, *RECORD, "assigned_to"),
        (
            Category.CASE_NOTES,
            "case",
            "kind",
            "title",
            "due_at",
            "place",
            "pathway",
            "completed_at",
            "cancelled_at",
        ),
    ),
    "contacts.Contact": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "recorded_by", "cancelled_by"),
        (
            Category.CASE_NOTES,
            "person",
            "case",
            "kind",
            "happened_at",
            "outcome",
            "duration_minutes",
            "pathways",
            "note",
            "sensitive",
        ),
    ),
    # Appointments: booked meetings are case notes, as the contacts they become are. Who meets
    # the person and who booked or cancelled are staff acting, as a contact's recorder is.
    "appointments.Appointment": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "with_user",
            "booked_by",
            "cancelled_by",
            "cancelled_by_user",
            "version",
        ),
        (
            Category.CASE_NOTES,
            "person",
            "case",
            "starts_at",
            "ends_at",
            "place",
            "mode",
            "kind",
            "note",
            "state",
            "cancel_reason",
            "cancelled_at",
            "contact",
        ),
    ),
    "appointments.AppointmentChange": _fields(
        (NOT_PERSONAL, *RECORD, "changed_by"),
        (
            Category.CASE_NOTES,
            "appointment",
            "previous_starts_at",
            "previous_ends_at",
            "previous_place",
            "starts_at",
            "ends_at",
            "place",
            "reason",
        ),
    ),
    # A user's own calendar address and their choice of what it shows.
    "appointments.CalendarFeed": _fields(
        (NOT_PERSONAL, *RECORD, "token_hash", "revoked_at"),
        (STAFF, "user", "include_details"),
    ),
    "plans.Goal": _fields(
        (NOT_PERSONAL, *RECORD, "created_by", "version"),
        (
            Category.OUTCOMES,
            "person",
            "case",
            "pathway",
            "title",
            "in_own_words",
            "barriers",
            "status",
            "due_on",
        ),
    ),
    "plans.GoalStep": _fields(
        (NOT_PERSONAL, *RECORD, "owner_organisation", "created_by"),
        (Category.OUTCOMES, "goal", "text", "owner_kind", "owner_name", "due_on", "done_on"),
    ),
    "plans.GoalUpdate": _fields(
        (NOT_PERSONAL, *RECORD, "by"),
        (Category.OUTCOMES, "goal", "on", "status_from", "status_to", "note"),
    ),
    "plans.PlanReview": _fields(
        (NOT_PERSONAL, *RECORD, "by"),
        (Category.OUTCOMES, "person", "case", "reviewed_on", "summary", "next_review_on"),
    ),
    # Outcomes: instruments are definitions; what a person answered, and what came of their
    # goals when support ended, are their outcomes.
    "outcomes.Instrument": _fields(
        (NOT_PERSONAL, *RECORD, "code", "version", "name", "definition")
    ),
    "outcomes.Assessment": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "service", "instrument", "recorded_by"),
        (
            Category.OUTCOMES,
            "person",
            "case",
            "timepoint",
            "completed_on",
            "answered_by",
            "answers",
            "scores",
            "bands",
        ),
    ),
    "outcomes.Schedule": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "service",
            "instrument_codes",
            "review_every_weeks",
            "at_exit",
            "follow_up_months",
        ),
    ),
    "outcomes.EndOfSupport": _fields(
        (NOT_PERSONAL, *RECORD, "recorded_by"),
        (Category.OUTCOMES, "case", "person", "reason", "in_own_words"),
    ),
    "outcomes.GoalOutcome": _fields(
        (NOT_PERSONAL, *RECORD),
        (Category.OUTCOMES, "end_of_support", "goal", "rating", "note"),
    ),
    # Evaluation: criminal-justice outcome events are offence information (a recall stays a
    # custody event). Cohorts, evaluations and JDL results describe groups, not a person; an
    # export's file holds people's details and is read only by whoever asked for it.
    "evaluation.OutcomeEvent": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "recorded_by"),
        (Category.OFFENCE, "person", "kind", "occurred_on", "offence_category", "source", "note"),
    ),
    # Offence and risk: the index offence and sentence, RoSH and MAPPA, and licence conditions
    # as probation records them are all offence information, which no agreement opens beyond
    # probation and the prison (the partner's view of risk is the suitability assessment).
    "offending.Sentence": _fields(
        (NOT_PERSONAL, *RECORD, "version", "organisation", "recorded_by"),
        (
            Category.OFFENCE,
            "person",
            "index_offence_category",
            "sentence_type",
            "length_months",
            "length_days",
            "sentenced_on",
            "court",
            "notes",
        ),
    ),
    "offending.RiskAssessment": _fields(
        (NOT_PERSONAL, *RECORD, "supersedes", "organisation", "recorded_by"),
        (
            Category.OFFENCE,
            "person",
            "assessed_on",
            "rosh_level",
            "mappa_category",
            "mappa_level",
            "notes",
        ),
    ),
    "offending.LicenceCondition": _fields(
        (NOT_PERSONAL, *RECORD, "version", "organisation", "recorded_by"),
        (Category.OFFENCE, "person", "kind", "wording", "starts_on", "ends_on"),
    ),
    "evaluation.Cohort": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "name",
            "service_from",
            "service_to",
            "created_by",
        ),
    ),
    "evaluation.CohortResult": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "cohort",
            "received_on",
            "treatment_size",
            "comparison_size",
            "rate",
            "rate_low",
            "rate_high",
            "comparison_rate",
            "comparison_rate_low",
            "comparison_rate_high",
            "frequency",
            "frequency_low",
            "frequency_high",
            "comparison_frequency",
            "comparison_frequency_low",
            "comparison_frequency_high",
            "days_to_reoffend",
            "days_to_reoffend_low",
            "days_to_reoffend_high",
            "comparison_days_to_reoffend",
            "comparison_days_to_reoffend_low",
            "comparison_days_to_reoffend_high",
            "caveats",
            "recorded_by",
        ),
    ),
    # The secret keys the evaluation's pseudonyms: no one is shown it.
    "evaluation.Evaluation": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "cohort",
            "name",
            "evaluator",
            "secret",
            "created_by",
        ),
    ),
    "evaluation.ExportJob": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "requested_by",
            "kind",
            "cohort",
            "evaluation",
            "state",
            "progress",
            "rows",
            "error",
            "file_name",
            "content_type",
            "finished_at",
        ),
        (ACCESS_RECORD, "content", "people"),
    ),
    # A subject access pack holds a whole record; it is read only by the organisation's
    # data-protection leads, under the rules in access/rules/dataprotection.py.
    "dataprotection.SubjectAccessExport": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "organisation",
            "requested_by",
            "state",
            "progress",
            "error",
            "file_name",
            "finished_at",
            "expires_at",
            "deleted_at",
        ),
        (ACCESS_RECORD, "person", "content"),
    ),
    # The retention schedule: a partnership's rules, set by data-protection leads.
    "dataprotection.RetentionRule": _fields(
        (NOT_PERSONAL, *RECORD, "partnership", "record_type", "action", "years", "set_by"),
    ),
    # A legal hold names the person it keeps and says why: read only by data-protection leads.
    "dataprotection.LegalHold": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "set_by", "lifted_at", "lifted_by"),
        (ACCESS_RECORD, "person", "reason"),
    ),
    # That a person was anonymised under retention: only that, and when.
    "dataprotection.Anonymisation": _fields(
        (NOT_PERSONAL, "id", "anonymised_at"),
        (ACCESS_RECORD, "person"),
    ),
    # The erasure log holds no personal data and no ids of people or records.
    "dataprotection.ErasureLogEntry": _fields(
        (
            NOT_PERSONAL,
            "id",
            "ran_at",
            "partnership",
            "rule",
            "record_type",
            "action",
            "years",
            "count",
        ),
    ),
    # Mentoring: mentors' profiles are staff details; a mentee's preferences are case notes.
    "mentoring.MentorProfile": _fields(
        (NOT_PERSONAL, *RECORD),
        (
            STAFF,
            "user",
            "organisation",
            "lived_experience",
            "gender",
            "languages",
            "area",
            "interests",
            "availability",
            "capacity",
            "training_completed_on",
            "dbs_checked_on",
            "dbs_expires_on",
            "active",
        ),
    ),
    "mentoring.MenteePreferences": _fields(
        (NOT_PERSONAL, *RECORD, "organisation", "updated_by"),
        (
            Category.CASE_NOTES,
            "person",
            "preferred_gender",
            "languages",
            "interests",
            "lived_experience",
            "area",
            "notes",
        ),
    ),
    "mentoring.MentorAllocation": _fields(
        (NOT_PERSONAL, *RECORD, "mentor", "allocated_by", "ended_by"),
        (ACCESS_RECORD, "case", "started_on", "ended_on"),
        (Category.CASE_NOTES, "end_reason", "end_note", "override_reason"),
    ),
    "mentoring.SupervisionNote": _fields(
        (NOT_PERSONAL, *RECORD, "written_by"),
        (STAFF, "mentor", "held_on", "note"),
    ),
    # Suitability: the structured answers a delivery partner acts on, in place of offence and
    # risk detail. The assessor's contact is theirs, not the person's.
    "suitability.SuitabilityAssessment": _fields(
        (NOT_PERSONAL, *RECORD, "supersedes", "assessed_by", "assessor_organisation"),
        (STAFF, "assessor_contact"),
        (
            Category.RISK_SUITABILITY,
            "person",
            "assessed_on",
            "review_on",
            "group_sessions_with_adults",
            "sessions_with_under_18s_present",
            "sessions_with_vulnerable_adults_present",
            "one_to_one_sessions",
            "two_staff_needed",
            "areas_to_avoid",
            "measures",
            "named_contact_restriction",
            "named_people_to_avoid",
        ),
    ),
    # Sessions and registers: a session and a programme are the service's, not anyone's; who is
    # enrolled and who came are case notes (an attended session is an attended contact), a
    # completion and an award outcomes, a suitability confirmation risk and suitability.
    "registers.Programme": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "service",
            "name",
            "sessions_planned",
            "completion_rule",
            "minimum_attended",
            "core_sessions",
            "award_name",
            "awarding_body",
            "award_level",
        ),
    ),
    "registers.Session": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "service",
            "programme",
            "programme_session",
            "schedule",
            "scheduled_start",
            "starts_at",
            "ends_at",
            "location",
            "place",
            "capacity",
            "open",
            "under_18s_present",
            "vulnerable_adults_present",
            "unregistered_headcount",
            "cancelled_at",
            "cancel_reason",
            "moved_from",
        ),
    ),
    "registers.Enrolment": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "service",
            "programme",
            "enrolled_by",
            "completion_confirmed_by",
            "suitability_confirmed_by",
        ),
        (ACCESS_RECORD, "referral"),
        (
            Category.CASE_NOTES,
            "person",
            "state",
            "enrolled_on",
            "reason",
            "withdrawn_on",
            "withdraw_reason",
            "feedback_rating",
            "feedback",
        ),
        (Category.OUTCOMES, "completed_on", "award_achieved_on"),
        (Category.RISK_SUITABILITY, "suitability_note"),
    ),
    "registers.Attendance": _fields(
        (NOT_PERSONAL, *RECORD, "session", "recorded_by"),
        (Category.CASE_NOTES, "person", "status", "over_capacity_reason"),
    ),
    "registers.MarkReceipt": _fields(
        (NOT_PERSONAL, "id", "key", "received_at"),
        (Category.CASE_NOTES, "attendance", "status"),
    ),
    "registers.SessionNote": _fields(
        (NOT_PERSONAL, *RECORD, "session", "organisation", "author", "referral"),
        (Category.CASE_NOTES, "person", "text", "concern", "notify_referrer"),
    ),
    "suitability.SuitabilityReviewRequest": _fields(
        (NOT_PERSONAL, *RECORD, "requested_by", "organisation", "answered_by"),
        (Category.RISK_SUITABILITY, "assessment", "note", "done_at"),
    ),
    # A report built in the background holds counts with small numbers already hidden as its
    # asker may see them: about groups, never a person.
    "reports.ReportBuild": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "kind",
            "scope_kind",
            "scope_id",
            "scope_name",
            "period_start",
            "period_end",
            "quarter",
            "exact",
            "requested_by",
            "organisation",
            "state",
            "progress",
            "stage",
            "error",
            "result",
            "finished_at",
        ),
    ),
    # Record linkage: which records are the same person is identity; the model and its figures
    # name no one.
    "linkage.LinkageRun": _fields(
        (
            NOT_PERSONAL,
            *RECORD,
            "partnership",
            "requested_by",
            "state",
            "progress",
            "stage",
            "upper_threshold",
            "lower_threshold",
            "figures",
            "model",
            "error",
            "finished_at",
            "kind",
            "based_on",
            "records_linked",
        ),
    ),
    "linkage.LinkPair": _fields(
        (NOT_PERSONAL, *RECORD, "run", "match_weight", "match_probability", "status"),
        (Category.IDENTITY, "left", "right", "agreed", "disagreed"),
    ),
    "linkage.PairDecision": _fields(
        (NOT_PERSONAL, *RECORD, "partnership", "decided_by", "decision"),
        (Category.IDENTITY, "left", "right"),
    ),
    "linkage.PersonLink": _fields(
        (NOT_PERSONAL, *RECORD, "run", "match_weight"),
        (Category.IDENTITY, "person", "cluster_id", "reasons"),
    ),
    # An organisation's own id for the person, in the system it imported the record from.
    "linkage.SourceRecord": _fields(
        (NOT_PERSONAL, *RECORD, "organisation"),
        (Category.IDENTITY, "person", "source_id"),
    ),
}


def classification(label: str, field: str) -> Classification:
    """The category (or marker) of `label`'s `field`; KeyError for one not in the registry."""
    return REGISTRY[label][field]


def category_of(label: str, field: str = "person") -> Category:
    """The data category of `label`'s `field`. By default the field naming whose record it is:
    a record about someone (a custody period, a contact, a goal, an assessment) is read under
    the category its link to them is placed in. A field placed by marker has rules of its own
    and is a ValueError here."""
    placed = REGISTRY[label][field]
    if not isinstance(placed, Category):
        raise ValueError(f"{label}.{field} is {placed}, not a data category")
    return placed


def fields_in(label: str, categories: Iterable[str]) -> list[str]:
    """The fields of `label` in any of `categories`, in the registry's order."""
    wanted = set(categories)
    return [name for name, placed in REGISTRY[label].items() if placed in wanted]


def visible_fields(label: str, categories: Iterable[str], fields: Iterable[str]) -> list[str]:
    """Those of `fields` (of `label`) an actor who may see `categories` may be shown: a field in
    one of the categories, or one that is not personal. Anything else (a marker with rules of
    its own, an identifier) is left to the caller's own rule."""
    allowed = set(categories) | {NOT_PERSONAL}
    return [name for name in fields if REGISTRY[label][name] in allowed]


def identifier_category(scheme: str) -> Category:
    """The category of an identifier of `scheme`; one not in IDENTIFIER_SCHEMES is a KeyError,
    so a new scheme has to be placed before it can be shown."""
    return IDENTIFIER_SCHEMES[scheme]


def identifier_schemes_in(categories: Iterable[str]) -> list[str]:
    """The identifier schemes whose values someone who may see `categories` may be shown."""
    wanted = set(categories)
    return [scheme for scheme, category in IDENTIFIER_SCHEMES.items() if category in wanted]
