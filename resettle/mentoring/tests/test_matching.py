from datetime import date, timedelta

from resettle.accounts.models import User
from resettle.mentoring.matching import area_parts, rank_mentors
from resettle.mentoring.models import MenteePreferences, MentorProfile

TODAY = date(2026, 6, 1)


def profile(name: str, **fields) -> MentorProfile:
    fields.setdefault("training_completed_on", TODAY - timedelta(days=10))
    fields.setdefault("dbs_expires_on", TODAY + timedelta(days=10))
    fields.setdefault("capacity", 3)
    return MentorProfile(user=User(username=name, first_name=name), **fields)


def names(matches) -> list[str]:
    return [m.profile.user.username for m in matches]


def test_it_ranks_lived_experience_area_and_interests_above_spare_capacity():
    wanted = MenteePreferences(
        lived_experience=["custody"], area="Millbrook", interests=["Football"], languages=[]
    )
    close = profile(
        "close",
        lived_experience=["custody"],
        area="Millbrook, NR4",
        interests=["football"],
        capacity=1,
    )
    roomy = profile("roomy", capacity=10)
    ranked = rank_mentors([(roomy, 0), (close, 0)], wanted, TODAY)
    assert names(ranked) == ["close", "roomy"]
    assert "Lived experience of prison and release" in ranked[0].reasons
    assert "Works in Millbrook" in ranked[0].reasons
    assert "Shares an interest in football" in ranked[0].reasons
    assert "Does not cover Millbrook" in ranked[1].gaps


def test_it_puts_full_and_expired_mentors_after_available_ones_with_why():
    expired = profile(
        "expired", dbs_expires_on=TODAY - timedelta(days=1), lived_experience=["custody"]
    )
    full = profile("full", capacity=2)
    free = profile("free")
    ranked = rank_mentors([(expired, 0), (full, 2), (free, 0)], None, TODAY)
    assert names(ranked)[0] == "free"
    assert ranked[0].available
    by_name = {m.profile.user.username: m for m in ranked}
    assert by_name["expired"].problems == [
        f"The DBS check expired on {TODAY - timedelta(days=1):%-d %B %Y}"
    ]
    assert by_name["full"].problems == ["Full: 2 of 2 mentees"]


def test_a_gender_preference_is_respected_strictly():
    woman = profile("woman", gender="woman")
    man = profile("man", gender="man", lived_experience=["custody"])
    ranked = rank_mentors(
        [(man, 0), (woman, 0)],
        MenteePreferences(preferred_gender="woman", lived_experience=["custody"]),
        TODAY,
    )
    assert names(ranked) == ["woman", "man"]
    assert ranked[1].excluded == "They would prefer a mentor who is a woman"
    assert not ranked[1].available


def test_it_scores_a_shared_language_and_says_when_there_is_none():
    polish = profile("polish", languages=["English", "Polish"])
    english = profile("english", languages=["English"])
    ranked = rank_mentors(
        [(english, 0), (polish, 0)], MenteePreferences(languages=["polish"]), TODAY
    )
    assert names(ranked) == ["polish", "english"]
    assert "Speaks Polish" in ranked[0].reasons
    assert "Does not speak Polish" in ranked[1].gaps


def test_inactive_mentors_are_left_out():
    assert rank_mentors([(profile("away", active=False), 0)], None, TODAY) == []


def test_area_parts_split_on_commas_and_ignore_case():
    assert area_parts("Millbrook, nr4; Eastgate") == {"millbrook", "nr4", "eastgate"}
