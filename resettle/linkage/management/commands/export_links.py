"""Every person record with its cluster from each partnership's latest finished linkage run, as
CSV: person_id, organisation, source_id (the organisation's own id for a record it imported,
blank for others), cluster_id, match_weight. For the deployment's operators; audited, as the file
says which records are the same person."""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.linkage.models import LinkageRun, PersonLink, RunState, SourceRecord
from resettle.partnerships.models import Partnership
from resettle.people.models import WorkingRelationship

COLUMNS = ["person_id", "organisation", "source_id", "cluster_id", "match_weight"]


class Command(BaseCommand):
    help = "Write every person record's cluster (latest finished linkage run) to a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="The CSV file to write.")

    def handle(self, *args: Any, out: Path, **options: Any) -> None:
        rows = 0
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for partnership in Partnership.objects.order_by("name"):
                run = (
                    LinkageRun.objects.filter(partnership=partnership, state=RunState.DONE)
                    .order_by("-created_at")
                    .first()
                )
                if run is None:
                    continue
                organisations: dict[Any, list[str]] = {}
                for person_id, name in (
                    WorkingRelationship.objects.filter(
                        organisation__in=partnership.organisations.all()
                    )
                    .order_by("organisation__name")
                    .values_list("person_id", "organisation__name")
                    .distinct()
                ):
                    organisations.setdefault(person_id, []).append(name)
                # The organisation's own id for the record, where an import made it.
                source_ids: dict[tuple[Any, str], str] = {}
                for person_id, name, source_id in (
                    SourceRecord.objects.filter(organisation__in=partnership.organisations.all())
                    .order_by("source_id")
                    .values_list("person_id", "organisation__name", "source_id")
                ):
                    source_ids.setdefault((person_id, name), source_id)
                links = PersonLink.objects.filter(run=run).values_list(
                    "person_id", "cluster_id", "match_weight"
                )
                for person_id, cluster_id, weight in links.iterator(chunk_size=5_000):
                    for organisation in organisations.get(person_id, [""]):
                        writer.writerow(
                            [
                                person_id,
                                organisation,
                                source_ids.get((person_id, organisation), ""),
                                cluster_id,
                                "" if weight is None else f"{weight:.2f}",
                            ]
                        )
                        rows += 1
        record_event(
            actor=None,
            action=AuditAction.EXPORT,
            object_type="person_links",
            changes={"rows": [None, str(rows)], "file": [None, str(out)]},
        )
        self.stdout.write(f"Wrote {rows:,} rows to {out}.")
