"""Coded values for a person's record. Unknown is a value: every list has "not recorded"
and, where a person may decline, "prefer not to say" (DESIGN §5)."""

from django.db import models

NOT_RECORDED = "not_recorded"
PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_RECORDED = NOT_RECORDED, "Not recorded"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class GenderIdentity(models.TextChoices):
    """Recorded separately from sex (ONS 2021: is it the same as sex registered at birth?)."""

    SAME_AS_SEX = "same_as_sex", "Same as sex registered at birth"
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Another identity"
    NOT_RECORDED = NOT_RECORDED, "Not recorded"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class Pronouns(models.TextChoices):
    HE = "he_him", "He/him"
    SHE = "she_her", "She/her"
    THEY = "they_them", "They/them"
    OTHER = "other", "Other"
    NOT_RECORDED = NOT_RECORDED, "Not recorded"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class Ethnicity(models.TextChoices):
    """ONS 2021 Census ethnic groups (England and Wales), grouped by their high-level heading."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = (
        "black_other",
        "Black, Black British, Caribbean or African: any other Black background",
    )
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple ethnic groups: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or multiple ethnic groups: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple ethnic groups: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple ethnic groups: any other Mixed background"
    WHITE_BRITISH = (
        "white_british",
        "White: English, Welsh, Scottish, Northern Irish or British",
    )
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    NOT_RECORDED = NOT_RECORDED, "Not recorded"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class Disability(models.TextChoices):
    """Equality Act definition, as the ONS harmonised question asks it."""

    YES_A_LOT = "yes_a_lot", "Yes, day-to-day activities limited a lot"
    YES_A_LITTLE = "yes_a_little", "Yes, day-to-day activities limited a little"
    NO = "no", "No"
    NOT_RECORDED = NOT_RECORDED, "Not recorded"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class IdentifierScheme(models.TextChoices):
    PRISON_NUMBER = "prison_number", "Prison number"
    CRN = "crn", "Probation case reference (CRN)"
    PNC = "pnc", "PNC ID"
    NI_NUMBER = "ni_number", "National Insurance number"


class NameKind(models.TextChoices):
    ALIAS = "alias", "Alias"
    PREVIOUS = "previous", "Previous name"
    KNOWN_AS = "known_as", "Also known as"


class AddressKind(models.TextChoices):
    HOME = "home", "Home"
    TEMPORARY = "temporary", "Temporary accommodation"
    APPROVED_PREMISES = "approved_premises", "Approved premises"
    NO_FIXED_ABODE = "no_fixed_abode", "No fixed abode"
    OTHER = "other", "Other"


class RelationshipKind(models.TextChoices):
    PARTNER = "partner", "Partner"
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    CARER = "carer", "Carer"
    SIBLING = "sibling", "Sibling"
    OTHER = "other", "Other"


# What the other side of a relationship is, seen from the related person.
RELATIONSHIP_INVERSE: dict[str, RelationshipKind] = {
    RelationshipKind.PARTNER: RelationshipKind.PARTNER,
    RelationshipKind.PARENT: RelationshipKind.CHILD,
    RelationshipKind.CHILD: RelationshipKind.PARENT,
    RelationshipKind.CARER: RelationshipKind.OTHER,
    RelationshipKind.SIBLING: RelationshipKind.SIBLING,
    RelationshipKind.OTHER: RelationshipKind.OTHER,
}


class ContactWishes(models.TextChoices):
    """The person's own wishes about contact with the related person."""

    HAPPY = "happy", "Happy to have contact"
    THROUGH_WORKER = "through_worker", "Only through a worker"
    NO_CONTACT = "no_contact", "No contact wanted"
    NOT_RECORDED = NOT_RECORDED, "Not recorded"
