"""`manage.py link_people` and `manage.py export_links`."""

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from resettle.audit.models import AuditEvent
from resettle.linkage.models import LinkageRun, RunState


def test_link_people_links_and_export_links_writes_every_record(cast, make_person, tmp_path):
    born = date(1980, 3, 4)
    make_person(cast.caseworker, given_name="William", family_name="Smith", date_of_birth=born)
    make_person(cast.probation, given_name="Bill", family_name="Smith", date_of_birth=born)
    out = io.StringIO()
    call_command("link_people", stdout=out)
    assert "2 records, 1 people" in out.getvalue()
    assert LinkageRun.objects.get().state == RunState.DONE

    path = tmp_path / "links.csv"
    call_command("export_links", "--out", str(path), stdout=io.StringIO())
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 2
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"]
    assert AuditEvent.objects.filter(object_type="person_links").exists()


def test_link_people_links_new_records_only_unless_asked_for_every_record(cast, make_person):
    born = date(1980, 3, 4)
    make_person(cast.caseworker, given_name="William", family_name="Smith", date_of_birth=born)
    make_person(cast.probation, given_name="Bill", family_name="Smith", date_of_birth=born)
    call_command("link_people", stdout=io.StringIO())
    make_person(cast.housing, given_name="Billy", family_name="Smith", date_of_birth=born)

    out = io.StringIO()
    call_command("link_people", stdout=out)
    assert "3 records, 1 people" in out.getvalue()
    assert "incremental run, 1 records linked" in out.getvalue()

    out = io.StringIO()
    call_command("link_people", "--full", stdout=out)
    assert "full run, 3 records linked" in out.getvalue()
    assert list(LinkageRun.objects.order_by("created_at").values_list("kind", flat=True)) == [
        "full",
        "incremental",
        "full",
    ]


def test_link_people_refuses_an_unknown_partnership(cast):
    with pytest.raises(CommandError, match="No partnership"):
        call_command("link_people", "--partnership", "Nowhere", stdout=io.StringIO())


def test_link_people_takes_thresholds_and_links_every_record_again_when_they_change(
    cast, make_person
):
    make_person(cast.caseworker, given_name="William", family_name="Smith")
    call_command("link_people", stdout=io.StringIO())
    call_command("link_people", "--upper", "5", "--lower", "-2", stdout=io.StringIO())
    last = LinkageRun.objects.latest("created_at")
    assert (last.kind, last.upper_threshold, last.lower_threshold) == ("full", 5.0, -2.0)

    with pytest.raises(CommandError, match="must be above the lower one"):
        call_command("link_people", "--upper", "-3", stdout=io.StringIO())
    assert LinkageRun.objects.count() == 2
