import logging
import os
import secrets
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from resettle.operations import readiness
from resettle.operations.management.commands.worker import beat
from resettle.operations.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

READYZ = "/readyz"


def test_healthz_answers_without_signing_in(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_is_ready_when_a_worker_was_seen_lately(client):
    beat("worker-1", timezone.now())

    response = client.get(READYZ)

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert set(response.json()["checks"]) == {"database", "migrations", "worker"}


def test_readyz_is_not_ready_before_any_worker_has_run(client):
    response = client.get(READYZ)

    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
    assert "manage.py worker" in response.json()["checks"]["worker"]["detail"]


def test_readyz_is_not_ready_when_the_worker_has_gone_quiet(client, settings):
    settings.WORKER_STALE_SECONDS = 120
    with time_machine.travel(timezone.now() - timedelta(minutes=5), tick=False):
        beat("worker-1", timezone.now())

    response = client.get(READYZ)

    assert response.status_code == 503
    assert "no task worker seen for 3" in response.json()["checks"]["worker"]["detail"]


def test_readyz_is_not_ready_while_migrations_wait(client, monkeypatch):
    beat("worker-1", timezone.now())
    monkeypatch.setattr(readiness, "_migrated", False)
    monkeypatch.setattr(
        readiness.MigrationExecutor, "migration_plan", lambda self, targets: [("a", False)]
    )

    response = client.get(READYZ)

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "ok": False,
        "detail": "1 not applied: run migrate",
    }


def test_a_heartbeat_updates_its_row_and_forgets_workers_gone_a_day():
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        beat("gone", timezone.now())
    beat("worker-1", timezone.now())
    beat("worker-1", timezone.now())

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["worker-1"]


def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert uuid.UUID(first) and uuid.UUID(second)
    assert first != second


def test_a_request_id_sent_by_a_proxy_is_kept_when_it_is_a_uuid(client):
    sent = str(uuid.uuid4())

    assert client.get("/healthz", headers={"X-Request-ID": sent})["X-Request-ID"] == sent
    junk = client.get("/healthz", headers={"X-Request-ID": "<script>"})["X-Request-ID"]
    assert junk != "<script>"


def test_the_request_log_names_the_route_never_the_search_words(
    client_as, cast, make_person, caplog
):
    person = make_person(cast.caseworker, given_name="Zebedee", family_name="Quartermaine")
    client = client_as(cast.caseworker)

    with caplog.at_level(logging.INFO, logger="resettle.request"):
        client.get(reverse("people:list"), {"q": "Quartermaine"})
        client.get(reverse("people:detail", args=[person.pk]))

    lines = [record for record in caplog.records if record.name == "resettle.request"]
    assert [line.route for line in lines] == ["people/", "people/<uuid:pk>/"]
    assert all(line.status == 200 and line.user_id == cast.caseworker.user_id for line in lines)
    logged = " ".join(str(vars(record)) for record in caplog.records)
    assert "Quartermaine" not in logged
    assert str(person.pk) not in logged


def test_signed_in_pages_and_api_answers_are_never_stored(client_as, api_as, cast):
    page = client_as(cast.caseworker).get(reverse("web:home"))
    api = api_as(cast.caseworker).get("/api/v1/people")

    for response in (page, api):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_public_pages_may_be_cached(client):
    response = client.get("/directory/")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_deployment_checks_pass_under_production_settings(tmp_path):
    """`manage.py check --deploy` as an operator would run it, with only the settings the README
    says production needs."""
    env = {
        **os.environ,
        "RESETTLE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "RESETTLE_AUDIT_KEY": secrets.token_urlsafe(60),
        "RESETTLE_AUDIT_CHECKPOINTS": str(tmp_path / "checkpoints.jsonl"),
        "ALLOWED_HOSTS": "resettle.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    finished = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr


def test_make_runs_demo_shows_the_services_error_pages_and_still_serves_its_styles(tmp_path):
    """`make run`'s settings: no Django debug page for an address that is not there, and the
    built frontend still served without collecting it."""
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env |= {"RESETTLE_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    finished = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; "
            "print(settings.DEBUG, settings.WHITENOISE_USE_FINDERS)",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split() == ["False", "True"]
