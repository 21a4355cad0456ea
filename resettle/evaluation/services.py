"""Every write in evaluation: outcome events, cohorts and their JDL results, evaluations, and
the export jobs that build their files. Files leave only under an agreement in force that
permits them; asking, refusals, builds and downloads are all audited."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import EventData, diff, record_event, record_events
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.evaluation import extracts
from resettle.evaluation.cohorts import JDL_MINIMUM
from resettle.evaluation.models import (
    Cohort,
    CohortResult,
    Evaluation,
    ExportJob,
    ExportKind,
    ExportState,
    OutcomeEvent,
)
from resettle.evaluation.selectors import cohort_summary, extract_source
from resettle.partnerships.models import PermittedExport
from resettle.people.models import Person

OUTCOME_FIELDS = frozenset({"kind", "occurred_on", "offence_category", "source", "note"})
COHORT_FIELDS = frozenset({"name", "service_from", "service_to"})
EVALUATION_FIELDS = frozenset({"name", "evaluator"})
RESULT_FIELDS = frozenset(
    f.name
    for f in CohortResult._meta.concrete_fields
    if f.name not in {"id", "created_at", "updated_at", "cohort", "recorded_by"}
)
NOT_RECORDER = (
    "Further offences, arrests, convictions and cautions are recorded by probation and prison "
    "staff who may see the person's offence information."
)
NOT_EVALUATOR = "Cohorts, evaluations and their files are for analysts and partnership managers."
NO_JDL_AGREEMENT = (
    "No sharing agreement in force permits your organisation to send a Justice Data Lab cohort "
    "file. An organisation admin can add it to an agreement."
)
NO_EVALUATOR_AGREEMENT = (
    "No sharing agreement in force permits an extract for {evaluator}. An organisation admin "
    "can name the evaluator in an agreement."
)
UNDER_MINIMUM = (
    "The Justice Data Lab needs at least {minimum} people; {count} in this cohort qualify. "
    "Widen the date range or complete the missing details first."
)
EXPORT_OBJECT = "export"


def _unknown(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: "This field is not recognised" for name in unknown})


def _evaluator(actor: Membership) -> None:
    if not policy.can_evaluate(actor):
        raise PermissionDenied(NOT_EVALUATOR)


# Outcome events ---------------------------------------------------------------------------------


@transaction.atomic
def outcome_event_record(
    *,
    actor: Membership,
    person: Person,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> OutcomeEvent:
    if not policy.can_record_outcome_event(actor, person):
        raise PermissionDenied(NOT_RECORDER)
    _unknown(data, OUTCOME_FIELDS)
    event = OutcomeEvent(
        person=person, organisation_id=actor.organisation_id, recorded_by=actor.user, **data
    )
    event.full_clean()
    event.save()
    # The audit trail keeps the facts, never the note's words.
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="outcome_event",
        object_id=event.pk,
        person=person,
        category=Category.OFFENCE,
        changes=diff(
            {},
            {
                "kind": event.kind,
                "occurred_on": event.occurred_on,
                "offence_category": event.offence_category,
                "source": event.source,
            },
        ),
        request=request,
    )
    return event


# Cohorts and results ----------------------------------------------------------------------------


@transaction.atomic
def cohort_create(
    *, actor: Membership, data: dict[str, Any], request: HttpRequest | None = None
) -> Cohort:
    _evaluator(actor)
    _unknown(data, COHORT_FIELDS)
    cohort = Cohort(organisation_id=actor.organisation_id, created_by=actor.user, **data)
    cohort.full_clean()
    cohort.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="cohort",
        object_id=cohort.pk,
        changes=diff({}, {k: data[k] for k in sorted(data)}),
        request=request,
    )
    return cohort


@transaction.atomic
def cohort_result_record(
    *,
    actor: Membership,
    cohort: Cohort,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> CohortResult:
    """Store what the Justice Data Lab returned; an earlier result stays as it was."""
    _evaluator(actor)
    _unknown(data, RESULT_FIELDS)
    result = CohortResult(cohort=cohort, recorded_by=actor.user, **data)
    result.full_clean()
    result.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="cohort_result",
        object_id=result.pk,
        changes=diff({}, {"cohort": cohort.pk, "received_on": result.received_on}),
        request=request,
    )
    return result


@transaction.atomic
def evaluation_create(
    *,
    actor: Membership,
    cohort: Cohort,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> Evaluation:
    _evaluator(actor)
    _unknown(data, EVALUATION_FIELDS)
    evaluation = Evaluation(
        organisation_id=actor.organisation_id, cohort=cohort, created_by=actor.user, **data
    )
    evaluation.full_clean()
    evaluation.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="evaluation",
        object_id=evaluation.pk,
        changes=diff({}, {"cohort": cohort.pk, "evaluator": evaluation.evaluator}),
        request=request,
    )
    return evaluation


# Exports ----------------------------------------------------------------------------------------


def _refuse(
    actor: Membership,
    *,
    kind: str,
    about: Cohort | Evaluation,
    reason: str,
    error: ApplicationError,
    request: HttpRequest | None,
) -> None:
    """Audit the refusal (in a transaction of its own, so it stands), then raise."""
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=kind,
        object_id=about.pk,
        reason=f"Refused: {reason}",
        request=request,
    )
    raise error


def export_request(
    *,
    actor: Membership,
    cohort: Cohort | None = None,
    evaluation: Evaluation | None = None,
    request: HttpRequest | None = None,
) -> ExportJob:
    """Ask the task worker for a cohort's JDL file, or an evaluation's extract. Refused (403,
    audited) without an agreement permitting it; a JDL cohort under the minimum is refused with
    its count (422, audited)."""
    _evaluator(actor)
    if (cohort is None) == (evaluation is None):
        raise ValidationError("Ask for one cohort's file or one evaluation's extract")
    if cohort is not None:
        kind = ExportKind.JDL_COHORT
        about: Cohort | Evaluation = cohort
        agreement = policy.agreement_permitting(actor, PermittedExport.JUSTICE_DATA_LAB)
        if agreement is None:
            _refuse(
                actor,
                kind=kind,
                about=cohort,
                reason="no agreement permits a Justice Data Lab file",
                error=PermissionDenied(NO_JDL_AGREEMENT),
                request=request,
            )
        count = len(cohort_summary(actor=actor, cohort=cohort).qualifying)
        if count < JDL_MINIMUM:
            _refuse(
                actor,
                kind=kind,
                about=cohort,
                reason=f"{count} people qualify, under the minimum of {JDL_MINIMUM}",
                error=ApplicationError(UNDER_MINIMUM.format(minimum=JDL_MINIMUM, count=count)),
                request=request,
            )
    else:
        assert evaluation is not None
        kind = ExportKind.EVALUATOR_EXTRACT
        about = evaluation
        agreement = policy.agreement_permitting(
            actor, PermittedExport.EVALUATOR_EXTRACT, evaluator=evaluation.evaluator
        )
        if agreement is None:
            _refuse(
                actor,
                kind=kind,
                about=evaluation,
                reason=f"no agreement names {evaluation.evaluator}",
                error=PermissionDenied(
                    NO_EVALUATOR_AGREEMENT.format(evaluator=evaluation.evaluator)
                ),
                request=request,
            )
    assert agreement is not None
    with transaction.atomic():
        job = ExportJob(
            organisation_id=actor.organisation_id,
            requested_by=actor.user,
            kind=kind,
            cohort=cohort,
            evaluation=evaluation,
        )
        job.full_clean()
        job.save()
        record_event(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type=EXPORT_OBJECT,
            object_id=job.pk,
            reason=f"{job.get_kind_display()} under agreement {agreement.document_reference}",
            changes=diff({}, {"kind": kind, "about": about.pk, "agreement": agreement.pk}),
            request=request,
        )
        from resettle.evaluation.tasks import build_export  # the task module imports this one

        job_id = str(job.pk)
        transaction.on_commit(lambda: build_export.enqueue(job_id=job_id))
    return job


def _progress(job: ExportJob, percent: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(progress=percent, updated_at=timezone.now())


def _acting_for(job: ExportJob) -> Membership | None:
    """The requester's membership that may still evaluate for the job's organisation."""
    today = date.today()
    for membership in Membership.objects.filter(
        user_id=job.requested_by_id, organisation_id=job.organisation_id
    ).select_related("organisation", "user"):
        if policy.is_current(membership, today) and policy.can_evaluate(membership):
            return membership
    return None


def export_build(*, job_id: UUID | str) -> ExportJob:
    """Build the job's file (run by the task worker), as the person who asked for it: their
    access and the agreement are checked again, since either may have ended meanwhile."""
    job = ExportJob.objects.select_related("cohort", "evaluation__cohort").get(pk=job_id)
    if job.state != ExportState.QUEUED:
        return job
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.RUNNING, progress=5)
    actor = _acting_for(job)
    if actor is None:
        return _fail(
            job, "The person who asked for this file no longer evaluates for the organisation"
        )
    if job.kind == ExportKind.JDL_COHORT:
        assert job.cohort is not None
        if policy.agreement_permitting(actor, PermittedExport.JUSTICE_DATA_LAB) is None:
            return _fail(job, NO_JDL_AGREEMENT)
        summary = cohort_summary(actor=actor, cohort=job.cohort)
        _progress(job, 50)
        if not summary.meets_minimum:
            return _fail(
                job, UNDER_MINIMUM.format(minimum=JDL_MINIMUM, count=len(summary.qualifying))
            )
        content = extracts.jdl_file(summary.members)
        rows = len(summary.qualifying)
        people = [str(m.person_id) for m in summary.qualifying]
        name = f"jdl-cohort-{slugify(job.cohort.name)}-{date.today():%Y-%m-%d}.csv"
        content_type = extracts.CSV
    else:
        evaluation = job.evaluation
        assert evaluation is not None
        if (
            policy.agreement_permitting(
                actor, PermittedExport.EVALUATOR_EXTRACT, evaluator=evaluation.evaluator
            )
            is None
        ):
            return _fail(job, NO_EVALUATOR_AGREEMENT.format(evaluator=evaluation.evaluator))
        source = extract_source(actor=actor, cohort=evaluation.cohort)
        _progress(job, 30)
        secret = evaluation.secret
        context = extracts.ExtractContext(
            source=source, pseudonym=lambda person_id: extracts.pseudonym(secret, person_id)
        )
        content, rows = extracts.extract_archive(
            context, lambda percent: _progress(job, 30 + percent * 7 // 10)
        )
        name = f"evaluation-{slugify(evaluation.name)}-{date.today():%Y-%m-%d}.zip"
        # Pseudonymised: no one is named in it.
        people = []
        content_type = extracts.ZIP
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.DONE,
        progress=100,
        rows=rows,
        file_name=name,
        content_type=content_type,
        content=content,
        people=people,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def _fail(job: ExportJob, error: str) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.FAILED, error=error[:500], finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    file_name: str


def export_download(
    *,
    actor: Membership,
    job: ExportJob,
    as_xlsx: bool = False,
    request: HttpRequest | None = None,
) -> Download:
    """Hand over a finished file, a JDL cohort's also as a workbook; every download is
    audited."""
    _evaluator(actor)
    if job.state != ExportState.DONE:
        raise ApplicationError("The file is not ready yet")
    download = Download(bytes(job.content), job.content_type, job.file_name)
    if as_xlsx:
        if job.kind != ExportKind.JDL_COHORT:
            raise ApplicationError("Only a Justice Data Lab file can be had as a workbook")
        download = Download(
            extracts.csv_as_xlsx(download.content, "JDL cohort"),
            extracts.XLSX_TYPE,
            download.file_name.removesuffix(".csv") + ".xlsx",
        )
    reason = f"Downloaded {download.file_name} ({job.rows} people)"
    named = [
        EventData(
            action=AuditAction.EXPORT,
            object_type=EXPORT_OBJECT,
            object_id=str(job.pk),
            person_id=UUID(person_id),
            category=Category.IDENTITY,
            reason=reason,
        )
        for person_id in job.people
    ]
    record_events(
        actor=actor,
        events=[
            EventData(
                action=AuditAction.EXPORT,
                object_type=EXPORT_OBJECT,
                object_id=str(job.pk),
                reason=reason,
            ),
            *named,
        ],
        request=request,
    )
    return download
