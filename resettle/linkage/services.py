"""Writes in the linkage area: asking for a run, running it in the task worker, and reviewers'
decisions about pairs.

A run reads the partnership's person records as the system principal (audited), scores them
with the model (`matching`), applies every decision reviewers have made (they override the
model), clusters the links and keeps pairs and clusters with the run. Decisions are kept apart
from runs, so the next run follows them."""

import logging
from collections import defaultdict
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from resettle.access.principals import SystemPurpose
from resettle.access.rules import linkage as rules
from resettle.access.services import system_principal_start
from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.linkage import matching
from resettle.linkage.models import (
    ACTIVE,
    DECISION_STATUS,
    Decision,
    LinkageRun,
    LinkPair,
    PairDecision,
    PairStatus,
    PersonLink,
    RunState,
)
from resettle.partnerships.models import Partnership
from resettle.people.models import Address, Identifier, Person, PersonName, WorkingRelationship

logger = logging.getLogger(__name__)

NOT_ALLOWED = (
    "Record linkage is run and reviewed by organisation admins and data-protection leads. "
    "Ask your organisation admin."
)
NOT_YOUR_PARTNERSHIP = "Your organisation is not a member of that partnership."
ALREADY_RUNNING = (
    "Linkage is already running for {partnership} (started {started}). Wait for it to finish "
    "before starting another."
)
FAILED = (
    "Something went wrong linking the records, so nothing was kept. Try again; if it fails "
    "again, tell whoever runs Resettle for your partnership (the error was {error})."
)
STALE_AFTER = timedelta(hours=3)
WORKER_STOPPED = "The task worker stopped before linkage finished. Try again."
BATCH = 5_000


class RunUnderWay(ApplicationError):
    """A run is already under way for the partnership."""


def _enqueue(run: LinkageRun) -> None:
    from resettle.linkage.tasks import run_linkage  # the task module imports this one

    run_id = str(run.pk)
    transaction.on_commit(lambda: run_linkage.enqueue(run_id=run_id))


def _give_up_stale(partnership: Partnership) -> None:
    now = timezone.now()
    LinkageRun.objects.filter(
        partnership=partnership, state__in=ACTIVE, updated_at__lt=now - STALE_AFTER
    ).update(state=RunState.FAILED, error=WORKER_STOPPED, finished_at=now, updated_at=now)


@transaction.atomic
def linkage_run_request(
    *,
    actor: Membership | None,
    partnership: Partnership,
    upper_threshold: float | None = None,
    lower_threshold: float | None = None,
) -> LinkageRun:
    """Ask the task worker to link the partnership's records. Refused while a run is under way
    for the partnership. `actor` None is the command line (an operator of the deployment)."""
    if actor is not None:
        if not rules.can_manage_linkage(actor):
            raise PermissionDenied(NOT_ALLOWED)
        if not rules.linkage_partnerships(actor).filter(pk=partnership.pk).exists():
            raise PermissionDenied(NOT_YOUR_PARTNERSHIP)
    _give_up_stale(partnership)
    under_way = LinkageRun.objects.filter(partnership=partnership, state__in=ACTIVE).first()
    if under_way is not None:
        raise RunUnderWay(
            ALREADY_RUNNING.format(
                partnership=partnership.name,
                started=timezone.localtime(under_way.created_at).strftime("%-d %B %Y %H:%M"),
            ),
            extra={"run": str(under_way.pk)},
        )
    run = LinkageRun(partnership=partnership, requested_by=actor)
    if upper_threshold is not None:
        run.upper_threshold = upper_threshold
    if lower_threshold is not None:
        run.lower_threshold = lower_threshold
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError as exc:  # two asks at once: the other one is under way
        raise RunUnderWay(
            ALREADY_RUNNING.format(partnership=partnership.name, started="just now")
        ) from exc
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="linkage_run",
        object_id=run.pk,
        changes={"partnership": [None, str(partnership.pk)]},
    )
    _enqueue(run)
    return run


# The run ------------------------------------------------------------------------------------------


def partnership_records(partnership: Partnership) -> list[matching.Record]:
    """Every person record any member organisation has worked with, as the model sees it."""
    organisations = partnership.organisations.values("pk")
    return records_of(
        WorkingRelationship.objects.filter(organisation_id__in=organisations)
        .values_list("person_id", flat=True)
        .distinct()
    )


def records_of(ids: QuerySet) -> list[matching.Record]:
    """These person records as the model sees them: names and other names, date of birth,
    sex, latest postcode and identifiers, read in one query each."""
    others: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for person_id, given, family in PersonName.objects.filter(person_id__in=ids).values_list(
        "person_id", "given_name", "family_name"
    ):
        others[person_id].append((given, family))
    postcodes: dict[Any, str] = {}
    # Oldest first, so the latest address (by start date) wins.
    for person_id, postcode in (
        Address.objects.filter(person_id__in=ids)
        .exclude(postcode="")
        .order_by("from_date", "created_at")
        .values_list("person_id", "postcode")
    ):
        postcodes[person_id] = postcode
    identifiers: dict[Any, dict[str, str]] = defaultdict(dict)
    for person_id, scheme, value in Identifier.objects.filter(person_id__in=ids).values_list(
        "person_id", "scheme", "value"
    ):
        identifiers[person_id][scheme] = value
    records = []
    rows = Person.objects.filter(pk__in=ids).values_list(
        "pk", "given_name", "preferred_name", "family_name", "date_of_birth", "sex"
    )
    for pk, given, preferred, family, born, sex in rows.iterator(chunk_size=BATCH):
        names = others.get(pk, [])
        records.append(
            matching.Record(
                id=str(pk),
                given_name=given,
                family_name=family,
                date_of_birth=born,
                sex=sex,
                postcode=postcodes.get(pk),
                other_given_names=tuple(n for n in [preferred, *(g for g, _ in names)] if n),
                other_family_names=tuple(f for _, f in names if f),
                identifiers=identifiers.get(pk, {}),
            )
        )
    return records


def _key(left: Any, right: Any) -> tuple[str, str]:
    a, b = sorted((str(left), str(right)))
    return a, b


def _progress(run: LinkageRun, percent: int, stage: str) -> None:
    LinkageRun.objects.filter(pk=run.pk).update(
        progress=percent, stage=stage[:100], updated_at=timezone.now()
    )


def linkage_run_execute(*, run_id: UUID | str) -> LinkageRun:
    """Run linkage (the task worker does). Pairs and clusters are kept, and the run marked done,
    in one transaction; a run that fails keeps only why."""
    claimed = LinkageRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, progress=5, stage="Reading records", updated_at=timezone.now()
    )
    run = LinkageRun.objects.select_related("partnership").get(pk=run_id)
    if not claimed:  # already run, or being run by another worker
        return run
    try:
        system_principal_start(purpose=SystemPurpose.LINKAGE)
        records = partnership_records(run.partnership)
        result = matching.link(
            records,
            lower=run.lower_threshold,
            progress=lambda percent, stage: _progress(run, percent, stage),
        )
        _progress(run, 90, "Clustering and saving")
        with transaction.atomic():
            figures = _keep(run, records, result)
            LinkageRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
                state=RunState.DONE,
                progress=100,
                stage="",
                figures=figures,
                model=result.model,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
    except Exception as error:
        # The traceback goes to the log; the page shows only the kind of error, since a
        # message may quote the records it choked on.
        logger.exception("Linkage run %s failed", run.pk)
        LinkageRun.objects.filter(pk=run.pk).update(
            state=RunState.FAILED,
            error=FAILED.format(error=type(error).__name__)[:500],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    run.refresh_from_db()
    return run


def _keep(run: LinkageRun, records: list[matching.Record], result: matching.Result) -> dict:
    decisions = {
        (str(left), str(right)): decision
        for left, right, decision in PairDecision.objects.filter(
            partnership=run.partnership
        ).values_list("left_id", "right_id", "decision")
    }
    pairs: list[LinkPair] = []
    links: list[tuple[str, str]] = []
    best: dict[str, tuple[float, dict]] = {}
    scored = set()
    for pair in result.pairs:
        key = (pair.left, pair.right)
        scored.add(key)
        decision = decisions.get(key)
        if decision is not None:
            status = DECISION_STATUS[Decision(decision)]
        elif pair.match_weight >= run.upper_threshold:
            status = PairStatus.LINKED
        else:
            status = PairStatus.REVIEW
        pairs.append(
            LinkPair(
                run=run,
                left_id=pair.left,
                right_id=pair.right,
                match_weight=pair.match_weight,
                match_probability=pair.match_probability,
                agreed=pair.agreed,
                disagreed=pair.disagreed,
                status=status,
            )
        )
        if status in (PairStatus.LINKED, PairStatus.ACCEPTED):
            links.append(key)
            for side in key:
                if side not in best or best[side][0] < pair.match_weight:
                    best[side] = (pair.match_weight, pair.agreed)
    present = {record.id for record in records}
    # A pair reviewers said is the same person links even when the model no longer scores it.
    for key, decision in decisions.items():
        if decision == Decision.ACCEPT and key not in scored and set(key) <= present:
            links.append(key)
    LinkPair.objects.bulk_create(pairs, batch_size=BATCH)
    cluster_of = matching.clusters(present, links)
    PersonLink.objects.bulk_create(
        (
            PersonLink(
                run=run,
                person_id=record_id,
                cluster_id=UUID(cluster_id),
                match_weight=best[record_id][0] if record_id in best else None,
                reasons=best[record_id][1] if record_id in best else {},
            )
            for record_id, cluster_id in cluster_of.items()
        ),
        batch_size=BATCH,
    )
    statuses = [p.status for p in pairs]
    return {
        "records": result.records,
        "pairs": len(pairs),
        "linked": statuses.count(PairStatus.LINKED) + statuses.count(PairStatus.ACCEPTED),
        "review": statuses.count(PairStatus.REVIEW) + statuses.count(PairStatus.UNSURE),
        "clusters": len(set(cluster_of.values())),
        "seconds": round(result.seconds, 1),
        "trained": result.trained,
        "notes": result.notes,
    }


# Review -------------------------------------------------------------------------------------------


@transaction.atomic
def pair_decide(*, actor: Membership, pair: LinkPair, decision: str) -> LinkPair:
    """A reviewer's answer about a pair: kept for the next run, and shown on this one at once
    (a pair reviewers say is the same person joins the cluster on the next run)."""
    if not rules.can_manage_linkage(actor):
        raise PermissionDenied(NOT_ALLOWED)
    try:
        decision = Decision(decision)
    except ValueError as exc:
        raise ApplicationError("Choose same person, different people or not sure.") from exc
    pair = LinkPair.objects.select_for_update().select_related("run").get(pk=pair.pk)
    before = pair.status
    PairDecision.objects.update_or_create(
        partnership_id=pair.run.partnership_id,
        left_id=pair.left_id,
        right_id=pair.right_id,
        defaults={"decision": decision, "decided_by": actor},
    )
    pair.status = DECISION_STATUS[decision]
    pair.save(update_fields=["status", "updated_at"])
    record_event(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="link_pair",
        object_id=pair.pk,
        changes={"status": [before, pair.status]},
    )
    return pair
