"""The authorization matrix for the today and caseload routes: decisions and records."""

from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import World

DECISIONS: dict[str, Decision] = {}


def build(world: World) -> None:
    """Add this area's records for every scope: to `world.per_person[person.pk]["extra"]` for
    records about a person, or `world.per_organisation[organisation.pk]` for an organisation's."""
