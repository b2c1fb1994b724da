"""Public report codes: "PA-" followed by 6 characters, e.g. PA-7K2Q9X.

The alphabet has 32 characters and leaves out 0, O, 1 and I, so a code read aloud or
copied by hand cannot be mistaken. Input is forgiving about case, spaces and dashes
("pa7k2q9x", "PA 7K2Q9X", "pa-7k2q9x", "7k2q9x") but NOT about 0/O/1/I: these can
only come from a typo, and guessing what was meant could show a citizen someone
else's report. Such input is rejected (None) and the bot asks again.
"""
from __future__ import annotations

import re
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PREFIX = "PA"
BODY_LENGTH = 6

_BODY_CLASS = "[2-9A-HJ-NP-Z]"
_SEPARATORS = r"[\s\-\u2010-\u2015_.:#/]*"
_FULL_CODE = re.compile(rf"(?:{PREFIX}{_SEPARATORS})?({_BODY_CLASS}{{{BODY_LENGTH}}})")
# In free text the prefix is required, otherwise any 6-letter word would match.
_CODE_IN_TEXT = re.compile(
    rf"(?<![^\W_]){PREFIX}{_SEPARATORS}({_BODY_CLASS}{{{BODY_LENGTH}}})(?![^\W_])"
)
_STRIP = re.compile(r"[\s\-\u2010-\u2015_.:#/]+")


def generate_code() -> str:
    """A new random code; uniqueness is enforced by the database."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return f"{PREFIX}-{body}"


def _canonical(text: str) -> str:
    return unicodedata.normalize("NFKC", text).upper()


def normalize_code(text: str) -> str | None:
    """The canonical code ("PA-7K2Q9X") for user input, or None if it is not a code."""
    compact = _STRIP.sub("", _canonical(text))
    match = _FULL_CODE.fullmatch(compact)
    return f"{PREFIX}-{match.group(1)}" if match else None


def find_codes(text: str) -> list[str]:
    """Canonical codes mentioned in a sentence, in order of appearance, without repeats."""
    found = (f"{PREFIX}-{m.group(1)}" for m in _CODE_IN_TEXT.finditer(_canonical(text)))
    return list(dict.fromkeys(found))
