import pytest

from resettle.lib.identifiers import (
    normalise_crn,
    normalise_identifier,
    normalise_ni_number,
    normalise_pnc,
    normalise_prison_number,
    pnc_check_letter,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("A1234BC", "A1234BC"), ("a1234bc", "A1234BC"), (" A 1234 BC ", "A1234BC")],
)
def test_prison_number_is_normalised_to_upper_case_without_spaces(typed, expected):
    assert normalise_prison_number(typed) == expected


@pytest.mark.parametrize("typed", ["", "A123BC", "A12345BC", "11234BC", "A1234B1", "AB1234C"])
def test_malformed_prison_number_is_refused_with_the_expected_format(typed):
    with pytest.raises(ValueError, match="A1234BC"):
        normalise_prison_number(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("X123456", "X123456"), ("x123456", "X123456"), ("X 123 456", "X123456")],
)
def test_crn_is_normalised(typed, expected):
    assert normalise_crn(typed) == expected


@pytest.mark.parametrize("typed", ["", "X12345", "X1234567", "1234567", "XX12345"])
def test_malformed_crn_is_refused(typed):
    with pytest.raises(ValueError, match="X123456"):
        normalise_crn(typed)


def test_pnc_with_the_right_check_letter_is_accepted():
    assert normalise_pnc("2012/0052494Q") == "2012/0052494Q"


def test_pnc_check_letter_is_year_and_serial_modulo_23():
    # 120052494 mod 23 = 14, and the 15th letter of ZABCDEFGHJKLMNPQRTUVWXY is Q.
    assert pnc_check_letter("2012", "0052494") == "Q"


def test_pnc_with_the_wrong_check_letter_is_refused():
    with pytest.raises(ValueError, match="check letter"):
        normalise_pnc("2012/0052494R")


def test_pnc_serial_is_zero_padded_and_case_and_spaces_ignored():
    assert normalise_pnc(" 2012/52494q ") == "2012/0052494Q"


def test_pnc_in_short_year_form_is_the_same_identifier_as_the_long_form():
    # Both forms name one PNC record; if they normalised differently the unique constraint
    # on identifiers would let one person be recorded twice, and search by one form would
    # miss a record saved in the other.
    assert normalise_pnc("12/52494Q") == normalise_pnc("2012/0052494Q"), (
        "A short-year PNC ID (12/52494Q) should normalise to the four-digit-year form "
        "(2012/0052494Q) so both forms are one identifier"
    )


@pytest.mark.parametrize("typed", ["", "2012/Q", "2012/12345678Q", "201/0052494Q", "2012/0052494"])
def test_malformed_pnc_is_refused(typed):
    with pytest.raises(ValueError, match="2012/0052494Q"):
        normalise_pnc(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("AB123456C", "AB123456C"), ("ab 12 34 56 c", "AB123456C"), ("JZ123456D", "JZ123456D")],
)
def test_ni_number_is_normalised(typed, expected):
    assert normalise_ni_number(typed) == expected


@pytest.mark.parametrize("typed", ["", "AB123456", "AB12345C", "AB123456E", "A1234567C"])
def test_malformed_ni_number_is_refused(typed):
    with pytest.raises(ValueError, match="AB123456C"):
        normalise_ni_number(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "QQ123456C",  # HMRC's example number: Q is never a first letter
        "DA123456A",
        "FA123456A",
        "IA123456A",
        "UA123456A",
        "VA123456A",
        "AO123456A",  # O is never the second letter
        "AD123456A",
        "BG123456A",
        "GB123456A",
        "NK123456A",
        "KN123456A",
        "TN123456A",
        "NT123456A",
        "ZZ123456A",
    ],
)
def test_ni_number_with_a_prefix_never_issued_is_refused(typed):
    with pytest.raises(ValueError, match="never issued"):
        normalise_ni_number(typed)


def test_identifier_is_normalised_by_its_scheme():
    assert normalise_identifier("prison_number", "a1234bc") == "A1234BC"
    assert normalise_identifier("ni_number", "ab123456c") == "AB123456C"


def test_unknown_identifier_scheme_is_refused():
    with pytest.raises(ValueError, match="Unknown identifier scheme"):
        normalise_identifier("passport", "123")
