"""People pages: finding people, a person's record and family, and households.

Each view parses the request, asks `resettle.access.policy`, a selector or a service, and renders.
A person or household the actor may not see is the same 404 as one that does not exist.
"""

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from resettle.access import policy, registry
from resettle.access.categories import Category
from resettle.access.rules import merging as merging_rules
from resettle.accounts.models import Membership
from resettle.audit.services import record_read
from resettle.core.http import AuthenticatedRequest
from resettle.people import services
from resettle.people.categories import (
    family_shared_ids,
    identifier_schemes_for,
    identifier_schemes_granted,
)
from resettle.people.choices import IdentifierScheme
from resettle.people.forms import (
    AddressForm,
    HouseholdCreateForm,
    HouseholdForm,
    LeaveHouseholdForm,
    PersonForm,
    PersonNameForm,
    PersonSearchForm,
    RelationshipForm,
    RelativeSearchForm,
    person_initial,
)
from resettle.people.models import Household, HouseholdMember, Person
from resettle.people.selectors import (
    MAX_CANDIDATES,
    DuplicateCheck,
    household_members,
    person_family,
    person_list,
    person_summary,
    possible_duplicates,
    with_identifiers,
)
from resettle.web.form_runner import bound_data, render_form, run_form
from resettle.web.pages import forbidden, person_for_page
from resettle.web.tables import Column, Table

PAGE_SIZE = 25
# The most search results offered when choosing a family member, out of the best matches.
RELATIVE_CHOICES = 50
MAX_RELATIVE_SEARCH = 200

NO_CASE_ACCESS = (
    "Your role sees aggregate data only, not individual people's records. "
    "Reports and dashboards show the figures for your organisation and partnership."
)
CONTACT_NOT_SHARED = (
    "This person's contact details are not shared with your organisation, so you cannot "
    "change them."
)
FAMILY_NOT_SHARED = (
    "This person's family information is not shared with your organisation, so you cannot "
    "change it."
)


PEOPLE_TABLE = Table(
    Column("name", "Name"),
    Column("date_of_birth", "Date of birth"),
    Column("updated", "Last updated", descending_only=True),
    per_page=PAGE_SIZE,
)


@login_required
@require_GET
def person_list_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_view_case_records(actor):
        return forbidden(request, NO_CASE_ACCESS)
    form = PersonSearchForm(request.GET or None)
    filters = form.filters()
    is_filtered = any([filters["query"], filters["date_of_birth"], filters["sex"]])
    # Everyone the actor may see is counted from the working relationships, not the records.
    visible_count = None if is_filtered else policy.count_people_visible_to(actor)
    people = person_list(actor=actor, visible_count=visible_count, **filters)
    table = PEOPLE_TABLE.context(request, people, ordering=filters["ordering"], count=visible_count)
    page = table["page_obj"]
    context = table | {
        "form": form,
        "people": with_identifiers(actor, list(page.object_list)),
        "query": filters["query"],
        "truncated": getattr(people, "truncated", False),
        "max_candidates": MAX_CANDIDATES,
        "is_filtered": is_filtered,
        "can_create": policy.can_create_person(actor),
        "today": date.today(),
    }
    # A history restore asks for the whole page even though it comes from htmx.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "people/_results.html" if partial else "people/list.html"
    response = render(request, template, context)
    # The same URL returns a fragment or a page, so caches must key on the htmx header.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _duplicates_to_confirm(
    actor: Membership, form: PersonForm, exclude: Person | None
) -> DuplicateCheck | None:
    """Possible duplicates the user has not yet said are someone else."""
    if form.cleaned_data["confirm_new"]:
        return None
    check = possible_duplicates(
        actor=actor,
        given_name=form.cleaned_data["given_name"],
        family_name=form.cleaned_data["family_name"],
        date_of_birth=form.cleaned_data["date_of_birth"],
        identifiers={scheme: value for scheme, value in form.identifiers().items() if value},
        exclude=exclude,
    )
    return check or None


@login_required
@require_http_methods(["GET", "POST"])
def person_create_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    if not policy.can_create_person(actor):
        return forbidden(request, "Your role cannot add people to Resettle.")
    assert actor is not None  # may add people, so a current member
    # Asked for only if an agreement gives the organisation contact details at all: where it
    # needs consent, the caseworker sees them again once consent is recorded.
    with_contact = Category.CONTACT in policy.agreement_grants(actor)
    form = PersonForm(
        bound_data(request),
        with_contact=with_contact,
        identifier_schemes=identifier_schemes_granted(actor),
    )
    duplicates = _duplicates_to_confirm(actor, form, exclude=None) if form.is_valid() else None
    if not duplicates and (
        response := run_form(
            request,
            form,
            lambda data: services.person_create(
                actor=actor, data=form.person_data(), identifiers=form.identifiers()
            ),
            success_url=lambda person: reverse("people:detail", args=[person.pk]),
            message=lambda person: f"{person.full_name} has been added",
        )
    ):
        return response
    return render_form(
        request,
        "people/person_form.html",
        {"form": form, "duplicates": duplicates, "cancel_url": reverse("people:list")},
    )


@login_required
@require_GET
def person_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    try:
        person = person_for_page(actor, pk)
    except Http404:
        # An old link to a merged record leads to the record it was merged into.
        survivor = merging_rules.merged_into(actor, pk)
        if survivor is None:
            raise
        messages.info(request, f"That record was merged into {survivor.full_name}'s record.")
        return redirect("people:detail", pk=survivor.pk)
    shows_contact = policy.can_view_category(actor, person, Category.CONTACT)
    today = date.today()
    # Not even loaded unless they may be shown.
    addresses = list(person.addresses.all()) if shows_contact else []
    recorded = {identifier.scheme: identifier.value for identifier in person.shown_identifiers}
    schemes = identifier_schemes_for(actor, person)
    shown = [Category.IDENTITY, Category.CONTACT] if shows_contact else [Category.IDENTITY]
    if any(registry.identifier_category(s) == Category.CRIMINAL_JUSTICE_IDS for s in recorded):
        shown.append(Category.CRIMINAL_JUSTICE_IDS)
    summary = person_summary(actor=actor, person=person, today=today)
    # One audit insert for everything the page shows.
    record_read(actor=actor, person=person, categories=[*shown, *summary.read], request=request)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "active_section": "summary",
            "summary": summary,
            "now": timezone.now(),
            # Every scheme the actor may see, so a missing identifier reads "Not recorded"
            # rather than vanishing; the others are not theirs to know about.
            "identifier_rows": [
                (scheme, label, recorded.get(scheme, ""))
                for scheme, label in IdentifierScheme.choices
                if scheme in schemes
            ],
            "other_names": person.other_names.all(),
            "shows_contact": shows_contact,
            "current_addresses": [a for a in addresses if a.to_date is None or a.to_date >= today],
            "previous_addresses": [a for a in addresses if a.to_date and a.to_date < today],
            "can_edit": policy.can_edit_person(actor, person),
            # The page's main action for whoever works with them, a mentor above all.
            "can_log_contact": any(
                policy.can_record_contact(actor, case) for case in summary.live_cases
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    if not policy.can_edit_person(actor, person):
        return forbidden(request, "Your role cannot change people's records.")
    assert actor is not None  # may edit people, so a current member
    with_contact = policy.can_view_category(actor, person, Category.CONTACT)
    schemes = identifier_schemes_for(actor, person)
    form = PersonForm(
        bound_data(request),
        initial=person_initial(person, with_contact=with_contact, identifier_schemes=schemes),
        with_contact=with_contact,
        identifier_schemes=schemes,
    )
    duplicates = (
        _duplicates_to_confirm(actor, form, exclude=person)
        if form.is_valid() and form.matching_fields_changed()
        else None
    )
    if not duplicates and (
        response := run_form(
            request,
            form,
            lambda data: services.person_update(
                actor=actor, person=person, data=form.person_data(), identifiers=form.identifiers()
            ),
            success_url=reverse("people:detail", args=[person.pk]),
            message="The person's details have been saved",
        )
    ):
        return response
    return render_form(
        request,
        "people/person_form.html",
        {
            "form": form,
            "person": person,
            "duplicates": duplicates,
            "cancel_url": reverse("people:detail", args=[person.pk]),
        },
    )


def _person_subform(
    request: AuthenticatedRequest,
    pk: UUID,
    form_class: type,
    save: Any,
    template: str,
    success: str,
    category: Category,
    not_shared: str = "",
) -> HttpResponse:
    """A small form that adds something of `category` to a person's record (a name, an
    address); only someone who may see that category may add to it."""
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    if not policy.can_edit_person(actor, person):
        return forbidden(request, "Your role cannot change people's records.")
    assert actor is not None  # may edit people, so a current member
    if not policy.can_view_category(actor, person, category):
        return forbidden(request, not_shared)
    form = form_class(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: save(actor=actor, person=person, data=data),
        success_url=reverse("people:detail", args=[person.pk]),
        message=success,
    ):
        return response
    return render_form(
        request,
        template,
        {"form": form, "person": person, "cancel_url": reverse("people:detail", args=[pk])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_add_name_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    def save(*, actor: Membership, person: Person, data: dict[str, Any]) -> None:
        services.person_name_add(actor=actor, person=person, **data)

    return _person_subform(
        request,
        pk,
        PersonNameForm,
        save,
        "people/add_name.html",
        "The name has been added",
        category=Category.IDENTITY,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_add_address_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    return _person_subform(
        request,
        pk,
        AddressForm,
        services.address_add,
        "people/add_address.html",
        "The address has been added",
        category=Category.CONTACT,
        not_shared=CONTACT_NOT_SHARED,
    )


def _visible_households(actor: Membership | None, memberships: list[HouseholdMember]) -> set:
    """Households the actor may open; the others are listed without a link."""
    ids = [membership.household_id for membership in memberships]
    return set(policy.households_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
@require_GET
def person_family_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """Without family information shared, the page still answers (the tab is always there, so
    the sections stay in the same place) and says it is not shared."""
    actor = request.actor
    person = person_for_page(actor, pk)
    context: dict[str, Any] = {
        "person": person,
        "active_section": "family",
        "shows_family": policy.can_view_category(actor, person, Category.FAMILY_CHILDREN),
    }
    if context["shows_family"]:
        family = person_family(actor=actor, person=person)
        record_read(
            actor=actor, person=person, categories=[Category.FAMILY_CHILDREN], request=request
        )
        context |= {
            "relationships": family["relationships"],
            "household_memberships": family["household_memberships"],
            "visible_households": _visible_households(actor, family["household_memberships"]),
            "can_edit": policy.can_edit_person(actor, person),
            "can_add_household": policy.can_create_person(actor),
        }
    return render(request, "people/family.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def relationship_add_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """Two steps that work without JavaScript: search for the relative, then choose them from
    the results and describe the relationship."""
    actor = request.actor
    person = policy.get_person_for_actor(actor, pk)
    if not policy.can_edit_person(actor, person):
        return forbidden(request, "Your role cannot change people's records.")
    assert actor is not None  # may edit people, so a current member
    if not policy.can_view_category(actor, person, Category.FAMILY_CHILDREN):
        return forbidden(request, FAMILY_NOT_SHARED)
    search = RelativeSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    # The link is recorded on both people's records, so both must share family information.
    choosable = policy.people_with_category(actor, Category.FAMILY_CHILDREN).exclude(pk=person.pk)
    candidates: list[Person] = []
    if query:
        found = person_list(actor=actor, query=query)[:MAX_RELATIVE_SEARCH]
        found = [p for p in found if p.pk != person.pk]
        shared = family_shared_ids(actor, [p.pk for p in found])
        candidates = with_identifiers(
            actor, [p for p in found if p.pk in shared][:RELATIVE_CHOICES]
        )
    form = None
    if query or request.method == "POST":
        form = RelationshipForm(bound_data(request), candidates=candidates, people=choosable)
        if response := run_form(
            request,
            form,
            lambda data: services.relationship_set(
                actor=actor,
                person=person,
                related_person=data["related_person"],
                kind=data["kind"],
                lives_with=data["lives_with"],
                contact_wishes=data["contact_wishes"],
                notes=data["notes"],
            ),
            success_url=reverse("people:family", args=[person.pk]),
            message="The family member has been added",
        ):
            return response
    return render_form(
        request,
        "people/add_relationship.html",
        {
            "person": person,
            "search": search,
            "query": query,
            "candidates": candidates,
            "form": form,
            "can_create": policy.can_create_person(actor),
            "cancel_url": reverse("people:family", args=[pk]),
        },
    )


def _household_choices(actor: Membership, person: Person) -> list[Person]:
    """The person and the relatives whose family information the actor may see: who a new
    household may hold."""
    family = person_family(actor=actor, person=person)
    relatives = [r.related_person for r in family["relationships"] if r.related_visible]
    shared = family_shared_ids(actor, [r.pk for r in relatives])
    return with_identifiers(actor, [person, *(r for r in relatives if r.pk in shared)])


@login_required
@require_http_methods(["GET", "POST"])
def household_create_view(request: AuthenticatedRequest) -> HttpResponse:
    actor = request.actor
    person = policy.get_person_for_actor(actor, request.GET.get("person"))
    if not policy.can_create_person(actor):
        return forbidden(request, "Your role cannot record households.")
    assert actor is not None  # may record households, so a current member
    if not policy.can_view_category(actor, person, Category.FAMILY_CHILDREN):
        return forbidden(request, FAMILY_NOT_SHARED)
    form = HouseholdCreateForm(
        bound_data(request),
        people=_household_choices(actor, person),
        initial={"members": [str(person.pk)]},
    )
    if response := run_form(
        request,
        form,
        lambda data: services.household_create(
            actor=actor, name=data["name"], notes=data["notes"], member_ids=data["members"]
        ),
        success_url=lambda household: reverse("people:household_detail", args=[household.pk]),
        message=lambda household: f"{household.name} has been added",
    ):
        return response
    return render_form(
        request,
        "people/household_form.html",
        {
            "form": form,
            "person": person,
            "cancel_url": reverse("people:family", args=[person.pk]),
        },
    )


@login_required
@require_GET
def household_detail_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    household = policy.get_household_for_actor(actor, pk)
    assert actor is not None  # a member of no organisation sees no household: 404 above
    members = _household_members(actor, household)
    # Only people the actor may change can be marked as having left.
    can_leave = {
        m.pk
        for m in members
        if m.person_visible and m.left_on is None and policy.can_edit_person(actor, m.person)
    }
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "current_members": [m for m in members if m.left_on is None],
            "past_members": [m for m in members if m.left_on is not None],
            "can_leave": can_leave,
            "can_edit": policy.can_create_person(actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_edit_view(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    actor = request.actor
    household = policy.get_household_for_actor(actor, pk)
    if not policy.can_create_person(actor):
        return forbidden(request, "Your role cannot change households.")
    assert actor is not None  # may change households, so a current member
    form = HouseholdForm(
        bound_data(request), initial={"name": household.name, "notes": household.notes}
    )
    if response := run_form(
        request,
        form,
        lambda data: services.household_update(actor=actor, household=household, data=data),
        success_url=reverse("people:household_detail", args=[household.pk]),
        message="The household has been saved",
    ):
        return response
    return render_form(
        request,
        "people/household_edit.html",
        {
            "form": form,
            "household": household,
            "cancel_url": reverse("people:household_detail", args=[pk]),
        },
    )


def _household_members(actor: Membership, household: Household) -> list[HouseholdMember]:
    """Current and past members; only those whose family information the actor may see are
    named (`person_visible`), as living here is family information about each of them."""
    members = household_members(actor=actor, household=household)
    shared = family_shared_ids(actor, [m.person_id for m in members if m.person_visible])
    for member in members:
        member.person_visible = member.person_id in shared
    return members


def _current_visible_member(
    actor: Membership, household: Household, member_pk: UUID
) -> HouseholdMember:
    """A current member the actor may see; anyone else is a 404, so the page never names them."""
    for member in _household_members(actor, household):
        if member.pk == member_pk and member.person_visible and member.left_on is None:
            return member
    raise Http404("No such household member")


@login_required
@require_http_methods(["GET", "POST"])
def household_member_leave_view(
    request: AuthenticatedRequest, pk: UUID, member_pk: UUID
) -> HttpResponse:
    actor = request.actor
    household = policy.get_household_for_actor(actor, pk)
    assert actor is not None  # a member of no organisation sees no household: 404 above
    member = _current_visible_member(actor, household, member_pk)
    if not policy.can_edit_person(actor, member.person):
        return forbidden(request, "Your role cannot change this person's record.")
    form = LeaveHouseholdForm(bound_data(request))

    def onwards(_left: HouseholdMember) -> str:
        if policy.households_visible_to(actor).filter(pk=household.pk).exists():
            return reverse("people:household_detail", args=[household.pk])
        # Nobody the actor can see lives there now, so the household is no longer theirs.
        return reverse("people:family", args=[member.person.pk])

    if response := run_form(
        request,
        form,
        lambda data: services.household_member_leave(
            actor=actor, member=member, left_on=data["left_on"]
        ),
        success_url=onwards,
        message=f"{member.person.full_name} has been marked as having left",
    ):
        return response
    return render_form(
        request,
        "people/household_leave.html",
        {
            "form": form,
            "household": household,
            "member": member,
            "cancel_url": reverse("people:household_detail", args=[pk]),
        },
    )
