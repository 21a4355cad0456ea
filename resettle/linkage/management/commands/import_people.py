"""Import an organisation's person records from a CSV or XLSX file for record linkage, as the
system principal: every row checked first, then all imported in one transaction, or none. See
`resettle/linkage/imports.py` for the columns and what a re-import changes."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from resettle.access.principals import SystemPurpose
from resettle.access.services import system_principal_start
from resettle.accounts.models import Organisation
from resettle.core.exceptions import ApplicationError
from resettle.linkage import imports


class Command(BaseCommand):
    help = (
        "Import an organisation's person records from a CSV or XLSX file with the columns "
        + ", ".join(imports.COLUMNS)
        + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV (UTF-8) or XLSX file.")
        parser.add_argument(
            "--organisation",
            required=True,
            help="The organisation's slug (its name in lower case with hyphens) or its name.",
        )

    def handle(self, *args: Any, file: Path, organisation: str, **options: Any) -> None:
        holder = _organisation(organisation)
        try:
            sheet = imports.read_sheet(file)
        except imports.UnreadableFile as error:
            raise CommandError(error.message) from error
        try:
            # One transaction: a refused file leaves no trace, the principal's start included.
            with transaction.atomic():
                principal = system_principal_start(purpose=SystemPurpose.PEOPLE_IMPORT)
                result = imports.people_import(
                    principal=principal, organisation=holder, sheet=sheet
                )
        except imports.ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(refused.message) from refused
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"{holder.name}: created {result.created:,}, updated {result.updated:,}, "
            f"unchanged {result.unchanged:,}."
        )


def _organisation(wanted: str) -> Organisation:
    """Organisations have no stored slug: theirs is their name's."""
    found = [
        organisation
        for organisation in Organisation.objects.order_by("name")
        if wanted in (organisation.name, slugify(organisation.name))
    ]
    if not found:
        raise CommandError(f"No organisation has the slug or name {wanted!r}.")
    if len(found) > 1:
        names = ", ".join(repr(organisation.name) for organisation in found)
        raise CommandError(
            f"Several organisations have the slug {wanted!r} ({names}): give the name."
        )
    return found[0]
