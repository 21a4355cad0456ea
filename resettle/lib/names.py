"""Names: validation, and the keys that let search tolerate nicknames and typos."""

import re
import unicodedata
from functools import lru_cache

import jellyfish
from django.core.exceptions import ValidationError
from nicknames import NickNamer

# Letters in any script, spaces, hyphens, apostrophes and full stops: names, not markup.
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\u2019.\-][^\W\d_]*)*$")


def validate_name(value: str) -> None:
    if value and not _NAME.match(value.strip()):
        raise ValidationError(
            "Names can only include letters, spaces, hyphens, apostrophes and full stops"
        )


def fold(value: str) -> str:
    """Lower case, accents removed, letters only: 'O'Brien-Smith' -> 'obriensmith'."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if c.isalpha() and c.isascii()).lower()


def name_key(value: str) -> str:
    """A phonetic key (NYSIIS) that spelling slips usually leave unchanged: Steven/Stephen."""
    folded = fold(value)
    return jellyfish.nysiis(folded) if folded else ""


def letters_key(value: str) -> str:
    """The name's letters in order: a swap of two letters (Smtih/Smith) keeps the same key."""
    return "".join(sorted(fold(value)))


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


def given_name_variants(value: str) -> set[str]:
    """The name with its nicknames and the names it is a nickname of: Bill -> William, Will, ..."""
    folded = fold(value)
    if not folded:
        return set()
    namer = _nicknamer()
    return {folded} | namer.nicknames_of(folded) | namer.canonicals_of(folded)
