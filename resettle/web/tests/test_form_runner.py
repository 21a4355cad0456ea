"""run_form: a service run from a bound form, each error shape mapped once, one status."""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory

from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.web.form_runner import (
    INVALID_FORM_STATUS,
    add_service_errors,
    bound_data,
    render_form,
    run_form,
)
from resettle.web.forms import GovukForm


class NoteForm(GovukForm):
    note = forms.CharField(label="Note")
    ref = forms.CharField(widget=forms.HiddenInput, required=False)

    class Layout:
        title = "Add a note"
        caption = "Sam Smith"
        button = "Add note"
        warning = "Everyone on the case will see it."


def request_for(method: str = "post", data: dict | None = None):
    request = getattr(RequestFactory(), method)("/notes/", data or {})
    request.user = AnonymousUser()
    request.actor = None
    request._messages = CookieStorage(request)
    return request


def run(request, form, service, **kwargs):
    return run_form(request, form, service, success_url="/done/", **kwargs)


def test_a_valid_form_runs_the_service_with_its_data_then_redirects_with_the_message():
    request = request_for(data={"note": "Met at the gate"})
    seen = []

    response = run(
        request,
        NoteForm(bound_data(request)),
        seen.append,
        message=lambda result: f"Done: {result}",
    )

    assert response.status_code == 302
    assert response["Location"] == "/done/"
    assert seen == [{"note": "Met at the gate", "ref": ""}]
    assert [str(m) for m in get_messages(request)] == ["Done: None"]


def test_the_redirect_can_come_from_what_the_service_returns():
    request = request_for(data={"note": "x"})

    response = run_form(
        request, NoteForm(request.POST), lambda data: 7, success_url=lambda pk: f"/notes/{pk}/"
    )

    assert response["Location"] == "/notes/7/"


def test_an_unbound_form_does_not_run_the_service():
    request = request_for("get")
    form = NoteForm(bound_data(request))

    assert not form.is_bound
    assert run(request, form, pytest.fail) is None


def test_an_invalid_form_does_not_run_the_service():
    request = request_for(data={})
    form = NoteForm(request.POST)

    assert run(request, form, pytest.fail) is None
    assert form.errors["note"]


def raises(exc: Exception):
    def service(data):
        raise exc

    return service


def test_field_errors_from_the_service_go_beside_their_fields_and_the_rest_above():
    request = request_for(data={"note": "x"})
    form = NoteForm(request.POST)
    error = ValidationError({"note": "Too short", "elsewhere": "Not allowed now"})

    assert run(request, form, raises(error)) is None

    assert form.errors["note"] == ["Too short"]
    assert form.non_field_errors() == ["Not allowed now"]


def test_an_error_without_fields_goes_above_the_form():
    request = request_for(data={"note": "x"})
    form = NoteForm(request.POST)

    assert run(request, form, raises(ValidationError(["One", "Two"]))) is None

    assert form.non_field_errors() == ["One", "Two"]


def test_a_broken_rule_goes_above_the_form():
    request = request_for(data={"note": "x"})
    form = NoteForm(request.POST)

    assert run(request, form, raises(ApplicationError("The case is closed"))) is None

    assert form.non_field_errors() == ["The case is closed"]


def test_a_refusal_answers_the_forbidden_page_with_its_reason():
    request = request_for(data={"note": "x"})

    response = run(request, NoteForm(request.POST), raises(PermissionDenied("Not your case")))

    assert response.status_code == 403
    assert "Not your case" in response.content.decode()


def test_add_service_errors_keeps_unknown_fields_above_the_form():
    form = NoteForm({"note": "x"})
    form.is_valid()

    add_service_errors(form, ValidationError({"scheme": ["Taken"]}))

    assert form.non_field_errors() == ["Taken"]


def test_a_page_with_an_invalid_form_answers_the_one_invalid_status():
    request = request_for(data={})
    form = NoteForm(request.POST)
    run(request, form, pytest.fail)

    page = render_form(request, "includes/form.html", {"form": form})

    assert page.status_code == INVALID_FORM_STATUS == 200
    assert render_form(request, "includes/form.html", {"form": NoteForm()}).status_code == 200


def test_the_include_shows_what_the_form_declares_and_its_hidden_fields():
    form = NoteForm(initial={"ref": "abc"})

    html = render_to_string("includes/form.html", {"form": form})

    assert '<span class="govuk-caption-l">Sam Smith</span>' in html
    assert '<h1 class="govuk-heading-l">Add a note</h1>' in html
    assert "Everyone on the case will see it." in html
    assert ">Add note</button>" in html
    assert 'type="hidden" name="ref" value="abc"' in html


def test_the_include_arguments_win_over_the_layout():
    html = render_to_string(
        "includes/form.html", {"form": NoteForm()} | {"heading": "Other", "button": "Go"}
    )

    assert '<h1 class="govuk-heading-l">Other</h1>' in html
    assert ">Go</button>" in html


def test_a_form_without_a_layout_has_a_save_button_and_no_heading():
    class Bare(GovukForm):
        note = forms.CharField()

    html = render_to_string("includes/form.html", {"form": Bare()})

    assert "<h1" not in html
    assert ">Save</button>" in html


def test_a_destructive_form_has_the_red_warning_button_and_the_include_may_say_so():
    class End(GovukForm):
        class Layout:
            button = "Close case"
            button_style = "warning"

    declared = render_to_string("includes/form.html", {"form": End()})
    passed = render_to_string("includes/form.html", {"form": NoteForm(), "button_style": "warning"})

    assert 'class="govuk-button govuk-button--warning"' in declared
    assert 'class="govuk-button govuk-button--warning"' in passed
    assert "govuk-button--warning" not in render_to_string(
        "includes/form.html", {"form": NoteForm()}
    )


def test_a_second_way_to_submit_posts_its_name_from_a_secondary_button():
    class Step(GovukForm):
        class Layout:
            secondary_button = ("another", "Add and add another")

    html = render_to_string("includes/form.html", {"form": Step()})

    assert (
        'name="another" value="1" class="govuk-button govuk-button--secondary"' in html
        and ">Add and add another</button>" in html
    )


def test_the_warning_tag_wraps_markup_in_the_one_warning_include():
    html = (
        engines["django"]
        .from_string('{% load govuk %}{% warning %}Full. <a href="/w">Wait</a>{% endwarning %}')
        .render({})
    )

    assert '<div class="govuk-warning-text">' in html
    assert 'Warning</span>Full. <a href="/w">Wait</a></strong>' in html


def test_the_include_may_word_its_cancel_link_hide_its_buttons_and_post_files():
    plain = render_to_string("includes/form.html", {"form": NoteForm(), "cancel_url": "/back"})
    worded = render_to_string(
        "includes/form.html",
        {
            "form": NoteForm(),
            "cancel_url": "/back",
            "cancel_text": "Choose another",
            "hide_button": True,
            "enctype": "multipart/form-data",
        },
    )

    assert '<a class="govuk-link" href="/back">Cancel</a>' in plain
    assert 'type="submit"' in plain and "enctype" not in plain
    assert '<a class="govuk-link" href="/back">Choose another</a>' in worded
    assert 'type="submit"' not in worded
    assert '<form method="post" enctype="multipart/form-data" novalidate>' in worded
