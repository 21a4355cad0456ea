"""Merge pages: from a pair linkage reviewers said is one person, merge the two records (choose
which stays, say why, see what moves); see what a merge did and undo it; and the organisation's
merges. Thin: the rules are in access/rules/merging.py, the work in people/merging.py."""

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access.rules import linkage as linkage_rules
from resettle.access.rules import merging as rules
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.core.http import AuthenticatedRequest
from resettle.linkage.models import PairStatus
from resettle.people import merging
from resettle.people.forms import MergeForm, UnmergeForm
from resettle.people.models import MergedRowAction, Person, PersonMerge
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden
from resettle.web.tables import page_of

PAGE_SIZE = 20
NOT_ACCEPTED = (
    "Only records a reviewer has said are the same person can be merged. Answer this pair first."
)
NOT_NAMED = "Not shared with your organisation"
MISSING = (
    "Some rows the merge moved were deleted after it and cannot be put back ({kinds}). The "
    "rest is put back."
)


def _kinds(counts: dict[str, int]) -> list[str]:
    return [merging.kind_of(label, count) for label, count in counts.items()]


def _name(person: Person, named: bool) -> str:
    return person.full_name if named else NOT_NAMED


def _record_label(actor: Any, person: Person, order: str) -> str:
    """A record as the reviewer may know it: by name and date of birth where agreements give
    them who the person is, otherwise by when it was made."""
    made = f"record made {person.created_at:%-d %B %Y %H:%M}"
    if not rules.may_name(actor, person):
        return f"The {order} {made}"
    born = person.date_of_birth.strftime("%-d %B %Y") if person.date_of_birth else "not recorded"
    return f"{person.full_name}, born {born} ({made})"


@require_http_methods(["GET", "POST"])
def merge_new_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if not rules.can_merge(actor):
        return forbidden(request, merging.NOT_ALLOWED)
    assert actor is not None
    pair = linkage_rules.get_pair_for_actor(actor, pk)
    if pair.status != PairStatus.ACCEPTED:
        return forbidden(request, NOT_ACCEPTED)
    left, right = pair.left, pair.right
    refusal = rules.merge_refusal(actor, survivor=left, merged=right)
    if refusal is not None:
        return forbidden(request, refusal)
    # Oldest first: the record made first is the one people usually keep.
    records = sorted((left, right), key=lambda person: person.created_at)
    plans = {
        str(keep.pk): merging.merge_plan(survivor=keep, merged=other)
        for keep, other in (records, records[::-1])
    }
    labels = {
        records[0].pk: _record_label(actor, records[0], "older"),
        records[1].pk: _record_label(actor, records[1], "newer"),
    }
    form = MergeForm(
        bound_data(request),
        records=[(str(p.pk), labels[p.pk]) for p in records],
        seen=merging.fingerprint(left, right),
        initial={"survivor": str(records[0].pk)},
    )

    def merge(data: dict[str, Any]) -> PersonMerge:
        keep = left if data["survivor"] == str(left.pk) else right
        other = right if keep is left else left
        return merging.person_merge(
            actor=actor,
            survivor=keep,
            merged=other,
            reason=data["reason"],
            seen=data["seen"],
            request=request,
        )

    if response := run_form(
        request,
        form,
        merge,
        success_url=lambda done: reverse("people:merge_detail", args=[done.pk]),
        message="Records merged. This page shows what moved, and can undo it.",
    ):
        return response
    refusals = plans[str(records[0].pk)].refusals()
    return render_form(
        request,
        "people/merge_new.html",
        {
            "form": form,
            "pair": pair,
            "refusals": refusals,
            "options": [
                {
                    "label": labels[keep.pk],
                    "moves": _kinds(plans[str(keep.pk)].moved()),
                    "removed": _kinds(plans[str(keep.pk)].removed()),
                }
                for keep in records
            ],
            "cancel_url": reverse("linkage:pair", args=[pair.pk]),
        },
    )


def _merge_context(actor: Any, merge: PersonMerge) -> dict[str, Any]:
    named = rules.may_name(actor, merge.survivor)
    counts = merging.merged_rows(merge)
    return {
        "merge": merge,
        "survivor_name": _name(merge.survivor, named),
        "merged_name": _name(merge.merged, named),
        "moved": _kinds(counts.get(MergedRowAction.MOVED, {})),
        "removed": _kinds(counts.get(MergedRowAction.REMOVED, {})),
        "kept": _kinds(merge.kept_on_survivor),
        "not_restored": _kinds(merge.not_restored),
    }


@require_GET
def merge_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if not rules.can_merge(actor):
        return forbidden(request, merging.NOT_ALLOWED)
    merge = rules.get_merge_for_actor(actor, pk)
    record_event(
        actor=actor,
        action=AuditAction.READ,
        object_type="person_merge",
        object_id=merge.pk,
        person=merge.survivor,
        request=request,
    )
    return render(request, "people/merge_detail.html", _merge_context(actor, merge))


@require_http_methods(["GET", "POST"])
def unmerge_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    if not rules.can_merge(actor):
        return forbidden(request, merging.NOT_ALLOWED)
    assert actor is not None
    merge = rules.get_merge_for_actor(actor, pk)
    detail = reverse("people:merge_detail", args=[merge.pk])
    if merge.undone and request.method == "GET":
        return redirect(detail)
    form = UnmergeForm(bound_data(request), initial={"version": merge.version})
    if response := run_form(
        request,
        form,
        lambda data: merging.person_unmerge(
            actor=actor,
            merge=merge,
            reason=data["reason"],
            expected_version=data["version"],
            request=request,
        ),
        success_url=detail,
        message="Merge undone: both records are back as they were.",
    ):
        return response
    report = merging.unmerge_report(merge)
    context = _merge_context(actor, merge) | {
        "form": form,
        "later": _kinds(report.kept),
        "attached": _kinds(report.attached),
        "changed": _kinds(report.changed),
        "missing": _kinds(report.missing),
        "missing_warning": MISSING.format(kinds=", ".join(_kinds(report.missing))),
        "cancel_url": detail,
    }
    return render_form(request, "people/unmerge.html", context)


@require_GET
def merge_list_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not rules.can_merge(actor):
        return forbidden(request, merging.NOT_ALLOWED)
    merges = (
        rules.merges_visible_to(actor)
        .select_related("survivor", "merged", "merged_by")
        .order_by("-created_at", "pk")
    )
    page = page_of(request, merges, PAGE_SIZE)
    rows = [
        {
            "merge": merge,
            "survivor": _name(merge.survivor, rules.may_name(actor, merge.survivor)),
        }
        for merge in page.object_list
    ]
    return render(request, "people/merges.html", {"page_obj": page, "rows": rows})
