"""Delete the content of subject access packs past their 30 days. Asking for a pack and trying
to download an old one delete them too; this is for a nightly timer, so none outlives its 30
days by more than a day even when nobody asks."""

from typing import Any

from django.core.management.base import BaseCommand

from resettle.dataprotection.services import delete_expired_subject_access_exports


class Command(BaseCommand):
    help = "Delete the content of subject access packs past their 30 days."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = delete_expired_subject_access_exports()
        self.stdout.write(f"{deleted} subject access {'pack' if deleted == 1 else 'packs'} deleted")
