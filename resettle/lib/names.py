"""Names: validation, and the keys that let search tolerate nicknames and typos."""

import unicodedata
from functools import lru_cache

import jellyfish
from django.core.exceptions import ValidationError
from nicknames import NickNamer

_NAME_PUNCTUATION = frozenset(" '\u2019.-")


def validate_name(value: str) -> None:
    """Letters in any script (with their accents), spaces, hyphens, apostrophes and full stops:
    names, not markup or numbers."""
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        return
    ok = unicodedata.category(text[0]).startswith("L") and all(
        unicodedata.category(c)[0] in "LM" or c in _NAME_PUNCTUATION for c in text
    )
    if not ok:
        raise ValidationError(
            "Names can only include letters, spaces, hyphens, apostrophes and full stops"
        )


@lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Case and accents removed, letters only, any script: "O'Brien-Smith" -> "obriensmith"."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if c.isalpha()).casefold()


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


@lru_cache(maxsize=16384)
def given_name_variants(value: str) -> frozenset[str]:
    """The name with its nicknames and the names it is a nickname of: Bill -> William, Will, ..."""
    folded = fold(value)
    if not folded:
        return frozenset()
    namer = _nicknamer()
    return frozenset({folded} | namer.nicknames_of(folded) | namer.canonicals_of(folded))
