"""Every API error is an RFC 9457 problem: `application/problem+json` with `type`, `title`,
`status`, `detail`, `instance`, and for invalid input `errors`: a list of `{field, message}`."""

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from resettle.core.exceptions import ApplicationError, PermissionDenied

T = TypeVar("T")

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
NOT_FOUND_DETAIL = "There is nothing here, or you do not have access to it."
AUTHENTICATE = 'Bearer realm="resettle"'


class ApiProblem(Exception):
    """Raised by API code to answer with a problem; anything else unexpected becomes a 500."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict = {
        # about:blank: the status code says all there is to say about the kind of problem.
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_errors(
    exc: DjangoValidationError, rename: Callable[[str], str] | None = None
) -> list[dict]:
    """`{field, message}` pairs from a Django ValidationError; `field` is null for whole-record
    errors. `rename` maps a model or service field name to the name the client sent."""
    if not hasattr(exc, "error_dict"):
        return [{"field": None, "message": message} for message in exc.messages]
    errors: list[dict] = []
    for field, messages in exc.message_dict.items():
        name = None if field == "__all__" else (rename(field) if rename else field)
        errors.extend({"field": name, "message": message} for message in messages)
    return errors


def invalid_input(errors: list[dict]) -> ApiProblem:
    return ApiProblem(400, "The request has invalid values. See `errors`.", errors=errors)


def named_in_body(field: str, get: Callable[..., T], *args: Any) -> T:
    """The record a request body names in `field`, read by a `get_*_for_actor` helper: one
    that does not exist or is not the actor's to see is invalid input (400), the same either
    way; a 404 would say the address was wrong."""
    try:
        return get(*args)
    except Http404 as exc:
        raise invalid_input([{"field": field, "message": f"There is no such {field}"}]) from exc


def _pydantic_field(loc: Iterable) -> str | None:
    # ninja's loc is (source, parameter name, *path) for bodies, (source, *path) otherwise;
    # the client only knows the path inside what it sent.
    parts = [str(part) for part in loc]
    if not parts:
        return None
    source, rest = parts[0], parts[1:]
    if source == "body" and rest:
        rest = rest[1:]
    return ".".join(rest) or None


# The schema's "has something that is not a space" rule, said as a person would.
NOT_BLANK_PATTERN = r"\S"


def _pydantic_message(error: dict) -> str:
    if error.get("type") == "string_pattern_mismatch" and (
        error.get("ctx", {}).get("pattern") == NOT_BLANK_PATTERN
    ):
        return "This field cannot be blank."
    message = error.get("msg", "Invalid value")
    # pydantic prefixes messages from our own validators with "Value error, ".
    return message.removeprefix("Value error, ")


def install_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiProblem)
    def on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem_response(
            request, exc.status, exc.detail, errors=exc.errors, headers=exc.headers
        )

    @api.exception_handler(NinjaValidationError)
    def on_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {"field": _pydantic_field(e.get("loc", ())), "message": _pydantic_message(e)}
            for e in exc.errors
        ]
        return on_problem(request, invalid_input(errors))

    @api.exception_handler(DjangoValidationError)
    def on_django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return on_problem(request, invalid_input(field_errors(exc)))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        # RFC 6750: say whether a token was missing or was sent and refused.
        challenge = AUTHENTICATE
        if "Authorization" in request.headers:
            challenge += ', error="invalid_token"'
        return problem_response(
            request,
            401,
            "Send a valid API token: `Authorization: Bearer <token>`. Tokens that are revoked "
            "or expired, or whose user is switched off or no longer a member of any organisation, "
            "no longer work.",
            headers={"WWW-Authenticate": challenge},
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem_response(request, exc.status_code, exc.message)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # One body for "absent" and "not yours", so probing ids learns nothing.
        return problem_response(request, 404, NOT_FOUND_DETAIL)

    @api.exception_handler(PermissionDenied)
    @api.exception_handler(DjangoPermissionDenied)
    def on_forbidden(
        request: HttpRequest, exc: PermissionDenied | DjangoPermissionDenied
    ) -> HttpResponse:
        detail = getattr(exc, "message", "") or "You do not have permission to do this."
        return problem_response(request, 403, detail)

    @api.exception_handler(ApplicationError)
    def on_rule_broken(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return problem_response(request, 422, exc.message)

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return problem_response(
            request, 413, f"The request body is too large: send at most {limit} KB."
        )

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged in full for operators; the client never sees a traceback, even with DEBUG on.
        logger.exception("Unhandled error in API request %s %s", request.method, request.path)
        return problem_response(request, 500, "Something went wrong. It has been logged.")
