"""Small numbers (DESIGN §5): anything shared beyond the organisation shows counts under 5 as
"fewer than 5", with secondary suppression so a hidden count cannot be worked out from the
total; and in individual-level files, a value fewer than 5 people share is not shown."""

from collections import Counter
from collections.abc import Iterable, Mapping

SMALL = 5
FEWER_THAN_5 = "fewer than 5"
# A count hidden only so that a small one cannot be worked out from the total.
SECONDARY = "suppressed"
RARE_VALUE = "suppressed (fewer than 5 people)"


def suppressed_counts(counts: Mapping[str, int]) -> dict[str, str]:
    """Each count as text: under 5 (but not 0: zero means zero) as "fewer than 5". When only one
    cell would be hidden, the next smallest is hidden too ("suppressed"), so the total does not
    give it away."""
    small = {key for key, count in counts.items() if 0 < count < SMALL}
    shown = {key: FEWER_THAN_5 if key in small else str(count) for key, count in counts.items()}
    if len(small) == 1:
        others = sorted((count, key) for key, count in counts.items() if key not in small and count)
        if others:
            shown[others[0][1]] = SECONDARY
    return shown


def without_rare_values(values: Iterable[str]) -> list[str]:
    """The values in order, each shared by fewer than 5 of them replaced, so a rare ethnicity or
    district cannot single someone out."""
    values = list(values)
    counts = Counter(values)
    return [RARE_VALUE if counts[value] < SMALL else value for value in values]
