"""GovukDateField's messages, and includes/form.html showing fields as GOV.UK components."""

import re
from datetime import date

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory

from resettle.web.forms import GovukDateField, GovukForm


class ExampleForm(GovukForm):
    name = forms.CharField(label="Full name", help_text="As on their ID")
    date_of_birth = GovukDateField(label="Date of birth")
    released_on = forms.DateField(label="Release date", required=False)
    colour = forms.ChoiceField(label="Colour", choices=[("r", "Red"), ("g", "Green")])
    town = forms.ChoiceField(label="Town", choices=[(str(n), f"Town {n}") for n in range(12)])
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    agree = forms.BooleanField(label="I agree", required=False)
    days = forms.MultipleChoiceField(
        label="Days",
        choices=[("mon", "Monday")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def bound(**dob):
    data = {"name": "Sam", "colour": "r", "town": "3"}
    data |= {f"date_of_birth_{part}": value for part, value in dob.items()}
    return ExampleForm(data)


def test_a_real_date_is_cleaned_to_a_date():
    form = bound(day="7", month="03", year="1990")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == date(1990, 3, 7)
    assert form.cleaned_data["released_on"] is None


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({}, "Enter a date of birth"),
        ({"day": "7", "year": "1990"}, "Date of birth must include a month"),
        ({"year": "1990"}, "Date of birth must include a day and month"),
        ({"day": "31", "month": "2", "year": "1990"}, "Date of birth must be a real date"),
        ({"day": "x", "month": "2", "year": "1990"}, "Date of birth must be a real date"),
        ({"day": "1", "month": "2", "year": "90"}, "Year must include 4 numbers"),
    ],
)
def test_date_errors_say_what_is_wrong(parts, message):
    form = bound(**parts)
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_model_date_fields_become_three_box_dates_with_their_label():
    field = ExampleForm().fields["released_on"]
    assert isinstance(field, GovukDateField)
    assert field.error_messages["required"] == "Enter a release date"


def render(form):
    request = RequestFactory().get("/")
    return render_to_string("includes/form.html", {"form": form, "button": "Save"}, request)


def test_each_field_renders_as_its_gov_uk_component():
    html = render(ExampleForm())
    assert 'class="govuk-input"' in html and 'aria-describedby="id_name-hint"' in html
    assert re.search(r'<input[^>]*name="date_of_birth_day"[^>]*id="id_date_of_birth"', html)
    assert re.search(r'<input[^>]*name="date_of_birth_year"[^>]*id="id_date_of_birth-year"', html)
    assert 'class="govuk-radios__input" id="id_colour"' in html
    assert '<select name="town" class="govuk-select"' in html
    assert 'class="govuk-textarea"' in html
    assert 'class="govuk-checkboxes__input" id="id_agree"' in html
    assert 'class="govuk-checkboxes__input" id="id_days"' in html
    assert "csrfmiddlewaretoken" in html
    assert ">Save</button>" in html
    assert "There is a problem" not in html


def test_errors_show_in_a_summary_linked_to_the_first_box_and_beside_the_field():
    html = render(bound(day="31", month="2", year="1990"))
    assert '<a href="#id_date_of_birth">Date of birth must be a real date</a>' in html
    assert 'id="id_date_of_birth-error"' in html
    assert "govuk-form-group--error" in html
    assert "govuk-input--error" in html
    # The boxes keep what was typed.
    assert 'name="date_of_birth_day" value="31"' in html


def test_unbound_date_shows_its_initial_value():
    html = render(ExampleForm(initial={"date_of_birth": date(1990, 3, 7)}))
    assert 'name="date_of_birth_month" value="3"' in html
