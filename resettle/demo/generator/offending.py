"""Offence and risk (DESIGN §4): for the people probation supervises, the sentence behind each
custody period (an earlier spell's too, as history), risk of serious harm and MAPPA assessed at
release (for some, reassessed since: the earlier one stays as history), and licence conditions
from the release, ended where the licence or a recall ended them. Dates follow the custody
record: sentenced on or just before custody began, conditions starting at release. Reads
`result.custody_periods` and the working relationships."""

from collections import defaultdict
from datetime import date, timedelta

from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.evaluation.models import OffenceCategory
from resettle.offending.models import (
    LicenceCondition,
    LicenceConditionKind,
    MappaCategory,
    MappaLevel,
    RiskAssessment,
    RoshLevel,
    Sentence,
    SentenceType,
)
from resettle.people.models import WorkingRelationship

OFFENCES = {
    OffenceCategory.THEFT: 22.0,
    OffenceCategory.DRUGS: 18.0,
    OffenceCategory.VIOLENCE: 18.0,
    OffenceCategory.BURGLARY: 12.0,
    OffenceCategory.ROBBERY: 8.0,
    OffenceCategory.WEAPONS: 6.0,
    OffenceCategory.FRAUD: 5.0,
    OffenceCategory.PUBLIC_ORDER: 4.0,
    OffenceCategory.SEXUAL: 4.0,
    OffenceCategory.BREACH: 3.0,
}
COURTS = (
    "Northshire Crown Court",
    "Millbrook Magistrates' Court",
    "Ashcombe Crown Court",
    "Eastgate Magistrates' Court",
)
ROSH = {RoshLevel.LOW: 25.0, RoshLevel.MEDIUM: 50.0, RoshLevel.HIGH: 20.0, RoshLevel.VERY_HIGH: 5.0}
# (category, level): most people are not MAPPA cases; those who are, mostly at level 1.
MAPPA = {
    (MappaCategory.NONE, MappaLevel.NONE): 82.0,
    (MappaCategory.CATEGORY_2, MappaLevel.LEVEL_1): 9.0,
    (MappaCategory.CATEGORY_1, MappaLevel.LEVEL_1): 4.0,
    (MappaCategory.CATEGORY_2, MappaLevel.LEVEL_2): 3.0,
    (MappaCategory.CATEGORY_3, MappaLevel.LEVEL_2): 1.5,
    (MappaCategory.CATEGORY_2, MappaLevel.LEVEL_3): 0.5,
}
ASSESSMENT_NOTES = (
    "Risk mainly to known adults in a domestic setting. Reviewed with the police.",
    "Risk raised when using alcohol. Engaging with the community drug service.",
    "Stable accommodation and work have lowered the risk since release.",
    "",
    "",
)
ADDITIONAL = {
    LicenceConditionKind.EXCLUSION_ZONE: (
        "Not to enter the area of Millbrook town centre shown on the attached map without "
        "the prior approval of the supervising officer."
    ),
    LicenceConditionKind.NON_CONTACT: (
        "Not to approach or communicate with the victim, directly or indirectly, without "
        "the prior approval of the supervising officer."
    ),
    LicenceConditionKind.CURFEW: (
        "Confine yourself to the approved address between 7pm and 7am, for the first 8 "
        "weeks, monitored electronically."
    ),
    LicenceConditionKind.RESIDENCE: (
        "Reside permanently at an address approved by the supervising officer and notify "
        "them of any proposed change."
    ),
    LicenceConditionKind.ADDITIONAL: (
        "Attend all appointments arranged with the community drug and alcohol service."
    ),
}
STANDARD = (
    "Be well behaved, not commit any offence and not do anything which could undermine the "
    "purpose of your supervision. Keep in touch with your supervising officer as instructed."
)
CURFEW_DAYS = 56
REASSESSED_SHARE = 0.45


class _Maker:
    def __init__(self, step: Step, result: DemoResult) -> None:
        self.step = step
        self.organisation = result.organisations["probation"]
        self.recorder = result.users["probation"]
        self.sentences: list[Sentence] = []
        self.assessments: list[RiskAssessment] = []
        self.conditions: list[LicenceCondition] = []

    def sentence(self, period: CustodyPeriod) -> None:
        step = self.step
        end = period.licence_end_date or period.expected_release_date or period.start_date
        months = max(1, round((end - period.start_date).days / 30.44))
        kind = SentenceType.EXTENDED if step.chance(0.05) else SentenceType.IMMEDIATE_CUSTODY
        self.sentences.append(
            Sentence(
                id=step.new_id(),
                person_id=period.person_id,
                index_offence_category=step.pick(OFFENCES),
                sentence_type=kind,
                length_months=months,
                # Sentenced on the day custody under sentence began, or a few days before.
                sentenced_on=period.start_date - timedelta(days=step.rng.randint(0, 6)),
                court=step.rng.choice(COURTS),
                organisation=self.organisation,
                recorded_by=self.recorder,
            )
        )

    def assessments_for(self, period: CustodyPeriod, today: date) -> None:
        step = self.step
        first_on = min(period.released_on or period.start_date + timedelta(days=30), today)
        first = self._assessment(period, first_on, supersedes=None)
        if step.chance(REASSESSED_SHARE) and (today - first_on).days > 60:
            self._assessment(period, step.date_between(first_on + timedelta(days=30), today), first)

    def _assessment(
        self, period: CustodyPeriod, on: date, supersedes: RiskAssessment | None
    ) -> RiskAssessment:
        step = self.step
        category: str
        level: str
        category, level = step.pick(MAPPA)
        if supersedes is not None and supersedes.mappa_category != MappaCategory.NONE:
            # A MAPPA case stays one; its level may come down.
            category, level = supersedes.mappa_category, MappaLevel.LEVEL_1
        assessment = RiskAssessment(
            id=step.new_id(),
            person_id=period.person_id,
            supersedes=supersedes,
            assessed_on=on,
            rosh_level=step.pick(ROSH),
            mappa_category=category,
            mappa_level=level,
            notes=step.rng.choice(ASSESSMENT_NOTES),
            organisation=self.organisation,
            recorded_by=self.recorder,
        )
        self.assessments.append(assessment)
        return assessment

    def conditions_for(self, period: CustodyPeriod) -> None:
        """From the latest release, or the one expected; ended with the licence, or by a recall
        that has returned the person to custody."""
        step = self.step
        starts = period.released_on or period.expected_release_date
        if starts is None:
            return
        recalled = period.recalled_on is not None and period.released_on is not None
        ends = period.recalled_on if recalled and period.in_custody else period.ended_on
        extra = step.rng.sample(list(ADDITIONAL), step.rng.randint(1, 3))
        for kind in [LicenceConditionKind.STANDARD, *extra]:
            ends_on = ends
            if kind == LicenceConditionKind.CURFEW and ends_on is None:
                ends_on = starts + timedelta(days=CURFEW_DAYS)
            self.conditions.append(
                LicenceCondition(
                    id=step.new_id(),
                    person_id=period.person_id,
                    kind=kind,
                    wording=STANDARD if kind == LicenceConditionKind.STANDARD else ADDITIONAL[kind],
                    starts_on=starts,
                    ends_on=max(ends_on, starts) if ends_on else None,
                    organisation=self.organisation,
                    recorded_by=self.recorder,
                )
            )


def create_offending(result: DemoResult) -> None:
    step = Step(result, "offending")
    maker = _Maker(step, result)
    supervised = set(
        WorkingRelationship.objects.filter(organisation=maker.organisation).values_list(
            "person_id", flat=True
        )
    )
    periods: dict = defaultdict(list)
    for period in result.custody_periods:
        if period.person_id in supervised and period.kind == CustodyKind.SENTENCE:
            periods[period.person_id].append(period)
    for person_periods in periods.values():
        person_periods.sort(key=lambda p: p.start_date)
        for period in person_periods:
            maker.sentence(period)
        latest = person_periods[-1]
        maker.assessments_for(latest, result.today)
        maker.conditions_for(latest)
    save_all(Sentence, maker.sentences, "sentences", result)
    # Saved in the order made, so an assessment is saved after the one it supersedes.
    save_all(RiskAssessment, maker.assessments, "risk assessments", result)
    save_all(LicenceCondition, maker.conditions, "licence conditions", result)
