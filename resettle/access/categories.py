"""Data categories (DESIGN §4): every sensitive field or record type belongs to one."""

from django.db import models

from resettle.accounts.models import OrganisationKind


class Category(models.TextChoices):
    IDENTITY = "identity", "Identity"
    CONTACT = "contact", "Contact details"
    CUSTODY = "custody", "Custody and licence"
    OFFENCE = "offence", "Offence and sentence"
    RISK_SUITABILITY = "risk_suitability", "Risk and suitability"
    HEALTH = "health", "Health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    FAMILY_CHILDREN = "family_children", "Family and children"
    CASE_NOTES = "case_notes", "Case notes"
    OUTCOMES = "outcomes", "Outcomes"
    # PNC ID, prison number, CRN: they say someone has been through the criminal-justice system.
    CRIMINAL_JUSTICE_IDS = "criminal_justice_ids", "Criminal-justice identifiers"


# Working with someone at all means knowing who they are.
WITH_WORKING_RELATIONSHIP = frozenset({Category.IDENTITY})

# Categories no agreement or consent can open beyond these kinds of organisation;
# only an audited break-glass can.
NEVER_SHARED_BEYOND: dict[str, frozenset[str]] = {
    Category.OFFENCE: frozenset({OrganisationKind.PROBATION, OrganisationKind.PRISON}),
}

# A child's record (under 18) is shared, beyond identity, only with family services.
CHILD_RECORD_KINDS = frozenset({OrganisationKind.FAMILY_SUPPORT})

# Categories a break-glass may open: the restricted ones.
BREAK_GLASS_CATEGORIES = frozenset(
    {
        Category.OFFENCE,
        Category.RISK_SUITABILITY,
        Category.HEALTH,
        Category.SUBSTANCE_USE,
        Category.FAMILY_CHILDREN,
        Category.CASE_NOTES,
    }
)

# What an organisation may still read in a follow-up window an agreement gives, after its work
# with a person ends: enough to follow up outcomes, nothing more.
FOLLOW_UP_CATEGORIES = frozenset({Category.IDENTITY, Category.CONTACT})
