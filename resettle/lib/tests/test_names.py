import unicodedata

import pytest
from django.core.exceptions import ValidationError

from resettle.lib.names import fold, given_name_variants, letters_key, name_key, validate_name


@pytest.mark.parametrize(
    "name",
    [
        "O'Brien",
        "O\u2019Brien",  # typographic apostrophe, as phones type it
        "Anne-Marie",
        "Zoë",
        "José",
        "Siân",
        "Ó Súilleabháin",
        "St. John",
        "Mary Jane",
        "Иван",
        "李",
        "محمد",
    ],
)
def test_real_names_are_accepted(name):
    validate_name(name)


@pytest.mark.parametrize(
    "name",
    [
        unicodedata.normalize("NFD", "Zoë"),  # e + combining diaeresis, as macOS pastes it
        "प्रिया",  # Devanagari: vowel signs and virama are combining marks
    ],
)
def test_names_with_combining_marks_are_accepted(name):
    try:
        validate_name(name)
    except ValidationError:
        pytest.fail(
            f"validate_name refused {name!r}: letters written with combining marks "
            "(decomposed accents, Indic vowel signs) are part of real names"
        )


@pytest.mark.parametrize(
    "name", ["<script>", "<script>alert(1)</script>", "J0hn", "Agent 47", "Robert_Smith", "a@b"]
)
def test_markup_digits_and_symbols_are_refused(name):
    with pytest.raises(ValidationError):
        validate_name(name)


def test_empty_name_is_left_to_required_field_checks():
    validate_name("")


def test_fold_lower_cases_and_removes_accents_and_punctuation():
    assert fold("O'Brien-Smith") == "obriensmith"
    assert fold("Zoë") == "zoe"
    assert fold(unicodedata.normalize("NFD", "José")) == "jose"


def test_name_key_is_the_same_for_common_spelling_slips():
    assert name_key("Steven") == name_key("Stephen")
    assert name_key("Zoë") == name_key("Zoe")


def test_name_key_of_an_empty_name_is_empty():
    assert name_key("") == ""


def test_letters_key_is_unchanged_by_swapped_letters():
    assert letters_key("Smtih") == letters_key("Smith")
    assert letters_key("Smith") != letters_key("Smyth")


def test_nickname_variants_include_the_formal_name():
    assert "william" in given_name_variants("Bill")


def test_formal_name_variants_include_its_nicknames():
    variants = given_name_variants("William")
    assert {"bill", "will"} <= variants


def test_variants_include_the_name_itself_folded():
    assert "jon" in given_name_variants("Jon")
    assert "john" in given_name_variants("Jon")


def test_no_variants_for_an_empty_name():
    assert given_name_variants("") == set()
