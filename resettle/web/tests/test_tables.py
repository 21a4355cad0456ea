"""The table helper: sort headers that say the order and turn it, and pages counted once."""

from django.test import RequestFactory

from resettle.accounts.models import Organisation
from resettle.web.tables import Column, SortHeader, Table, sort_headers

COLUMNS = (
    Column("name", "Name"),
    Column("opened", "Opened", newest_first=True),
    Column("updated", "Last updated", descending_only=True),
)


def by_key(ordering):
    return {h.key: h for h in sort_headers(COLUMNS, ordering)}


def test_the_sorted_column_says_which_way_and_a_click_turns_it():
    assert by_key("name")["name"] == SortHeader("name", "Name", "-name", "ascending")
    assert by_key("-name")["name"] == SortHeader("name", "Name", "name", "descending")


def test_the_other_columns_sort_their_first_way():
    headers = by_key("name")
    assert (headers["opened"].sort, headers["opened"].aria_sort) == ("-opened", "none")
    assert (headers["updated"].sort, headers["updated"].aria_sort) == ("updated", "none")


def test_a_descending_only_column_stays_descending():
    assert by_key("updated")["updated"] == SortHeader(
        "updated", "Last updated", "updated", "descending"
    )


def test_a_newest_first_column_turns_both_ways():
    assert by_key("-opened")["opened"].sort == "opened"
    assert by_key("opened")["opened"].sort == "-opened"


def request(page=None):
    return RequestFactory().get("/", {"page": page} if page else {})


def test_a_known_count_is_not_counted_again(count_queries):
    table = Table(*COLUMNS, per_page=2)
    rows = Organisation.objects.order_by("name")

    with count_queries() as queries:
        page = table.page(request("2"), rows, count=5)
        list(page.object_list)

    assert page.paginator.num_pages == 3
    assert len(queries) == 1
    assert "COUNT(" not in queries[0]["sql"].upper()


def test_a_page_past_the_end_is_the_last_and_nonsense_is_the_first():
    table = Table(per_page=2)
    rows = list(range(5))

    assert list(table.page(request("9"), rows)) == [4]
    assert list(table.page(request("x"), rows)) == [0, 1]


def test_the_context_has_the_page_and_the_headers():
    context = Table(*COLUMNS, per_page=10).context(request(), [1, 2], ordering="name")

    assert list(context["page_obj"]) == [1, 2]
    assert [h.key for h in context["sort_headers"]] == ["name", "opened", "updated"]
