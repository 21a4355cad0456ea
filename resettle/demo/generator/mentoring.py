"""Mentoring (seed 003): a profile for every peer mentor of the mentoring charity, with lived
experience, area, languages, interests and checks; one mentor's DBS check has expired and one
colleague is full, so the matching page shows both kinds of override. Each mentoring case from
the cases step that has a mentor becomes that mentor's allocation (current for a live case,
ended for a closed one); a few mentees have recorded preferences; and each mentor has
supervision notes from the charity's caseworker.

Reads `result.staff`, `result.users` and `result.cases` (the cases step); runs after it."""

from datetime import timedelta

from resettle.accounts.models import Role, User
from resettle.cases.models import CaseState
from resettle.demo.generator.context import DemoResult, Step, save_all
from resettle.mentoring.models import (
    AllocationEndReason,
    LivedExperience,
    MenteePreferences,
    MentorAllocation,
    MentorGender,
    MentorProfile,
    SupervisionNote,
)

AREAS = ("Millbrook", "Millbrook, Ashcombe", "Ashcombe", "Eastgate", "Eastgate, Millbrook")
INTERESTS = ("football", "boxing", "music", "fishing", "cooking", "running", "art", "gaming")
LANGUAGES = (["English"], ["English"], ["English"], ["English", "Polish"], ["English", "Urdu"])
AVAILABILITY = (
    "Weekday mornings, and early starts for gate meetings",
    "Tuesdays to Thursdays; not weekends",
    "Afternoons and some evenings",
)
SUPERVISION = (
    "Talked through a difficult first week with a new mentee. Agreed to check in by phone "
    "after each gate meeting for the next month.",
    "Caseload feels manageable. Booked onto the refresher training on boundaries.",
    "Reflected on keeping their own recovery first. Agreed a lighter week after the holidays.",
    "Going well. Interested in the peer-support qualification; we will look at funding.",
)


def create_mentoring(result: DemoResult) -> None:
    step = Step(result, "mentoring")
    organisation = result.organisations["mentoring"]
    mentors: list[User] = result.staff.get(f"mentoring:{Role.PEER_MENTOR}", [])
    if not mentors:
        return
    cases = [
        c for c in result.cases if c.organisation_id == organisation.pk and c.mentor_id is not None
    ]
    current: dict[int, int] = {}
    for case in cases:
        if case.state != CaseState.CLOSED:
            current[case.mentor_id] = current.get(case.mentor_id, 0) + 1

    named = result.users["mentor"]
    colleagues = [u for u in mentors if u.pk != named.pk]
    expired = colleagues[0] if colleagues else None
    busiest = max(
        (u for u in colleagues if u is not expired),
        key=lambda u: current.get(u.pk, 0),
        default=None,
    )
    profiles: dict[int, MentorProfile] = {}
    for index, user in enumerate(mentors):
        checked = step.days_ago(120, 900)
        mentees = current.get(user.pk, 0)
        if user is named:
            fields = {
                "gender": MentorGender.MAN,
                "lived_experience": [
                    LivedExperience.CUSTODY,
                    LivedExperience.RECALL,
                    LivedExperience.SUBSTANCE_USE,
                ],
                "languages": ["English"],
                "area": "Millbrook, Ashcombe",
                "interests": ["football", "boxing"],
                "capacity": min(30, max(mentees + 2, 4)),
            }
        else:
            fields = {
                "gender": step.pick({MentorGender.MAN: 5, MentorGender.WOMAN: 4, "": 1}),
                "lived_experience": sorted(
                    step.rng.sample(list(LivedExperience.values), step.rng.randint(1, 3))
                ),
                "languages": list(step.rng.choice(LANGUAGES)),
                "area": AREAS[index % len(AREAS)],
                "interests": sorted(step.rng.sample(INTERESTS, 2)),
                # The busiest colleague is exactly full; the rest have room.
                "capacity": max(mentees, 1) if user is busiest else min(30, mentees + 3),
            }
        expires = checked + timedelta(days=3 * 365)
        if user is expired:
            checked = step.today - timedelta(days=3 * 365 + 20)
            expires = step.today - timedelta(days=20)
        profiles[user.pk] = MentorProfile(
            id=step.new_id(),
            user=user,
            organisation=organisation,
            availability=step.rng.choice(AVAILABILITY),
            training_completed_on=checked - timedelta(days=step.rng.randint(10, 60)),
            dbs_checked_on=checked,
            dbs_expires_on=expires,
            **fields,
        )
    save_all(MentorProfile, profiles.values(), "mentor profiles", result)

    allocator = (result.staff.get(f"mentoring:{Role.CASEWORKER}") or [named])[0]
    allocations = []
    for case in cases:
        profile = profiles.get(case.mentor_id)
        if profile is None:
            continue
        ended = case.state == CaseState.CLOSED
        allocations.append(
            MentorAllocation(
                id=step.new_id(),
                case=case,
                mentor=profile,
                started_on=case.opened_on,
                ended_on=case.closed_on if ended else None,
                end_reason=AllocationEndReason.COMPLETED if ended else "",
                allocated_by=allocator,
                ended_by=allocator if ended else None,
            )
        )
    save_all(MentorAllocation, allocations, "mentor allocations", result)

    live = [c for c in cases if c.state != CaseState.CLOSED]
    preferences = [
        MenteePreferences(
            id=step.new_id(),
            person_id=case.person_id,
            organisation=organisation,
            preferred_gender=step.pick({"": 6, MentorGender.MAN: 2, MentorGender.WOMAN: 2}),
            lived_experience=[step.rng.choice(LivedExperience.values)],
            interests=step.rng.sample(INTERESTS, 2),
            area=step.rng.choice(("Millbrook", "Ashcombe", "Eastgate")),
            updated_by=allocator,
        )
        for case in step.rng.sample(live, min(len(live), 12))
    ]
    save_all(MenteePreferences, preferences, "mentee preferences", result)

    notes = [
        SupervisionNote(
            id=step.new_id(),
            mentor=profile,
            written_by=allocator,
            held_on=step.today - timedelta(days=28 * n + step.rng.randint(1, 10)),
            note=step.rng.choice(SUPERVISION),
        )
        for profile in profiles.values()
        for n in range(step.rng.randint(1, 3))
    ]
    save_all(SupervisionNote, notes, "supervision notes", result)
