"""Writes in the linkage area: asking for a run, running it in the task worker, and reviewers'
decisions about pairs.

A run reads the partnership's person records as the system principal (audited), scores them
with the model (`matching`), applies every decision reviewers have made (they override the
model), clusters the links and keeps pairs and clusters with the run. Decisions are kept apart
from runs, so the next run follows them.

A full run trains the model and scores every pair. An incremental run (the default once a run
has finished) scores only the records added or changed since the previous finished run, against
every record, with that run's model (the last full run's, passed on), and carries over that
run's pairs of records neither added nor changed; the links are then clustered again, so every
record of the partnership has its cluster after either kind of run."""

import logging
import math
from collections import defaultdict
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
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
    RunKind,
    RunState,
)
from resettle.partnerships.models import Partnership
from resettle.people.models import (
    Address,
    Identifier,
    Person,
    PersonMerge,
    PersonName,
    WorkingRelationship,
)

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


def _previous_run(partnership: Partnership) -> LinkageRun | None:
    """The partnership's latest finished run, whose model and pairs an incremental run uses."""
    return (
        LinkageRun.objects.filter(partnership=partnership, state=RunState.DONE, model__isnull=False)
        .order_by("-created_at")
        .first()
    )


# Match weights beyond these are certainties either way: a threshold out there links or
# reviews nothing the model can tell apart.
THRESHOLD_RANGE = (-30.0, 30.0)


def _check_thresholds(upper: float, lower: float) -> None:
    low, high = THRESHOLD_RANGE
    for name, value in (("upper", upper), ("lower", lower)):
        if not math.isfinite(value) or not low <= value <= high:
            raise ApplicationError(
                f"The {name} threshold must be a match weight from {low:g} to {high:g}."
            )
    if upper <= lower:
        raise ApplicationError(
            f"The upper threshold (link without review, {upper:g}) must be above the lower one "
            f"(ignore below, {lower:g}): pairs between the two go to review."
        )


@transaction.atomic
def linkage_run_request(
    *,
    actor: Membership | None,
    partnership: Partnership,
    full: bool = False,
    upper_threshold: float | None = None,
    lower_threshold: float | None = None,
) -> LinkageRun:
    """Ask the task worker to link the partnership's records. Refused while a run is under way
    for the partnership. `actor` None is the command line (an operator of the deployment).

    The run is incremental unless `full` is asked for, there is no finished run to build on, or
    the thresholds differ from that run's (a new lower threshold needs every pair scored
    again)."""
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
    base = None if full else _previous_run(partnership)
    if base is not None:
        run.upper_threshold = base.upper_threshold
        run.lower_threshold = base.lower_threshold
    if upper_threshold is not None:
        run.upper_threshold = upper_threshold
    if lower_threshold is not None:
        run.lower_threshold = lower_threshold
    _check_thresholds(run.upper_threshold, run.lower_threshold)
    if base is not None and (run.upper_threshold, run.lower_threshold) == (
        base.upper_threshold,
        base.lower_threshold,
    ):
        run.kind = RunKind.INCREMENTAL
        run.based_on = base
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
        changes={"partnership": [None, str(partnership.pk)], "kind": [None, run.kind]},
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
    run = LinkageRun.objects.select_related("partnership", "based_on").get(pk=run_id)
    if not claimed:  # already run, or being run by another worker
        return run
    try:
        system_principal_start(purpose=SystemPurpose.LINKAGE)
        records = partnership_records(run.partnership)
        present = {record.id for record in records}
        base, why_full = _base(run, records)

        def report(percent: int, stage: str) -> None:
            _progress(run, percent, stage)

        if base is None:
            result = matching.link(records, lower=run.lower_threshold, progress=report)
            result.notes.extend(why_full)
            carried: list[matching.Pair] = []
        else:
            assert base.model is not None  # `_base` gives only a run with one
            changed = _changed_since(base, present)
            result = matching.link_new(
                records, changed, model=base.model, lower=run.lower_threshold, progress=report
            )
            report(88, "Carrying over the pairs of unchanged records")
            carried = _carried(base, present, changed)
        _progress(run, 90, "Clustering and saving")
        with transaction.atomic():
            figures = _keep(run, records, result, carried)
            LinkageRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
                state=RunState.DONE,
                progress=100,
                stage="",
                figures=figures,
                model=result.model,
                kind=RunKind.FULL if base is None else RunKind.INCREMENTAL,
                based_on=base,
                records_linked=result.linked,
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


def _base(run: LinkageRun, records: list[matching.Record]) -> tuple[LinkageRun | None, list[str]]:
    """The finished run an incremental run builds on, or None to run in full (and why, for the
    run's notes): when it was asked for in full, when its base is gone, or when the base kept
    the starting parameters for want of records and there are now enough to train on."""
    if run.kind != RunKind.INCREMENTAL:
        return None, []
    base = run.based_on
    if base is None or base.state != RunState.DONE or base.model is None:
        return None, ["Linked in full: the run it was to build on is gone."]
    if not base.figures.get("trained") and len(records) >= matching.TRAIN_FROM:
        return None, ["Linked in full: there are now enough records to train the model."]
    return base, []


def _changed_since(base: LinkageRun, present: set[str]) -> set[str]:
    """The partnership's records added or changed since `base` started: the person, or one of
    their other names, addresses or identifiers, saved since; both records of a merge made or
    undone since (a merge moves rows without saving them); and records the base did not link
    (a person the partnership has started working with since)."""
    since = base.created_at
    changed = {
        str(pk) for pk in Person.objects.filter(updated_at__gte=since).values_list("pk", flat=True)
    }
    merges = PersonMerge.objects.filter(Q(created_at__gte=since) | Q(unmerged_at__gte=since))
    for survivor, merged in merges.values_list("survivor_id", "merged_id"):
        changed.update((str(survivor), str(merged)))
    for model in (PersonName, Address, Identifier):
        changed.update(
            str(pk)
            for pk in model.objects.filter(updated_at__gte=since).values_list(
                "person_id", flat=True
            )
        )
    linked_before = {
        str(pk) for pk in PersonLink.objects.filter(run=base).values_list("person_id", flat=True)
    }
    return (changed & present) | (present - linked_before)


def _carried(base: LinkageRun, present: set[str], changed: set[str]) -> list[matching.Pair]:
    """The base run's pairs of records still in the partnership and neither added nor changed
    since, as the model scored them (their status is worked out again: decisions may be new)."""
    carried = []
    rows = LinkPair.objects.filter(run=base).values_list(
        "left_id", "right_id", "match_weight", "match_probability", "agreed", "disagreed"
    )
    for left, right, weight, probability, agreed, disagreed in rows.iterator(chunk_size=BATCH):
        key = _key(left, right)
        if key[0] in changed or key[1] in changed:
            continue
        if key[0] not in present or key[1] not in present:
            continue
        carried.append(matching.Pair(key[0], key[1], weight, probability, agreed, disagreed))
    return carried


def _keep(
    run: LinkageRun,
    records: list[matching.Record],
    result: matching.Result,
    carried: list[matching.Pair],
) -> dict:
    """Keep the run's pairs (scored now, and carried over) with their status, and cluster every
    record. Reviewers' decisions override the model: an accepted pair links whatever it scored
    (and before any link the model made), and records of a rejected pair never share a cluster,
    even through other records (`matching.clusters` splits such a cluster at its weakest link);
    nor, unless reviewers linked them, do records that links chain together but the model finds
    different (`matching.against`). A model link left out for either goes to review."""
    decisions = {
        (str(left), str(right)): decision
        for left, right, decision in PairDecision.objects.filter(
            partnership=run.partnership
        ).values_list("left_id", "right_id", "decision")
    }
    pairs: dict[tuple[str, str], LinkPair] = {}
    links: list[matching.Link] = []
    weights: dict[tuple[str, str], tuple[float, dict]] = {}
    for pair in [*carried, *result.pairs]:
        key = (pair.left, pair.right)
        decision = decisions.get(key)
        if decision is not None:
            status = DECISION_STATUS[Decision(decision)]
        elif pair.match_weight >= run.upper_threshold:
            status = PairStatus.LINKED
        else:
            status = PairStatus.REVIEW
        pairs[key] = LinkPair(
            run=run,
            left_id=pair.left,
            right_id=pair.right,
            match_weight=pair.match_weight,
            match_probability=pair.match_probability,
            agreed=pair.agreed,
            disagreed=pair.disagreed,
            status=status,
        )
        weights[key] = (pair.match_weight, pair.agreed)
        if status == PairStatus.ACCEPTED:
            links.append((*key, math.inf))
        elif status == PairStatus.LINKED:
            links.append((*key, pair.match_weight))
    present = {record.id for record in records}
    apart = []
    for key, decision in decisions.items():
        if not set(key) <= present:
            continue
        if decision == Decision.REJECT:
            apart.append(key)
        # A pair reviewers said is the same person links even when the model no longer scores it.
        elif decision == Decision.ACCEPT and key not in pairs:
            links.append((*key, math.inf))
    # Records the links would chain through others (A to B, B to C) that the model, scoring
    # them now, finds to be different people (A and C): kept apart unless reviewers linked them.
    doubted = matching.against(
        records, links, pairs.keys(), model=result.model, lower=run.lower_threshold
    )
    clustering = matching.clusters(present, links, apart, [(p.left, p.right) for p in doubted])
    cluster_of = clustering.cluster_of
    for key in clustering.cut:
        if key in pairs and pairs[key].status == PairStatus.LINKED:
            pairs[key].status = PairStatus.REVIEW
    best: dict[str, tuple[float, dict]] = {}
    for left, right, _strength in links:
        if (left, right) not in weights or cluster_of[left] != cluster_of[right]:
            continue
        weight, agreed = weights[(left, right)]
        for side in (left, right):
            if side not in best or best[side][0] < weight:
                best[side] = (weight, agreed)
    LinkPair.objects.bulk_create(pairs.values(), batch_size=BATCH)
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
    statuses = [p.status for p in pairs.values()]
    return {
        "records": result.records,
        "pairs": len(pairs),
        "linked": statuses.count(PairStatus.LINKED) + statuses.count(PairStatus.ACCEPTED),
        "review": statuses.count(PairStatus.REVIEW) + statuses.count(PairStatus.UNSURE),
        "clusters": len(set(cluster_of.values())),
        "kept_apart": len(clustering.cut),
        "chained_found_different": len(doubted),
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
