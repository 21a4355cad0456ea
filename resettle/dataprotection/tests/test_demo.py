"""The demo's data-protection lead (the lead charity's admin), and a demo person's pack checked
against every data category in the registry."""

import io
import json
import zipfile
from datetime import date

import pytest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership
from resettle.dataprotection import services
from resettle.dataprotection.models import SubjectAccessState
from resettle.dataprotection.sections import GROUPS
from resettle.demo.generator import generate
from resettle.demo.logins import demo_users, login_table

pytestmark = pytest.mark.django_db


def test_a_demo_persons_pack_is_complete_against_every_category(
    django_capture_on_commit_callbacks,
):
    generate(40, 7, date.today(), password="a-demo-password")
    leads = Membership.objects.filter(is_data_protection_lead=True).select_related(
        "organisation", "user"
    )
    assert [m.user.username for m in leads] == ["admin"]
    admin = leads.get()
    assert any("data-protection lead" in line for line in login_table(demo_users()))

    # The lead charity's busiest person: the fullest record to check.
    person = max(policy.people_held_by(admin), key=lambda p: p.contacts.count())
    with django_capture_on_commit_callbacks(execute=True):
        export = services.subject_access_export_request(actor=admin, person=person)
    export.refresh_from_db()
    assert export.state == SubjectAccessState.DONE, export.error
    content = zipfile.ZipFile(io.BytesIO(bytes(export.content)))
    data = json.loads(content.read("person.json"))
    page = content.read("index.html").decode()
    for category in Category:
        assert category.value in data["categories"], category
        assert f'<h2 id="{category.value}">' in page, category
    assert set(data["categories"]) == {key for key, _ in GROUPS}
    sections = {
        key: len(section["records"])
        for group in data["categories"].values()
        for key, section in group.get("sections", {}).items()
    }
    for key in ("person", "referrals", "cases", "contacts", "working_relationships"):
        assert sections[key] > 0, key
    assert data["categories"]["access_log"]["entries"]
