"""Custody periods (DESIGN glossary): from remand or sentence to release; a recall returns a
released person to custody and a further release ends that spell. One period holds the whole
sentence, its releases and recalls as dated `CustodyEvent` rows, so nothing is overwritten."""

from datetime import date

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q

from resettle.core.models import TimestampedModel
from resettle.core.pathways import Pathway
from resettle.people.models import Person


class CustodyKind(models.TextChoices):
    REMAND = "remand", "Remand"
    SENTENCE = "sentence", "Sentence"


class ReleaseType(models.TextChoices):
    CONDITIONAL = "conditional", "Conditional release (on licence)"
    AUTOMATIC = "automatic", "Automatic release (end of sentence)"
    HOME_DETENTION_CURFEW = "hdc", "Home detention curfew"
    PAROLE = "parole", "Parole"
    BAIL = "bail", "Bail (from remand)"
    END_OF_REMAND = "end_of_remand", "Released from remand (acquitted or non-custodial)"
    OTHER = "other", "Other"


class RecallReason(models.TextChoices):
    """Coded, never free text: the detail of a recall is offence information."""

    BREACH_OF_CONDITIONS = "breach_of_conditions", "Breach of licence conditions"
    FURTHER_OFFENCE = "further_offence", "Charged with a further offence"
    OUT_OF_TOUCH = "out_of_touch", "Failed to keep in touch"
    RISK_ESCALATION = "risk_escalation", "Escalating risk"
    OTHER = "other", "Other"


class CustodyPeriod(TimestampedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="custody_periods")
    kind = models.CharField(max_length=20, choices=CustodyKind.choices)
    start_date = models.DateField()
    establishment = models.CharField(max_length=200)
    expected_release_date = models.DateField(null=True, blank=True)
    conditional_release_date = models.DateField(null=True, blank=True)
    licence_end_date = models.DateField(null=True, blank=True)
    supervision_end_date = models.DateField(
        null=True, blank=True, help_text="Post-sentence supervision end."
    )
    # Licence conditions are shown only where the risk & suitability category is visible.
    licence_conditions = models.TextField(blank=True, validators=[MaxLengthValidator(4000)])
    # The latest release and recall; each is also a CustodyEvent. `in_custody` is derived.
    released_on = models.DateField(null=True, blank=True)
    release_type = models.CharField(max_length=20, choices=ReleaseType.choices, blank=True)
    recalled_on = models.DateField(null=True, blank=True)
    recall_reason = models.CharField(max_length=30, choices=RecallReason.choices, blank=True)
    # The period is over (licence and supervision ended, or remand ended) when this is set.
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CustodyKind.values), name="custody_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | Q(released_on__gte=F("start_date")),
                name="custody_release_after_start",
            ),
            models.CheckConstraint(
                condition=Q(expected_release_date__isnull=True)
                | Q(expected_release_date__gte=F("start_date")),
                name="custody_expected_release_after_start",
            ),
            # A recall needs a release before it, and its reason goes with it.
            models.CheckConstraint(
                condition=Q(recalled_on__isnull=True) | Q(released_on__isnull=False),
                name="custody_recall_after_a_release",
            ),
            models.CheckConstraint(
                condition=Q(recalled_on__isnull=False) | Q(recall_reason=""),
                name="custody_recall_reason_with_recall",
            ),
            # Periods may not overlap: at most one period per person is in custody at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(released_on__isnull=True) | Q(recalled_on__gt=F("released_on")),
                name="custody_one_in_custody_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["expected_release_date"]),
            models.Index(fields=["person", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date:%d %b %Y}"

    def get_constraints(self):
        # Django's Python check of a partial unique constraint whose condition compares two
        # nullable columns misfires on released periods. The database enforces it, and the
        # services explain an overlap in words before it could be reached.
        return [
            (model, [c for c in constraints if c.name != "custody_one_in_custody_per_person"])
            for model, constraints in super().get_constraints()
        ]

    @property
    def expected_release_still_due(self) -> date | None:
        """The expected release date while it still says something: not after the release it
        expected, nor once a recall has overtaken it."""
        if not self.in_custody:
            return None
        if (
            self.recalled_on is not None
            and self.expected_release_date is not None
            and self.expected_release_date <= self.recalled_on
        ):
            return None
        return self.expected_release_date

    @property
    def in_custody(self) -> bool:
        """In custody unless released since the last recall."""
        if self.released_on is None:
            return True
        return self.recalled_on is not None and self.recalled_on > self.released_on


class CustodyEventKind(models.TextChoices):
    STARTED = "started", "Into custody"
    RELEASED = "released", "Released"
    RECALLED = "recalled", "Recalled"
    ENDED = "ended", "Period ended"


class CustodyEvent(TimestampedModel):
    """One dated step of a custody period: the timeline of every episode."""

    period = models.ForeignKey(CustodyPeriod, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=CustodyEventKind.choices)
    on = models.DateField()
    release_type = models.CharField(max_length=20, choices=ReleaseType.choices, blank=True)
    recall_reason = models.CharField(max_length=30, choices=RecallReason.choices, blank=True)
    establishment = models.CharField(max_length=200, blank=True)
    # Where the person goes on release; "no fixed abode" is a value, not a blank.
    release_address = models.CharField(max_length=300, blank=True)
    no_fixed_abode = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["on", "created_at"]


class ChecklistStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"


class ChecklistItemKind(models.TextChoices):
    """What must be in place on the day of release, by pathway (after the Resettlement
    Passport's support needs, DESIGN §10)."""

    ID = "id", "Identity documents"
    BANK_ACCOUNT = "bank_account", "Bank account"
    BENEFITS_CLAIM = "benefits_claim", "Benefits claim"
    ACCOMMODATION = "accommodation", "Accommodation on release"
    GP_REGISTRATION = "gp_registration", "GP registration"
    MEDICATION = "medication", "Medication and prescriptions on release"
    DRUG_SERVICE = "drug_service", "Drug and alcohol service appointment"
    WORK_OR_TRAINING = "work_or_training", "Work or training appointment"
    FAMILY_CONTACT = "family_contact", "Family contact arrangements"
    PROBATION_APPOINTMENT = "probation_appointment", "First probation appointment"


# Each item's pathway, in the order the checklist shows them.
CHECKLIST_PATHWAYS: dict[str, str] = {
    ChecklistItemKind.ID: Pathway.FINANCE_BENEFIT_ID,
    ChecklistItemKind.BANK_ACCOUNT: Pathway.FINANCE_BENEFIT_ID,
    ChecklistItemKind.BENEFITS_CLAIM: Pathway.FINANCE_BENEFIT_ID,
    ChecklistItemKind.ACCOMMODATION: Pathway.ACCOMMODATION,
    ChecklistItemKind.GP_REGISTRATION: Pathway.HEALTH,
    ChecklistItemKind.MEDICATION: Pathway.HEALTH,
    ChecklistItemKind.DRUG_SERVICE: Pathway.DRUGS_ALCOHOL,
    ChecklistItemKind.WORK_OR_TRAINING: Pathway.EDUCATION_EMPLOYMENT,
    ChecklistItemKind.FAMILY_CONTACT: Pathway.CHILDREN_FAMILIES,
    ChecklistItemKind.PROBATION_APPOINTMENT: Pathway.ATTITUDES_BEHAVIOUR,
}
OUTSTANDING = (ChecklistStatus.NOT_STARTED, ChecklistStatus.IN_PROGRESS)


class ChecklistItem(TimestampedModel):
    """One thing to arrange before a release, for one custody period. Its status changes are
    `ChecklistUpdate` rows; a recall never resets them (DESIGN §10)."""

    period = models.ForeignKey(
        CustodyPeriod, on_delete=models.CASCADE, related_name="checklist_items"
    )
    kind = models.CharField(max_length=30, choices=ChecklistItemKind.choices)
    pathway = models.CharField(max_length=30, choices=Pathway.choices)
    status = models.CharField(
        max_length=20, choices=ChecklistStatus.choices, default=ChecklistStatus.NOT_STARTED
    )
    note = models.CharField(max_length=500, blank=True)
    updated_on = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pathway", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["period", "kind"], name="checklist_one_item_per_kind"),
            models.CheckConstraint(
                condition=Q(status__in=ChecklistStatus.values), name="checklist_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["pathway", "status"])]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def outstanding(self) -> bool:
        return self.status in OUTSTANDING


class ChecklistUpdate(TimestampedModel):
    """A dated change to a checklist item: the history stays."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=ChecklistStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    on = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["on", "created_at"]
