from io import StringIO

import pytest
from django.core.management import call_command

from resettle.accounts.models import Organisation, User
from resettle.demo.generator import DEMO_USERNAMES
from resettle.demo.generator.reset import delete_casework
from resettle.people.models import Person

from .conftest import SMALL_DEMO


@pytest.fixture(autouse=True)
def _small(monkeypatch):
    monkeypatch.setattr("resettle.demo.management.commands.demo_start.DEFAULT_PEOPLE", SMALL_DEMO)


def _start() -> str:
    out = StringIO()
    call_command("demo_start", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_on_an_empty_database_it_creates_the_demo_and_prints_the_sign_ins(settings):
    output = _start()
    password = settings.DEMO_PASSWORD_FILE.read_text().strip()
    assert Person.objects.count() > SMALL_DEMO
    assert "http://127.0.0.1:8000/" in output
    assert password in output
    for username in DEMO_USERNAMES:
        assert f"\n{username} " in output
    assert "Bridgeway Trust" in output
    assert "Peer mentor" in output


@pytest.mark.django_db
def test_when_the_demo_exists_it_prints_the_sign_ins_without_regenerating(settings):
    _start()
    people = set(Person.objects.values_list("pk", flat=True))
    output = _start()
    assert set(Person.objects.values_list("pk", flat=True)) == people
    assert "no users yet" not in output
    assert settings.DEMO_PASSWORD_FILE.read_text().strip() in output
    assert "\nmulti " in output


@pytest.mark.django_db
def test_with_only_real_users_it_adds_nothing_and_prints_no_secret(settings):
    User.objects.create_user("real.person", password="their-own-password")
    output = _start()
    assert not Person.objects.exists()
    assert "none of them is a demo account" in output
    assert "password" not in output.lower()
    assert not settings.DEMO_PASSWORD_FILE.exists()


@pytest.mark.django_db
def test_it_says_so_when_the_password_no_longer_matches(settings, monkeypatch):
    _start()
    monkeypatch.setenv("DEMO_PASSWORD", "a-different-password")
    output = _start()
    assert "does not match" in output
    assert "a-different-password" not in output.split("does not match")[1]


@pytest.mark.django_db
def test_it_says_so_when_the_password_is_no_longer_stored(settings):
    _start()
    settings.DEMO_PASSWORD_FILE.unlink()
    output = _start()
    assert "not stored here" in output
    assert "\ncaseworker " in output


@pytest.mark.django_db
def test_a_real_account_named_like_a_demo_login_is_not_taken_for_the_demo(settings):
    User.objects.create_user("admin", password="their-own-password")
    output = _start()
    assert "none of them is a demo account" in output
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_it_does_not_regenerate_over_a_demo_whose_users_were_deleted():
    _start()
    people = Person.objects.count()
    # Casework protects the users who recorded it, so it goes first.
    delete_casework(Person.objects.all(), Organisation.objects.all())
    User.objects.all().delete()
    output = _start()
    assert "--reset" in output
    assert Person.objects.count() == people


@pytest.mark.django_db
def test_it_prints_the_address_make_run_serves_on():
    out = StringIO()
    call_command("demo_start", "--address", "http://0.0.0.0:8123/", stdout=out)
    assert "Resettle is ready at http://0.0.0.0:8123/" in out.getvalue()
    assert ":8000" not in out.getvalue()
