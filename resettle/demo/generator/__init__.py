"""The demo partnership generator (DESIGN §7): `generate()` runs each step in order.

Each step is a small module with one function taking the `DemoResult` built so far; a later
step (custody, referrals, contacts...) is added to STEPS and reads what earlier ones made.
"""

from collections.abc import Callable
from datetime import date

from django.db import transaction

from resettle.demo.generator.agreements import create_agreements
from resettle.demo.generator.appointments import create_appointments
from resettle.demo.generator.caseloads import create_caseloads
from resettle.demo.generator.cases import create_cases
from resettle.demo.generator.consents import create_consents
from resettle.demo.generator.contacts import create_contacts
from resettle.demo.generator.context import DemoResult, Progress
from resettle.demo.generator.custody import create_custody
from resettle.demo.generator.evaluation import create_evaluation
from resettle.demo.generator.families import create_families
from resettle.demo.generator.mentoring import create_mentoring
from resettle.demo.generator.offending import create_offending
from resettle.demo.generator.organisations import PARTNERSHIP_NAME, create_organisations
from resettle.demo.generator.outcomes import create_outcomes
from resettle.demo.generator.people import create_people
from resettle.demo.generator.plans import create_plans
from resettle.demo.generator.referrals import create_referrals
from resettle.demo.generator.registers import create_registers
from resettle.demo.generator.reset import delete_demo, demo_exists
from resettle.demo.generator.services import create_services
from resettle.demo.generator.suitability import create_suitability
from resettle.demo.generator.users import DEMO_LOGINS, DEMO_USERNAMES, create_users

__all__ = [
    "DEMO_LOGINS",
    "DEMO_USERNAMES",
    "PARTNERSHIP_NAME",
    "DemoResult",
    "delete_demo",
    "demo_exists",
    "generate",
]


def generate(
    people: int,
    seed: int,
    today: date,
    *,
    password: str,
    progress: Progress | None = None,
) -> DemoResult:
    """Create the demo partnership in one transaction. The same seed and `today` give the same
    data, ids included. The caller checks first that no demo exists (`demo_exists`)."""
    result = DemoResult(seed=seed, today=today)
    steps: list[tuple[str, Callable[[DemoResult], None]]] = [
        ("organisations and the partnership", create_organisations),
        ("services in the directory", create_services),
        ("staff and sign-ins", lambda r: create_users(r, password=password)),
        (f"{people} people leaving prison", lambda r: create_people(r, people)),
        ("families and households", create_families),
        ("caseloads", create_caseloads),
        ("sharing agreements", create_agreements),
        ("consent to share", create_consents),
        ("suitability assessments", create_suitability),
        ("custody histories", create_custody),
        ("offence and risk", create_offending),
        ("cases", create_cases),
        ("mentors, matching and supervision", create_mentoring),
        ("referrals", create_referrals),
        ("a year of contacts", create_contacts),
        ("this week's appointments", create_appointments),
        ("action plans", create_plans),
        ("sessions and registers", create_registers),
        ("evidence for evaluation", create_evaluation),
        ("outcome measures and end-of-support outcomes", create_outcomes),
    ]
    with transaction.atomic():
        for label, step in steps:
            if progress:
                progress(f"Creating {label}")
            step(result)
    return result
