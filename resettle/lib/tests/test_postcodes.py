import pytest

from resettle.lib.postcodes import normalise_postcode


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("  M1 1AE ", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_real_postcodes_are_normalised_to_outward_space_inward(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "SW1A",
        "1AA",
        "SW1A 1AAA",
        "QA1 1AA",  # Q is never the first letter
        "SW1A 1CA",  # C is never in the inward code's letters
        "12345",
        "<b>SW1A 1AA</b>",
    ],
)
def test_malformed_postcodes_are_refused(typed):
    with pytest.raises(ValueError, match="real UK postcode"):
        normalise_postcode(typed)
