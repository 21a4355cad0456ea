"""Every stored field of every project model has a data category, or is marked as not one."""

import pytest
from django.apps import apps

from resettle.access import registry
from resettle.access.categories import Category
from resettle.people.choices import IdentifierScheme


def _project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("resettle.")]


def test_every_concrete_field_of_every_project_model_is_classified():
    unclassified = [
        f"{model._meta.label}.{field.name}"
        for model in _project_models()
        for field in model._meta.concrete_fields
        if field.name not in registry.REGISTRY.get(model._meta.label, {})
    ]
    assert not unclassified, (
        "Place these fields in resettle/access/registry.py REGISTRY (a data category, or "
        "NOT_PERSONAL / STAFF / ACCESS_RECORD / BY_SCHEME):\n  " + "\n  ".join(unclassified)
    )


def test_the_registry_names_no_field_or_model_that_does_not_exist():
    fields = {
        model._meta.label: {field.name for field in model._meta.concrete_fields}
        for model in _project_models()
    }
    stale = [
        f"{label}.{name}"
        for label, placed in registry.REGISTRY.items()
        for name in placed
        if name not in fields.get(label, set())
    ]
    assert not stale, "Remove these from the registry: " + ", ".join(stale)


def test_every_identifier_scheme_has_a_category():
    assert set(registry.IDENTIFIER_SCHEMES) == set(IdentifierScheme.values)


def test_pnc_prison_number_and_crn_are_criminal_justice_identifiers_and_ni_is_identity():
    for scheme in ("pnc", "prison_number", "crn"):
        assert registry.identifier_category(scheme) == Category.CRIMINAL_JUSTICE_IDS
    assert registry.identifier_category("ni_number") == Category.IDENTITY
    assert registry.identifier_schemes_in({Category.IDENTITY}) == ["ni_number"]


def test_a_field_placed_twice_is_refused():
    with pytest.raises(ValueError, match="name is classified twice"):
        registry._fields((Category.IDENTITY, "name"), (Category.CONTACT, "name"))


def test_visible_fields_keep_the_categories_given_and_what_is_not_personal():
    shown = registry.visible_fields(
        "custody.CustodyPeriod",
        {Category.CUSTODY},
        ["id", "released_on", "licence_conditions", "recall_reason"],
    )
    assert shown == ["id", "released_on"]
    assert registry.fields_in("custody.CustodyPeriod", {Category.OFFENCE}) == ["recall_reason"]


@pytest.mark.parametrize(
    ("label", "field", "category"),
    [
        ("custody.CustodyPeriod", "person", Category.CUSTODY),
        ("custody.CustodyPeriod", "licence_conditions", Category.RISK_SUITABILITY),
        ("custody.CustodyPeriod", "recall_reason", Category.OFFENCE),
        ("contacts.Contact", "person", Category.CASE_NOTES),
        ("plans.Goal", "person", Category.OUTCOMES),
        ("plans.PlanReview", "person", Category.OUTCOMES),
        ("suitability.SuitabilityAssessment", "person", Category.RISK_SUITABILITY),
    ],
)
def test_a_records_category_is_its_link_to_the_persons_and_a_fields_its_own(label, field, category):
    assert registry.category_of(label, field) == category


def test_a_field_with_rules_of_its_own_has_no_category_to_read_it_by():
    with pytest.raises(ValueError, match="not a data category"):
        registry.category_of("referrals.Referral")
    with pytest.raises(KeyError):
        registry.category_of("custody.CustodyPeriod", "no_such_field")
