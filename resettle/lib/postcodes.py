"""UK postcodes: the Royal Mail format (outward code, space, inward code), including GIR 0AA."""

import re

_POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_postcode(value: str) -> str:
    squashed = re.sub(r"\s+", "", value).upper()
    if not _POSTCODE.match(squashed):
        raise ValueError("Enter a real UK postcode, like SW1A 1AA")
    return f"{squashed[:-3]} {squashed[-3:]}"
