"""One way for a page to handle a form: bind it, run the service on valid data, put every
error the service raises beside the field it is about (or above the form), and answer.

    form = PauseForm(bound_data(request))
    if response := run_form(
        request,
        form,
        lambda data: services.case_pause(actor=actor, case=case, reason=data["reason"]),
        success_url=reverse("cases:detail", args=[case.pk]),
        message="The case has been paused",
    ):
        return response
    return render_form(request, "cases/action.html", {"form": form, "case": case})

How each error reaches the user, decided here once:
- django's `ValidationError` with an `error_dict`: beside each named field the form has, the
  rest (and one without an `error_dict`) in the error summary;
- `resettle.core.exceptions.PermissionDenied`: the 403 page with its message;
- any other `ApplicationError`: in the error summary.

An invalid submission answers `INVALID_FORM_STATUS` on every page. It is 200, as Django's
form views and GOV.UK services built on them answer: the page is the form again with an error
summary, and htmx swaps a 200 where it would drop a 4xx.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.web.pages import forbidden

INVALID_FORM_STATUS = 200

T = TypeVar("T")


def bound_data(request: HttpRequest) -> QueryDict | None:
    """The posted data to bind a form to, or None on a GET so the form is unbound."""
    return request.POST if request.method == "POST" else None


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's errors beside the fields they are about (identifier errors are keyed by
    scheme, which is also the person form's field name); the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def run_form(
    request: HttpRequest,
    form: forms.BaseForm,
    service: Callable[[dict[str, Any]], T],
    *,
    success_url: str | Callable[[T], str],
    message: str | Callable[[T], str] | None = None,
) -> HttpResponse | None:
    """Run `service` with the form's cleaned data if the form is bound and valid.

    Returns the response to send (the redirect after success, or the 403 page), or None when
    the page should show the form: not submitted, invalid, or refused by the service, whose
    errors are then on the form.
    """
    if not form.is_bound or not form.is_valid():
        return None
    try:
        result = service(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return None
    if message is not None:
        messages.success(request, message(result) if callable(message) else message)
    return redirect(success_url(result) if callable(success_url) else success_url)


def form_status(*forms_: forms.BaseForm | None) -> int:
    """The status of a page showing these forms: the invalid-form status if any has errors."""
    return INVALID_FORM_STATUS if any(f is not None and f.errors for f in forms_) else 200


def render_form(
    request: HttpRequest, template: str, context: dict[str, Any], *, form_key: str = "form"
) -> HttpResponse:
    """Render a page holding a form (`context[form_key]`) with the one invalid-form status."""
    return render(request, template, context, status=form_status(context.get(form_key)))
