"""Matching a mentee with mentors: a ranked list with the reasons for each place, so the person
allocating can explain the choice (seed 003: lived experience, area, gender, interests, capacity).

Pure functions over profiles and preferences; the selector loads the data and the suitability
answers, the service enforces what matching only reports.

- A mentor whose checks are out of date or who is full is not *available*: listed, with why, so a
  manager can override with a reason.
- A stated gender preference is respected strictly: other mentors are listed as not suggested.
- The rest rank the available mentors: lived experience, area, languages, shared interests, and
  the room the mentor has left.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from resettle.mentoring.models import (
    LivedExperience,
    MenteePreferences,
    MentorGender,
    MentorProfile,
)

# Points for each kind of fit. Lived experience and area matter most to mentees in the seeds;
# interests (football above all) help a first meeting; spare capacity breaks ties.
LIVED_EXPERIENCE_POINTS = 15
AREA_POINTS = 15
LANGUAGE_POINTS = 20
INTEREST_POINTS = 5
CAPACITY_POINTS = 2


def words(values: Iterable[str]) -> set[str]:
    return {v.strip().casefold() for v in values if v and v.strip()}


def area_parts(area: str) -> set[str]:
    """ "Millbrook, NR4" → {"millbrook", "nr4"}: a mentor may cover several towns or districts."""
    return words(area.replace(";", ",").split(","))


def _listed(values: Iterable[str]) -> str:
    items = sorted(values)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class MentorMatch:
    profile: MentorProfile
    mentee_count: int
    score: int = 0
    reasons: list[str] = field(default_factory=list)  # why this mentor fits
    gaps: list[str] = field(default_factory=list)  # what the person asked for that they lack
    problems: list[str] = field(default_factory=list)  # needs a manager's override
    excluded: str = ""  # not suggested at all, and why

    @property
    def capacity_left(self) -> int:
        return max(self.profile.capacity - self.mentee_count, 0)

    @property
    def available(self) -> bool:
        return not self.problems and not self.excluded


def mentor_problems(profile: MentorProfile, mentee_count: int, on: date) -> list[str]:
    """Why a mentor may not take a new mentee without an override: checks and capacity."""
    problems = profile.check_problems(on)
    if mentee_count >= profile.capacity:
        problems.append(
            f"Full: {mentee_count} of {profile.capacity} "
            f"mentee{'s' if profile.capacity != 1 else ''}"
        )
    return problems


def score_mentor(
    profile: MentorProfile,
    mentee_count: int,
    preferences: MenteePreferences | None,
    on: date,
) -> MentorMatch:
    match = MentorMatch(profile=profile, mentee_count=mentee_count)
    match.problems = mentor_problems(profile, mentee_count, on)
    if not match.problems:
        match.reasons.append(
            f"Checks in date; room for {match.capacity_left} more "
            f"mentee{'s' if match.capacity_left != 1 else ''}"
        )
        match.score += CAPACITY_POINTS * match.capacity_left
    if preferences is None:
        return match

    wanted_gender = preferences.preferred_gender
    if wanted_gender:
        label = MentorGender(wanted_gender).label.lower()
        if profile.gender == wanted_gender:
            match.reasons.append(f"A {label}, as they would prefer")
        else:
            match.excluded = f"They would prefer a mentor who is a {label}"

    shared_experience = set(profile.lived_experience) & set(preferences.lived_experience)
    if shared_experience:
        labels = [LivedExperience(code).label.lower() for code in shared_experience]
        match.reasons.append(f"Lived experience of {_listed(labels)}")
        match.score += LIVED_EXPERIENCE_POINTS * len(shared_experience)
    elif preferences.lived_experience:
        match.gaps.append("No shared lived experience")

    if preferences.area:
        if area_parts(profile.area) & area_parts(preferences.area):
            match.reasons.append(f"Works in {preferences.area}")
            match.score += AREA_POINTS
        else:
            match.gaps.append(f"Does not cover {preferences.area}")

    wanted_languages = words(preferences.languages)
    if wanted_languages:
        spoken = wanted_languages & words(profile.languages)
        if spoken:
            match.reasons.append(f"Speaks {_listed(s.capitalize() for s in spoken)}")
            match.score += LANGUAGE_POINTS * len(spoken)
        else:
            match.gaps.append(f"Does not speak {_listed(s.capitalize() for s in wanted_languages)}")

    shared_interests = words(preferences.interests) & words(profile.interests)
    if shared_interests:
        match.reasons.append(f"Shares an interest in {_listed(shared_interests)}")
        match.score += INTEREST_POINTS * len(shared_interests)
    return match


def rank_mentors(
    candidates: Iterable[tuple[MentorProfile, int]],
    preferences: MenteePreferences | None,
    on: date | None = None,
) -> list[MentorMatch]:
    """(profile, current mentee count) pairs, ranked: available mentors by score, then those
    who need an override, then those not suggested. Inactive mentors are left out."""
    on = on or date.today()
    matches = [
        score_mentor(profile, count, preferences, on)
        for profile, count in candidates
        if profile.active
    ]

    def order(match: MentorMatch) -> tuple:
        group = 0 if match.available else (2 if match.excluded else 1)
        return (group, -match.score, str(match.profile).casefold())

    return sorted(matches, key=order)
