"""Vietnamese alphabetical order for names shown in lists (wards, transfer targets…).

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y: "Đống Đa" comes after
every name in D ("Dịch Vọng"), "Ô Chợ Dừa" after "Ngọc Hà" and before "Phú Thượng". Tone
marks are compared only when the letters are the same (secondary level), in dictionary order:
unmarked, huyền, hỏi, ngã, sắc, nặng. Case breaks the remaining ties (tertiary level, lower case
first), then the text itself, so the order is total and stable.

Letters outside the Vietnamese alphabet (f, j, w, z) sort where Latin puts them; digits come
before letters, and spaces and punctuation before both (word by word: "Ba Vì" < "Bạch Mai").
No ICU: names are decomposed with `unicodedata` and weighed from the tables below.
"""
from __future__ import annotations

import unicodedata

__all__ = ["ALPHABET", "sort_key", "sorted_names"]

ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()

# Combining marks that make another letter (ă â ê ô ơ ư) and the tone marks.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_LETTER_MARKS = {_BREVE, _CIRCUMFLEX, _HORN}
TONES = {  # unmarked 0
    "\u0300": 1,  # huyền
    "\u0309": 2,  # hỏi
    "\u0303": 3,  # ngã
    "\u0301": 4,  # sắc
    "\u0323": 5,  # nặng
}

_SEPARATOR = 0  # spaces, hyphens, punctuation: a shorter word sorts first
_DIGIT_BASE = 1
_LETTER_BASE = _DIGIT_BASE + 10
_OTHER = _LETTER_BASE + len(ALPHABET)  # anything else, after the letters, by code point

_LETTER_WEIGHT = {letter: _LETTER_BASE + n for n, letter in enumerate(ALPHABET)}


def _letters(text: str) -> list[tuple[str, int, bool]]:
    """(base letter with its letter marks, tone, upper case) for every character of `text`."""
    out: list[tuple[str, int, bool]] = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((TONES[m] for m in marks if m in TONES), 0)
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
        out.append((letter.lower(), tone, char != char.lower()))
    return out


def _primary(letter: str) -> tuple[int, int]:
    weight = _LETTER_WEIGHT.get(letter)
    if weight is not None:
        return weight, 0
    if letter.isdigit():
        return _DIGIT_BASE + unicodedata.digit(letter, 0), 0
    if letter.isspace() or not letter.isalnum():
        return _SEPARATOR, 0
    return _OTHER, ord(letter)


def sort_key(name: str) -> tuple:
    """A key for `sorted` that puts Vietnamese names in alphabetical order."""
    letters = _letters(name.strip())
    primary = tuple(_primary(letter) for letter, _tone, _upper in letters)
    secondary = tuple(tone for _letter, tone, _upper in letters)
    tertiary = tuple(upper for _letter, _tone, upper in letters)
    return primary, secondary, tertiary, name


def sorted_names(names: list[str]) -> list[str]:
    return sorted(names, key=sort_key)
