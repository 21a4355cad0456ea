"""The service directory: what each organisation offers, who it is for and how to get in
(seed: partners did not know whether an activity was open to all or by referral only).

Field names follow Open Referral UK where there is one, so the ORUK feed is a plain mapping."""

import re
from datetime import date

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from resettle.accounts.models import Organisation
from resettle.core.models import TimestampedModel
from resettle.core.pathways import validate_pathways
from resettle.lib.postcodes import normalise_postcode

# A postcode district (outward code): the Royal Mail format's first half, e.g. NS1, SW1A, M1.
_DISTRICT = re.compile(
    r"^([A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y]))$"
)


def normalise_districts(values) -> list[str]:
    """Postcode districts upper-cased, once each, in the order given; a ValidationError names
    those that are not districts."""
    if not isinstance(values, list):
        raise ValidationError("Postcode districts must be a list")
    cleaned: list[str] = []
    invalid: list[str] = []
    for value in values:
        district = re.sub(r"\s+", "", str(value)).upper()
        if not district:
            continue
        if not _DISTRICT.match(district):
            invalid.append(str(value).strip())
        elif district not in cleaned:
            cleaned.append(district)
    if invalid:
        raise ValidationError(
            f"Enter postcode districts like NS1 or SW1A, not whole postcodes: {', '.join(invalid)}"
        )
    return cleaned


def normalise_rrule(value: str) -> str:
    """An RFC 5545 recurrence rule, without its `RRULE:` prefix, upper-cased; a ValidationError
    when dateutil cannot read it or it is not a single rule."""
    rule = re.sub(r"\s+", "", value or "").upper().removeprefix("RRULE:")
    if not rule:
        raise ValidationError("Enter how often the session runs")
    if not rule.startswith("FREQ=") and ";FREQ=" not in rule:
        raise ValidationError("A recurrence rule must say how often it repeats, e.g. FREQ=WEEKLY")
    if any(part in rule for part in ("DTSTART", "RRULE:", "EXDATE", "RDATE")):
        raise ValidationError("Enter one recurrence rule, like FREQ=WEEKLY;BYDAY=TU")
    try:
        rrulestr(rule)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            "Enter a valid recurrence rule (RFC 5545), like FREQ=WEEKLY;BYDAY=TU"
        ) from exc
    return rule


class Access(models.TextChoices):
    OPEN = "open", "Open to all"
    REFERRAL_ONLY = "referral_only", "By referral only"
    BOTH = "both", "Open to all, or by referral"


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


class EligibleGender(models.TextChoices):
    ANY = "any", "Anyone"
    WOMEN = "women", "Women only"
    MEN = "men", "Men only"


class CustodyEligibility(models.TextChoices):
    """Where the person must be in their journey through the gate."""

    ANY = "any", "Any"
    PRE_RELEASE = "pre_release", "In custody, within the release window"
    IN_CUSTODY = "in_custody", "In custody"
    RELEASED = "released", "Released (in the community)"
    ON_LICENCE = "on_licence", "On licence"
    FAMILY_MEMBER = "family_member", "Family members of people in or leaving prison"


class Service(TimestampedModel):
    """One thing an organisation offers (a weekly football session, a housing advice line)."""

    # Set for display by the directory pages (directory/views.py); not stored.
    pathway_labels: list[str]
    full: bool
    places_left: int | None

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(validators=[MaxLengthValidator(4000)])
    who_it_is_for = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    access = models.CharField(max_length=20, choices=Access.choices)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    pathways = models.JSONField(default=list, validators=[validate_pathways])
    # Eligibility rules. Empty or "any" means no rule of that kind.
    minimum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    eligible_gender = models.CharField(
        max_length=10, choices=EligibleGender.choices, default=EligibleGender.ANY
    )
    postcode_districts = models.JSONField(
        default=list,
        blank=True,
        help_text='Outward codes served, e.g. ["NS1", "NS2"]; empty: anywhere.',
    )
    custody_status = models.CharField(
        max_length=20, choices=CustodyEligibility.choices, default=CustodyEligibility.ANY
    )
    release_window_weeks = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
        help_text="For pre-release services: weeks before the expected release date.",
    )
    cost = models.CharField(max_length=200, blank=True, help_text="Empty means free.")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="People supported at once; empty means no limit."
    )
    has_waiting_list = models.BooleanField(default=True)
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="service_name_unique"),
            models.CheckConstraint(
                condition=Q(access__in=Access.values), name="service_access_valid"
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=F("maximum_age")),
                name="service_ages_in_order",
            ),
        ]
        indexes = [models.Index(fields=["access", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        """Open services are listed on the public directory and in the ORUK feed."""
        return self.status == ServiceStatus.ACTIVE and self.access in (Access.OPEN, Access.BOTH)

    def clean(self) -> None:
        errors = {}
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.minimum_age > self.maximum_age
        ):
            errors["maximum_age"] = "Maximum age must be the same as or more than the minimum age"
        if self.custody_status == CustodyEligibility.PRE_RELEASE and not self.release_window_weeks:
            errors["release_window_weeks"] = (
                "Enter how many weeks before release the service starts"
            )
        try:
            self.postcode_districts = normalise_districts(self.postcode_districts)
        except ValidationError as exc:
            errors["postcode_districts"] = exc.messages[0]
        if errors:
            raise ValidationError(errors)


class Location(TimestampedModel):
    """Where a service is delivered."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="locations"
    )
    name = models.CharField(max_length=200)
    address_line_1 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    # The county or equivalent area (a unitary authority, a metropolitan borough): Open Referral
    # UK requires it of every address, as `state_province`.
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    accessibility = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    transport = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    services = models.ManyToManyField(Service, blank=True, related_name="locations")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.postcode:
            try:
                self.postcode = normalise_postcode(self.postcode)
            except ValueError as exc:
                raise ValidationError({"postcode": str(exc)}) from exc


class Schedule(TimestampedModel):
    """When a service runs: a regular session as an RFC 5545 recurrence rule (ORUK `schedule`),
    e.g. FREQ=WEEKLY;BYDAY=TU for every Tuesday."""

    # Set for display by the directory pages (directory/views.py); not stored.
    words: str
    upcoming: list[date]
    ended: bool

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedules"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    rrule = models.CharField(max_length=200, help_text="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=TU")
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["valid_from", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="schedule_times_in_order"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="schedule_dates_in_order",
            ),
        ]

    def clean(self) -> None:
        errors = {}
        try:
            self.rrule = normalise_rrule(self.rrule)
        except ValidationError as exc:
            errors["rrule"] = exc.messages[0]
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = "The finish time must be after the start time"
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = "The last date must be the same as or after the first date"
        if errors:
            raise ValidationError(errors)


class Taxonomy(TimestampedModel):
    """A vocabulary of terms (ORUK `taxonomy`): Resettle's pathways, or an imported one."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(TimestampedModel):
    """One term (ORUK `taxonomy_term`); services are tagged with terms."""

    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    services = models.ManyToManyField(Service, blank=True, related_name="taxonomy_terms")

    class Meta:
        ordering = ["taxonomy__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="taxonomy_term_code_unique")
        ]

    def __str__(self) -> str:
        return self.name
