"""Validation and normalisation of the identifiers a person may hold.

Each function takes what a user typed and returns the canonical form, or raises
ValueError with a message written for the person who typed it.
"""

import re
from datetime import date

PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
_PNC = re.compile(r"^(\d{2}|\d{4})/?(\d{1,7})([A-Z])$")
_PRISON_NUMBER = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")
_CRN = re.compile(r"^[A-Z]\d{6}$")
_NI = re.compile(r"^([A-Z]{2})(\d{6})([A-D])$")
# HMRC: neither D, F, I, Q, U nor V in either prefix letter; O not second; these pairs never issued.
_NI_BAD_PREFIXES = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def pnc_check_letter(year: str, serial: str) -> str:
    """The check letter of a PNC ID: (2-digit year + 7-digit serial) mod 23."""
    return PNC_CHECK_LETTERS[int(year[-2:] + serial.zfill(7)) % 23]


def normalise_pnc(value: str) -> str:
    """PNC ID, e.g. 2012/0052494Q: always returned with a 4-digit year and 7-digit serial."""
    match = _PNC.match(_squash(value))
    if not match:
        raise ValueError("Enter a PNC ID in the format 2012/0052494Q")
    year, serial, check = match.groups()
    if pnc_check_letter(year, serial) != check:
        raise ValueError("Enter a real PNC ID: the check letter does not match the number")
    if len(year) == 2:
        # The short form drops the century: a year after this one must be from the 1900s.
        this_year = date.today().year
        year = f"20{year}" if int(year) <= this_year % 100 else f"19{year}"
    return f"{year}/{serial.zfill(7)}{check}"


def normalise_prison_number(value: str) -> str:
    """HMPPS prison number (NOMS number), e.g. A1234BC."""
    squashed = _squash(value)
    if not _PRISON_NUMBER.match(squashed):
        raise ValueError("Enter a prison number in the format A1234BC")
    return squashed


def normalise_crn(value: str) -> str:
    """Probation case reference number (nDelius CRN), e.g. X123456."""
    squashed = _squash(value)
    if not _CRN.match(squashed):
        raise ValueError("Enter a probation case reference (CRN) in the format X123456")
    return squashed


def normalise_ni_number(value: str) -> str:
    """National Insurance number, e.g. QQ123456C is the HMRC example (and is not a real prefix)."""
    squashed = _squash(value)
    match = _NI.match(squashed)
    if not match:
        raise ValueError("Enter a National Insurance number in the format AB123456C")
    prefix = match.group(1)
    if prefix[0] in "DFIQUV" or prefix[1] in "DFIOQUV" or prefix in _NI_BAD_PREFIXES:
        raise ValueError("Enter a real National Insurance number: that prefix is never issued")
    return squashed


NORMALISERS = {
    "prison_number": normalise_prison_number,
    "crn": normalise_crn,
    "pnc": normalise_pnc,
    "ni_number": normalise_ni_number,
}


def normalise_identifier(scheme: str, value: str) -> str:
    try:
        return NORMALISERS[scheme](value)
    except KeyError as exc:
        raise ValueError(f"Unknown identifier scheme {scheme!r}") from exc
