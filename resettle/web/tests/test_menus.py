"""The menu links every page a role may use and none it may not: the staff pages for
organisation admins, the break-glass report for those who oversee break-glass (under Reports
for admins and managers, in the menu itself for a safeguarding lead), and the Open Referral UK
import from an admin's home page."""

import re

import pytest
from django.urls import reverse

from resettle.accounts.tests.factories import make_membership

pytestmark = pytest.mark.django_db

HOME = reverse("web:home")
STAFF = reverse("accounts:staff_list")
BREAK_GLASS = reverse("access:break_glass_report")
IMPORT = reverse("openreferral:import")


def menu(response) -> str:
    body = response.content.decode()
    start = body.index('aria-label="Menu"')
    return body[start : body.index("</nav>", start)]


def test_an_admin_has_staff_in_the_menu_and_import_and_break_glass_on_their_home(client_as, cast):
    response = client_as(cast.admin).get(HOME)
    assert STAFF in menu(response)
    body = response.content.decode()
    assert IMPORT in body
    assert BREAK_GLASS in body
    assert client_as(cast.admin).get(IMPORT).status_code == 200


@pytest.mark.parametrize("who", ["caseworker", "mentor", "coordinator", "manager", "analyst"])
def test_other_roles_have_no_staff_link(client_as, cast, who):
    response = client_as(getattr(cast, who)).get(HOME)
    assert STAFF not in menu(response)
    assert IMPORT not in response.content.decode()


def test_a_safeguarding_lead_has_the_break_glass_report_in_the_menu(client_as, cast):
    response = client_as(cast.safeguarding).get(HOME)
    assert BREAK_GLASS in menu(response)
    assert client_as(cast.safeguarding).get(BREAK_GLASS).status_code == 200


@pytest.mark.parametrize("who", ["caseworker", "mentor", "coordinator", "analyst"])
def test_roles_that_cannot_see_the_break_glass_report_have_no_link_to_it(client_as, cast, who):
    assert BREAK_GLASS not in client_as(getattr(cast, who)).get(HOME).content.decode()


def test_a_manager_reaches_the_break_glass_report_from_reports(client_as, cast):
    client = client_as(cast.manager)
    assert BREAK_GLASS not in menu(client.get(HOME))
    assert BREAK_GLASS in client.get(reverse("reports:index")).content.decode()


def test_the_menu_lists_what_a_caseworker_may_open_in_order_and_marks_the_page_shown(
    client_as, cast
):
    response = client_as(cast.caseworker).get(reverse("today:caseload"))
    links = re.findall(r'href="([^"]+)"', menu(response))
    assert links[:7] == [
        reverse(name)
        for name in (
            "web:home",
            "people:list",
            "today:today",
            "today:caseload",
            "referrals:received",
            "registers:session_list",
            "custody:releases",
        )
    ]
    current = re.findall(r'href="([^"]+)" aria-current="true"', menu(response))
    assert current == [reverse("today:caseload")]


def test_a_manager_has_no_casework_pages_in_the_menu(client_as, cast):
    links = menu(client_as(cast.manager).get(HOME))
    assert reverse("people:list") not in links
    assert reverse("today:caseload") not in links
    assert reverse("directory:service_list") in links


def test_the_header_links_the_account_pages_and_signs_out(client_as, cast):
    make_membership(
        user=cast.caseworker.user, organisation=cast.housing_provider, role="caseworker"
    )
    body = client_as(cast.caseworker).get(HOME).content.decode()
    header = body[body.index('aria-label="Your account"') : body.index("</ul>")]

    assert re.findall(r'href="([^"]+)"', header) == [
        reverse(name)
        for name in (
            "accounts:switch_organisation",
            "notifications:list",
            "accounts:api_tokens",
            "appointments:calendar",
            "accounts:mfa_status",
        )
    ]
    assert f'action="{reverse("accounts:logout")}"' in header
    assert re.search(rf'<a href="{HOME}" class="app-header__link app-header__name">', body)
