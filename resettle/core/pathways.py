"""Resettlement pathways (DESIGN glossary): the needs support is organised around. Services,
referrals, goals and contacts are all tagged with them, so one list serves every app."""

from django.core.exceptions import ValidationError
from django.db import models


class Pathway(models.TextChoices):
    ACCOMMODATION = "accommodation", "Accommodation"
    EDUCATION_EMPLOYMENT = "education_employment", "Education, training and employment"
    HEALTH = "health", "Health (including mental health)"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs and alcohol"
    FINANCE_BENEFIT_ID = "finance_benefit_id", "Finance, benefit, debt and ID"
    CHILDREN_FAMILIES = "children_families", "Children and families"
    ATTITUDES_BEHAVIOUR = "attitudes_behaviour", "Attitudes, thinking and behaviour"
    SPORT = "sport", "Sport and physical activity"
    MENTORING = "mentoring", "Mentoring"


def validate_pathways(values) -> None:
    """For JSON lists of pathway values: every item must be a known pathway, no repeats."""
    if not isinstance(values, list):
        raise ValidationError("Pathways must be a list")
    unknown = [v for v in values if v not in Pathway.values]
    if unknown:
        raise ValidationError(f"Unknown pathway: {', '.join(map(str, unknown))}")
    if len(set(values)) != len(values):
        raise ValidationError("A pathway is listed twice")
