from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.lib.identifiers import normalise_identifier
from resettle.lib.names import letters_key, name_key, validate_name
from resettle.lib.postcodes import normalise_postcode
from resettle.people import choices

MAX_AGE_YEARS = 120


def validate_date_of_birth(value: date) -> None:
    today = date.today()
    if value > today:
        raise ValidationError("Date of birth must be in the past")
    if value < today.replace(year=today.year - MAX_AGE_YEARS):
        raise ValidationError(f"Date of birth must be within the last {MAX_AGE_YEARS} years")


def _choice_check(field: str, values: list[str]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": values}), name=f"person_{field}_valid"
    )


class Person(TimestampedModel):
    """Anyone Resettle holds a record about: a person leaving prison, a family member, a child."""

    given_name = models.CharField(max_length=100, validators=[validate_name])
    middle_names = models.CharField(max_length=200, blank=True, validators=[validate_name])
    family_name = models.CharField(max_length=100, validators=[validate_name])
    preferred_name = models.CharField(max_length=100, blank=True, validators=[validate_name])
    date_of_birth = models.DateField(
        null=True,
        blank=True,
        validators=[validate_date_of_birth],
        help_text="Empty means not recorded.",
    )
    sex = models.CharField(max_length=30, choices=choices.Sex.choices, default=choices.NOT_RECORDED)
    gender_identity = models.CharField(
        max_length=30, choices=choices.GenderIdentity.choices, default=choices.NOT_RECORDED
    )
    gender_identity_description = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(
        max_length=30, choices=choices.Pronouns.choices, default=choices.NOT_RECORDED
    )
    pronouns_description = models.CharField(max_length=50, blank=True)
    ethnicity = models.CharField(
        max_length=40, choices=choices.Ethnicity.choices, default=choices.NOT_RECORDED
    )
    disability = models.CharField(
        max_length=30, choices=choices.Disability.choices, default=choices.NOT_RECORDED
    )
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    # Search keys, kept in step with the names on save; indexed for fuzzy look-up.
    given_key = models.CharField(max_length=100, editable=False)
    family_key = models.CharField(max_length=100, editable=False)
    family_letters = models.CharField(max_length=100, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    if TYPE_CHECKING:
        # Put on an instance for one answer, never stored: what of the record the actor may
        # see (api.endpoints.people), and the identifiers shown to them (Prefetch to_attr,
        # people.categories.shown_identifiers_for).
        categories: frozenset[str]
        contact_shared: bool
        shown_identifiers: list["Identifier"]

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
            # "Recently updated" lists: newest first, read in order and stopped at the limit.
            models.Index(
                fields=["-updated_at", "family_name", "given_name"], name="person_recent_idx"
            ),
            # Search keys with the id: a key's people are read from the index alone.
            models.Index(fields=["family_key", "id"], name="person_family_key_idx"),
            models.Index(fields=["given_key", "id"], name="person_given_key_idx"),
            models.Index(fields=["family_letters", "id"], name="person_family_letters_idx"),
        ]
        constraints = [
            _choice_check("sex", choices.Sex.values),
            _choice_check("gender_identity", choices.GenderIdentity.values),
            _choice_check("pronouns", choices.Pronouns.values),
            _choice_check("ethnicity", choices.Ethnicity.values),
            _choice_check("disability", choices.Disability.values),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.set_search_keys()
        super().save(*args, **kwargs)

    def set_search_keys(self) -> None:
        """Call before bulk_create, which skips save()."""
        self.given_key = name_key(self.given_name)
        self.family_key = name_key(self.family_name)
        self.family_letters = letters_key(self.family_name)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.given_name:
            return f"{self.full_name} ({self.preferred_name})"
        return self.full_name

    def age_on(self, on: date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def age(self) -> int | None:
        return self.age_on(date.today())

    @property
    def is_child(self) -> bool:
        age = self.age
        return age is not None and age < 18


class PersonName(TimestampedModel):
    """An alias or previous name, kept so search finds the person by it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=20, choices=choices.NameKind.choices)
    given_name = models.CharField(max_length=100, blank=True, validators=[validate_name])
    family_name = models.CharField(max_length=100, validators=[validate_name])
    given_key = models.CharField(max_length=100, editable=False, db_index=True)
    family_key = models.CharField(max_length=100, editable=False, db_index=True)
    family_letters = models.CharField(max_length=100, editable=False, db_index=True)

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def save(self, *args, **kwargs) -> None:
        self.set_search_keys()
        super().save(*args, **kwargs)

    def set_search_keys(self) -> None:
        self.given_key = name_key(self.given_name)
        self.family_key = name_key(self.family_name)
        self.family_letters = letters_key(self.family_name)


class Identifier(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=20, choices=choices.IdentifierScheme.choices)
    value = models.CharField(max_length=20)

    class Meta:
        ordering = ["scheme"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="identifier_unique_value"),
            models.UniqueConstraint(fields=["person", "scheme"], name="identifier_one_per_scheme"),
            models.CheckConstraint(
                condition=Q(scheme__in=choices.IdentifierScheme.values),
                name="identifier_scheme_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()}: {self.value}"

    def clean(self) -> None:
        try:
            self.value = normalise_identifier(self.scheme, self.value)
        except ValueError as exc:
            raise ValidationError({"value": str(exc)}) from exc


class Address(TimestampedModel):
    """Where a person lives or lived. Dated rows: a move adds an address, never overwrites one."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=30, choices=choices.AddressKind.choices)
    line_1 = models.CharField(max_length=200, blank=True)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-from_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_date__isnull=True)
                | Q(from_date__isnull=True)
                | Q(to_date__gte=models.F("from_date")),
                name="address_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in [self.line_1, self.line_2, self.town, self.postcode] if p)

    def clean(self) -> None:
        if self.kind != choices.AddressKind.NO_FIXED_ABODE and not (self.line_1 and self.postcode):
            raise ValidationError("Enter the first line of the address and the postcode")
        if self.postcode:
            try:
                self.postcode = normalise_postcode(self.postcode)
            except ValueError as exc:
                raise ValidationError({"postcode": str(exc)}) from exc
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise ValidationError({"to_date": "The end date must be on or after the start date"})


class Household(TimestampedModel):
    name = models.CharField(max_length=200)
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HouseholdMember(TimestampedModel):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="household_memberships"
    )
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    if TYPE_CHECKING:
        # Put on an instance for one page, never stored: whether the actor may see this
        # member (people.views).
        person_visible: bool

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"],
                condition=Q(left_on__isnull=True),
                name="household_member_once_current",
            )
        ]


class Relationship(TimestampedModel):
    """`related_person` is the person's `kind` (their child, partner, ...), with the person's
    own wishes about contact with them. Each link is stored from both sides."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    related_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=choices.RelationshipKind.choices)
    lives_with = models.BooleanField(default=False)
    contact_wishes = models.CharField(
        max_length=20, choices=choices.ContactWishes.choices, default=choices.NOT_RECORDED
    )
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])

    if TYPE_CHECKING:
        # Put on an instance for one page, never stored: whether the actor may see the related
        # person (people.selectors).
        related_visible: bool

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "related_person"], name="relationship_one_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(person=models.F("related_person")), name="relationship_not_self"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=choices.RelationshipKind.values),
                name="relationship_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.related_person} ({self.get_kind_display()})"


class WorkingRelationship(TimestampedModel):
    """An organisation working with a person, from start to end. Access to a person's record
    rests on it (DESIGN §4); cases and accepted referrals will add their own later."""

    # Indexed by working_rel_person_idx, which leads with the person.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="working_relationships", db_index=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="working_relationships"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocated_people",
        help_text="The worker or mentor in this organisation allocated to the person.",
    )

    class Meta:
        indexes = [
            # Who an organisation works with today (policy.people_visible_to): the organisation,
            # then open or later-ending rows, read from the index alone (most rows have ended).
            models.Index(
                fields=["organisation", "ended_on", "started_on", "person"],
                name="working_rel_current_idx",
            ),
            # Whether one person is the organisation's (the EXISTS of people_visible_to, for
            # each candidate of a search): answered from the index alone.
            models.Index(
                fields=["person", "organisation", "started_on", "ended_on"],
                name="working_rel_person_idx",
            ),
            # A peer mentor's people: those allocated to them, read from the index alone.
            models.Index(
                fields=["allocated_to", "organisation", "ended_on", "started_on", "person"],
                name="working_rel_allocated_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"],
                condition=Q(ended_on__isnull=True),
                name="working_relationship_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="working_relationship_dates_in_order",
            ),
        ]


class PersonMerge(TimestampedModel):
    """Two records of one person made one by an organisation that alone holds both: `merged`'s
    rows moved to `survivor` (each listed in `rows`), and `merged` kept, emptied, for as long as
    the merge stands (a live merge is the mark that the record was merged). Undoing it puts every
    listed row back and restores `merged` as `person_fields` recorded it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(validators=[MaxLengthValidator(2000)])
    # The merged record's own fields as they were, each as its field's text (None for null).
    person_fields = models.JSONField(default=dict)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unmerge_reason = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    # What undoing it left on the survivor (made there after the merge) and what it could not
    # put back (rows since deleted): kind -> how many.
    kept_on_survivor = models.JSONField(default=dict, blank=True)
    not_restored = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A record is merged into one other at a time; undone merges stay as history.
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(unmerged_at__isnull=True),
                name="person_merge_once_live",
            ),
            models.CheckConstraint(
                condition=~Q(survivor=models.F("merged")), name="person_merge_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} merged into {self.survivor_id}"

    @property
    def undone(self) -> bool:
        return self.unmerged_at is not None


class MergedRowAction(models.TextChoices):
    MOVED = "moved", "Moved to the survivor"
    REMOVED = "removed", "Removed as a duplicate of the survivor's"


class MergedRow(models.Model):
    """One row a merge moved from the merged record to the survivor (by `field_name`), or removed
    because the survivor already held its like (kept whole in `snapshot`, each field as its
    text, to be put back exactly)."""

    id = models.BigAutoField(primary_key=True)
    merge = models.ForeignKey(PersonMerge, on_delete=models.CASCADE, related_name="rows")
    model_label = models.CharField(max_length=100, help_text="app_label.ModelName")
    object_id = models.CharField(max_length=64)
    field_name = models.CharField(max_length=100)
    action = models.CharField(max_length=10, choices=MergedRowAction.choices)
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merge", "model_label", "object_id", "field_name"], name="merged_row_once"
            ),
            models.CheckConstraint(
                condition=Q(action__in=MergedRowAction.values), name="merged_row_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model_label} {self.object_id} ({self.action})"
