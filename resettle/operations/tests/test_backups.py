"""A backup restores whole, on whichever database the suite runs on (CI runs both)."""

import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from resettle.api.tests.conftest import add_person
from resettle.audit.models import AuditEvent
from resettle.operations import backups
from resettle.people.models import Person

# Committed data: pg_dump and the online backup read what is committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup(cast, tmp_path) -> Path:
    add_person(cast.caseworker, given_name="Robin", family_name="Backup")
    add_person(cast.caseworker, given_name="Sam", family_name="Restore")
    call_command("backup", to=tmp_path)
    [made] = tmp_path.glob("*.backup")
    return made


def test_a_backup_restores_whole_into_a_scratch_database(backup, capsys):
    call_command("verify_backup", str(backup))

    assert "restores whole" in capsys.readouterr().out
    with backups.opened(backup) as (manifest, _member):
        assert manifest["vendor"] == connection.vendor.replace("postgresql", "postgresql")
        assert manifest["row_counts"][Person._meta.db_table] == Person.objects.count() == 2
        assert sum(seq for seq, _hash in manifest["audit_heads"].values()) == (
            AuditEvent.objects.count()
        )


def test_restore_puts_everything_back_into_an_empty_database(backup):
    with backups.scratch_database(backups.Target.default()) as scratch:
        manifest = backups.restore(backup, scratch)

        counts, heads = backups._contents(scratch)
    assert counts == manifest["row_counts"]
    assert heads == manifest["audit_heads"]


def test_restore_refuses_a_database_that_holds_anything(backup):
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup))
    assert Person.objects.count() == 2


def test_a_backup_altered_after_writing_fails_verification_naming_it(backup):
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))

    with pytest.raises(CommandError, match=f"{backup.name} does not match its checksum"):
        call_command("verify_backup", str(backup))


def test_a_backup_rewritten_with_a_fresh_checksum_is_still_caught(backup, tmp_path):
    """Changing the database inside and re-checksumming the whole file leaves the manifest's
    own checksum of the database wrong."""
    unpacked = tmp_path / "unpacked"
    with tarfile.open(backup) as archive:
        archive.extractall(unpacked, filter="data")
    member = next(path for path in unpacked.iterdir() if path.name.startswith("database"))
    member.write_bytes(member.read_bytes() + b"\0")
    with tarfile.open(backup, "w") as archive:
        for path in sorted(unpacked.iterdir()):
            archive.add(path, arcname=path.name)
    Path(f"{backup}.sha256").write_text(f"{backups._sha256(backup)}  {backup.name}\n")

    with pytest.raises(CommandError, match="does not match its manifest"):
        call_command("verify_backup", str(backup))


def test_a_backup_without_its_checksum_is_not_trusted(backup):
    Path(f"{backup}.sha256").unlink()

    with pytest.raises(CommandError, match="cannot be checked"):
        call_command("verify_backup", str(backup))
