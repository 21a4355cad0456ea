"""Typed request and response shapes; the OpenAPI schema is generated from them (DESIGN §6)."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import Field, field_validator

from resettle.accounts.models import OrganisationKind
from resettle.api.base import ApiSchema
from resettle.api.paging import page_schema
from resettle.people import choices
from resettle.people.models import Address, Person

# The default of a field that may be left out of an update but not sent as null: None, which
# pydantic never validates against the field's type. Typed Any so the type stays non-null.
LEFT_OUT: Any = None


class Problem(ApiSchema):
    """RFC 9457 problem details, sent as `application/problem+json`."""

    type: str = Field(examples=["about:blank"])
    title: str = Field(examples=["Bad Request"])
    status: int = Field(examples=[400])
    detail: str
    instance: str = Field(description="The path of the request that failed.")
    errors: list["FieldError"] | None = Field(
        None, description="For invalid input: one entry per problem with a field."
    )


class FieldError(ApiSchema):
    field: str | None = Field(
        description="Dotted path of the field as sent (`identifiers.0.value`); null when the "
        "problem is with the request as a whole."
    )
    message: str


Problem.model_rebuild()


# People ------------------------------------------------------------------------------------


class IdentifierSchema(ApiSchema):
    scheme: choices.IdentifierScheme
    value: str = Field(max_length=30, examples=["A1234BC"])


class AliasOut(ApiSchema):
    kind: choices.NameKind
    given_name: str
    family_name: str


class AddressOut(ApiSchema):
    kind: choices.AddressKind
    line_1: str
    line_2: str
    town: str
    postcode: str
    from_date: date | None
    to_date: date | None


class AddressIn(ApiSchema):
    kind: choices.AddressKind
    line_1: str = Field("", max_length=200)
    line_2: str = Field("", max_length=200)
    town: str = Field("", max_length=100)
    postcode: str = Field("", max_length=10, examples=["NE1 4ST"])
    from_date: date | None = None


class PersonOut(ApiSchema):
    id: UUID
    given_name: str
    middle_names: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None = Field(description="Null means not recorded.")
    is_child: bool
    sex: choices.Sex
    gender_identity: choices.GenderIdentity
    gender_identity_description: str
    pronouns: choices.Pronouns
    pronouns_description: str
    ethnicity: choices.Ethnicity
    disability: choices.Disability
    phone: str | None = Field(
        description="Empty when not recorded; null when contact details are not shared with "
        "your organisation."
    )
    email: str | None = Field(
        description="Empty when not recorded; null when contact details are not shared with "
        "your organisation."
    )
    identifiers: list[IdentifierSchema]
    aliases: list[AliasOut] = Field(description="Aliases and previous names.")
    address: AddressOut | None = Field(
        description="The current address; null when none is recorded or when contact details "
        "are not shared with your organisation (then `phone` and `email` are null too)."
    )
    created_at: datetime
    updated_at: datetime

    # Endpoints set `contact_shared` on the person from the access policy before answering;
    # a person without it is treated as not shared, so forgetting to ask hides, never leaks.
    @staticmethod
    def resolve_phone(person: Person) -> str | None:
        return person.phone if _contact_shared(person) else None

    @staticmethod
    def resolve_email(person: Person) -> str | None:
        return person.email if _contact_shared(person) else None

    @staticmethod
    def resolve_identifiers(person: Person) -> list:
        # Only those prefetched as the actor may see them (people.categories.shown_identifiers_*).
        return list(getattr(person, "shown_identifiers", []))

    @staticmethod
    def resolve_aliases(person: Person) -> list:
        return list(person.other_names.all())

    @staticmethod
    def resolve_address(person: Person) -> Address | None:
        if not _contact_shared(person):
            return None
        # Uses the prefetched addresses, newest first, so a list costs no query per person.
        return next((a for a in person.addresses.all() if a.to_date is None), None)


def _contact_shared(person: Person) -> bool:
    return getattr(person, "contact_shared", False) is True


PersonPage = page_schema("PersonPage", PersonOut)


def _schemes_once(identifiers: list[IdentifierSchema] | None) -> list[IdentifierSchema] | None:
    if identifiers is not None:
        schemes = [i.scheme for i in identifiers]
        if len(schemes) != len(set(schemes)):
            raise ValueError("Give each identifier scheme at most once")
    return identifiers


class PersonCreate(ApiSchema):
    given_name: str = Field(min_length=1, max_length=100, pattern=r"\S")
    middle_names: str = Field("", max_length=200)
    family_name: str = Field(min_length=1, max_length=100, pattern=r"\S")
    preferred_name: str = Field("", max_length=100)
    date_of_birth: date | None = None
    sex: choices.Sex = choices.Sex.NOT_RECORDED
    gender_identity: choices.GenderIdentity = choices.GenderIdentity.NOT_RECORDED
    gender_identity_description: str = Field("", max_length=100)
    pronouns: choices.Pronouns = choices.Pronouns.NOT_RECORDED
    pronouns_description: str = Field("", max_length=50)
    ethnicity: choices.Ethnicity = choices.Ethnicity.NOT_RECORDED
    disability: choices.Disability = choices.Disability.NOT_RECORDED
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    identifiers: list[IdentifierSchema] = Field(
        default_factory=list, description="At most one per scheme."
    )
    address: AddressIn | None = Field(None, description="Where the person lives now.")

    _identifiers_once = field_validator("identifiers")(_schemes_once)


class PersonUpdate(ApiSchema):
    """Send only the fields to change. `identifiers`, when sent, replaces the whole set."""

    # A default of None (LEFT_OUT) with a non-null type: the field may be left out but not sent
    # as null.
    given_name: str = Field(LEFT_OUT, max_length=100)
    middle_names: str = Field(LEFT_OUT, max_length=200)
    family_name: str = Field(LEFT_OUT, max_length=100)
    preferred_name: str = Field(LEFT_OUT, max_length=100)
    date_of_birth: date | None = None
    sex: choices.Sex = LEFT_OUT
    gender_identity: choices.GenderIdentity = LEFT_OUT
    gender_identity_description: str = Field(LEFT_OUT, max_length=100)
    pronouns: choices.Pronouns = LEFT_OUT
    pronouns_description: str = Field(LEFT_OUT, max_length=50)
    ethnicity: choices.Ethnicity = LEFT_OUT
    disability: choices.Disability = LEFT_OUT
    phone: str = Field(LEFT_OUT, max_length=30)
    email: str = Field(LEFT_OUT, max_length=254)
    identifiers: list[IdentifierSchema] = LEFT_OUT

    _identifiers_once = field_validator("identifiers")(_schemes_once)


class PersonFilters(ApiSchema):
    q: str = Field(
        "", max_length=200, description="Name (typos and nicknames allowed) or an identifier."
    )
    date_of_birth: date | None = None


# Households --------------------------------------------------------------------------------


class HouseholdMemberOut(ApiSchema):
    person: UUID
    joined_on: date | None
    left_on: date | None = Field(description="Null while they still live there.")


class HouseholdOut(ApiSchema):
    id: UUID
    name: str
    notes: str
    members: list[HouseholdMemberOut] = Field(
        description="Members whose family information is shared with your organisation."
    )
    other_members_count: int = Field(
        description="Members whose family information is not shared with your organisation: "
        "counted, never named."
    )
    created_at: datetime
    updated_at: datetime


HouseholdPage = page_schema("HouseholdPage", HouseholdOut)


class HouseholdCreate(ApiSchema):
    name: str = Field(max_length=200)
    notes: str = Field("", max_length=2000)
    members: list[UUID] = Field(
        min_length=1, description="Ids of people in your caseload who live there."
    )


class HouseholdUpdate(ApiSchema):
    name: str = Field(LEFT_OUT, max_length=200)
    notes: str = Field(LEFT_OUT, max_length=2000)


# Organisations -----------------------------------------------------------------------------


class OrganisationOut(ApiSchema):
    id: UUID
    name: str
    kind: OrganisationKind
    description: str
    email: str
    phone: str
    created_at: datetime
    updated_at: datetime


OrganisationPage = page_schema("OrganisationPage", OrganisationOut)


class OrganisationCreate(ApiSchema):
    name: str = Field(max_length=200)
    kind: OrganisationKind
    description: str = Field("", max_length=2000)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)


class OrganisationUpdate(ApiSchema):
    name: str = Field(LEFT_OUT, max_length=200)
    kind: OrganisationKind = LEFT_OUT
    description: str = Field(LEFT_OUT, max_length=2000)
    email: str = Field(LEFT_OUT, max_length=254)
    phone: str = Field(LEFT_OUT, max_length=30)
