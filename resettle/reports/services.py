"""Files made from reports. Each download is recorded: figures leaving the service, even
suppressed ones, are the partnership's to account for."""

from django.http import HttpRequest

from resettle.accounts.models import Membership
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.reports.figures import Report
from resettle.reports.files import export


def report_download(
    *,
    actor: Membership | None,
    report: Report,
    file_format: str,
    request: HttpRequest | None = None,
) -> bytes:
    content = export(report, file_format)
    record_event(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=f"report:{report.kind}",
        object_id=report.scope.id,
        changes={
            "scope": [None, f"{report.scope.kind}:{report.scope.id}"],
            "period": [None, f"{report.period.start}/{report.period.end}"],
            "format": [None, file_format],
            "exact": [None, str(report.exact)],
        },
        request=request,
    )
    return content
