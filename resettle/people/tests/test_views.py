"""The people list: who may see it, search, filters, sorting, paging and the htmx fragment."""

from datetime import date

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from resettle.people.choices import Sex

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("lead_charity_holds_criminal_justice_ids"),
]

LIST_URL = reverse("people:list")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def people(cast, make_person):
    """The lead charity's caseload, and a look-alike known only to the housing provider."""
    return {
        "william": make_person(
            cast.caseworker, given_name="William", family_name="Turner", sex=Sex.MALE
        ),
        "john": make_person(
            cast.caseworker, given_name="John", family_name="Smith", date_of_birth=date(1985, 2, 3)
        ),
        "jane": make_person(
            cast.caseworker,
            given_name="Jane",
            family_name="Smith",
            date_of_birth=date(2015, 7, 1),
            sex=Sex.FEMALE,
        ),
        "marek": make_person(
            cast.caseworker,
            given_name="Marek",
            family_name="Nowak",
            identifiers={"prison_number": "A1234BC"},
        ),
        "hidden": make_person(cast.housing, given_name="Harriet", family_name="Hidden"),
    }


def listed(response) -> list[str]:
    return [person.full_name for person in response.context["people"]]


def test_caseworker_sees_their_organisations_people_by_name(client_as, cast, people):
    response = client_as(cast.caseworker).get(LIST_URL)
    assert response.status_code == 200
    assert listed(response) == ["Marek Nowak", "Jane Smith", "John Smith", "William Turner"]
    assert "4 people" in response.text
    assert "Harriet" not in response.text


def test_the_list_shows_identifiers_dates_and_an_under_18_tag(client_as, cast, people):
    text = client_as(cast.caseworker).get(LIST_URL).text
    assert "A1234BC" in text
    assert "3 Feb 1985" in text
    assert "Not recorded" in text  # William's date of birth
    assert text.count("Under 18") == 1  # Jane, born 2015


def test_anonymous_users_are_sent_to_sign_in(client_as):
    response = client_as(None).get(LIST_URL)
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("role", ["analyst", "manager", "admin"])
def test_roles_without_case_access_are_told_they_see_aggregate_data(client_as, cast, people, role):
    response = client_as(getattr(cast, role)).get(LIST_URL)
    assert response.status_code == 403
    assert "aggregate data only" in response.text
    assert "Turner" not in response.text


def test_another_organisation_sees_none_of_these_people(client_as, cast, people):
    response = client_as(cast.outsider).get(LIST_URL)
    assert listed(response) == []
    assert "not working with anyone" in response.text


def test_peer_mentor_sees_only_the_people_allocated_to_them(client_as, cast, people, make_person):
    make_person(cast.mentor, given_name="Mina", family_name="Mentee")
    response = client_as(cast.mentor).get(LIST_URL)
    assert listed(response) == ["Mina Mentee"]


def test_the_add_button_shows_only_for_roles_that_may_add_people(client_as, cast, people):
    assert "Add a person" in client_as(cast.caseworker).get(LIST_URL).text
    assert "Add a person" not in client_as(cast.mentor).get(LIST_URL).text


def test_list_accepts_only_get(client_as, cast):
    assert client_as(cast.caseworker).post(LIST_URL).status_code == 405


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Bill", "William Turner"),  # a nickname on its own
        ("Bill Turner", "William Turner"),  # a nickname
        ("Smtih", "John Smith"),  # letters swapped
        ("John Smtih", "John Smith"),
        ("a1234bc", "Marek Nowak"),  # a prison number typed in lower case
    ],
)
def test_search_tolerates_nicknames_typos_and_finds_identifiers(
    client_as, cast, people, query, expected
):
    response = client_as(cast.caseworker).get(LIST_URL, {"q": query})
    assert expected in listed(response)


def test_search_never_finds_people_of_other_organisations(client_as, cast, people):
    response = client_as(cast.caseworker).get(LIST_URL, {"q": "Harriet Hidden"})
    assert listed(response) == []
    assert "No people match “Harriet Hidden”" in response.text


def test_an_empty_search_gives_advice(client_as, cast, people):
    response = client_as(cast.caseworker).get(LIST_URL, {"q": "Zebedee"})
    assert "checking the spelling" in response.text
    assert reverse("people:create") in response.text


def test_filters_by_date_of_birth_and_sex(client_as, cast, people):
    client = client_as(cast.caseworker)
    by_birth = client.get(
        LIST_URL,
        {"date_of_birth_day": "3", "date_of_birth_month": "2", "date_of_birth_year": "1985"},
    )
    assert listed(by_birth) == ["John Smith"]
    assert listed(client.get(LIST_URL, {"sex": Sex.FEMALE})) == ["Jane Smith"]


def test_an_impossible_date_of_birth_filter_is_an_error(client_as, cast, people):
    response = client_as(cast.caseworker).get(
        LIST_URL,
        {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "1985"},
    )
    assert "Date of birth must be a real date" in response.text
    assert "govuk-error-summary" in response.text


def test_sorts_by_date_of_birth_with_header_links(client_as, cast, people):
    response = client_as(cast.caseworker).get(LIST_URL, {"sort": "-date_of_birth"})
    assert listed(response)[:2] == ["Jane Smith", "John Smith"]
    assert 'aria-sort="descending"' in response.text
    assert "?sort=date_of_birth" in response.text  # the header now offers the other order


def test_htmx_gets_only_the_results_fragment(client_as, cast, people):
    response = client_as(cast.caseworker).get(LIST_URL, {"q": "Bill Turner"}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "William Turner" in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client_as, cast, people):
    headers = HTMX | {"HX-History-Restore-Request": "true"}
    response = client_as(cast.caseworker).get(LIST_URL, headers=headers)
    assert "<html" in response.text


def test_pages_25_people_at_a_time(client_as, cast, make_person):
    for n in range(30):
        make_person(cast.caseworker, given_name="Pat", family_name=f"Person{n:02d}")
    client = client_as(cast.caseworker)
    first = client.get(LIST_URL)
    assert len(listed(first)) == 25
    assert "30 people" in first.text
    assert "?page=2" in first.text
    assert len(listed(client.get(LIST_URL, {"page": 2}))) == 5


def test_search_results_are_paged_too(client_as, cast, make_person):
    for _ in range(30):
        make_person(cast.caseworker, given_name="Sam", family_name="Smith")
    response = client_as(cast.caseworker).get(LIST_URL, {"q": "Smith", "page": 2})
    assert len(listed(response)) == 5
    assert "page=1" in response.text and "q=Smith" in response.text


def test_a_search_with_more_matches_than_are_ranked_asks_to_narrow_it(
    client_as, cast, make_person, monkeypatch
):
    monkeypatch.setattr("resettle.people.selectors.MAX_CANDIDATES", 4)
    monkeypatch.setattr("resettle.people.views.MAX_CANDIDATES", 4)
    for _ in range(5):
        make_person(cast.caseworker, given_name="Sam", family_name="Smith")

    narrow = "Add a given name, or a date of birth, to narrow the search."
    assert narrow in client_as(cast.caseworker).get(LIST_URL, {"q": "Smith"}).text
    assert narrow not in client_as(cast.caseworker).get(LIST_URL, {"q": "Smyth"}).text


def _queries(count_queries, client, params) -> int:
    with count_queries() as captured:
        assert client.get(LIST_URL, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"q": "Smith"}, {"q": "x000001"}, {"sort": "updated"}])
def test_the_number_of_queries_does_not_grow_with_the_caseload(
    count_queries, client_as, cast, make_person, django_assert_max_num_queries, params
):
    client = client_as(cast.caseworker)
    serials = iter(range(100))

    def add(count: int) -> None:
        for _ in range(count):
            n = next(serials)
            make_person(
                cast.caseworker,
                given_name="Sam",
                family_name="Smith",
                identifiers={"crn": f"X{n:06d}"} if n % 2 else None,
            )

    add(5)
    with_five = _queries(count_queries, client, params)
    add(25)
    with django_assert_max_num_queries(with_five):
        client.get(LIST_URL, params)
