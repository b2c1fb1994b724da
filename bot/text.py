"""Vietnamese text normalisation shared by the NLU pipeline and the place resolver.

Every function here is pure and cheap. `fold` is length-preserving on NFC input, so
offsets computed on folded text are valid on the original NFC text.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple

import yaml

DATA_DIR = Path(__file__).parent / "data"

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
# One-for-one character substitutions: typographic punctuation and odd spaces to plain ASCII.
_PUNCTUATION = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u00b4": "'",
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": ".", "\u00a0": " ", "\u3000": " ",
    "\u2009": " ", "\u202f": " ", "\uff0c": ",", "\uff0e": ".", "\uff1f": "?", "\uff01": "!",
})
_WORD = re.compile(r"\w+", re.UNICODE)

# "Old" tone placement puts the mark on the first vowel of open oa/oe/uy syllables
# ("hòa", "khỏe", "thủy"); the "new" style puts it on the second ("hoà", "khoẻ", "thuỷ").
# We normalise to the old style, which is what the gazetteer and most official texts use.
_OPEN_DIPHTHONG = re.compile(
    r"(?<![^\W\d_])(?P<head>[^\W\d_]*?)(?P<first>[oOuU])(?P<second>[àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ])(?![^\W\d_])"
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _move_tone(match: "re.Match[str]") -> str:
    head, first, second = match.group("head"), match.group("first"), match.group("second")
    pair = (first + second).lower()
    if not (pair[0] == "o" and pair[1] in "aàáảãạeèéẻẽẹ" or pair[0] == "u" and pair[1] in "yỳýỷỹỵ"):
        return match.group(0)
    if head.lower().endswith("q") or (pair[0] == "u" and head.lower().endswith("g")):
        return match.group(0)  # "quý", "quà": the u belongs to the consonant
    decomposed = unicodedata.normalize("NFD", second)
    tones = [c for c in decomposed if c in _TONE_MARKS]
    bare_second = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    marked_first = unicodedata.normalize("NFC", first + "".join(tones))
    return head + marked_first + bare_second


def normalize_tone_marks(text: str) -> str:
    """Unify tone-mark placement in open oa/oe/uy syllables: "hoà" → "hòa", "thuỷ" → "thủy"."""
    return _OPEN_DIPHTHONG.sub(_move_tone, nfc(text))


def normalize_in_place(text: str) -> str:
    """NFC, one tone-mark style, plain punctuation, control characters as spaces.

    Every step maps one character to one character, so on NFC input the result has the same
    length and entity offsets annotated on the input stay valid.
    """
    return normalize_tone_marks(_CONTROL.sub(" ", nfc(text or "")).translate(_PUNCTUATION))


def normalize(text: str) -> str:
    """`normalize_in_place`, then single spaces and no blank lines; keeps case and diacritics."""
    text = normalize_in_place(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    base = base.lower()
    return base if len(base) == 1 else ch.lower()


def fold(text: str) -> str:
    """Lower-case and strip diacritics ("Đống Đa" → "dong da"); one character in, one out."""
    return "".join(_fold_char(ch) for ch in nfc(text))


def has_diacritics(text: str) -> bool:
    return fold(text) != nfc(text).lower()


class Token(NamedTuple):
    text: str  # the NFC, tone-normalised, lower-cased surface form
    folded: str
    start: int
    end: int


def tokens(text: str) -> List[Token]:
    """Word tokens; offsets are valid in `nfc(text)` (tone moves and lower() keep lengths)."""
    text = normalize_tone_marks(text).lower()
    return [Token(m.group(0), fold(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(text)]


def iter_words(text: str) -> Iterator[str]:
    for m in _WORD.finditer(text):
        yield m.group(0)


@lru_cache(maxsize=None)
def abbreviations(*groups: str) -> Dict[str, str]:
    """Abbreviations keyed by folded form (data/abbreviations.yml); all groups when none named."""
    raw = yaml.safe_load((DATA_DIR / "abbreviations.yml").read_text(encoding="utf-8"))["groups"]
    table: Dict[str, str] = {}
    for name in groups or tuple(raw):
        for short, full in raw[name].items():
            table[fold(str(short))] = fold(str(full))
    return table


def expand_token(folded_token: str) -> str:
    """The folded full form of one folded token ("ko" → "khong", "p" → "phuong")."""
    return abbreviations().get(folded_token, folded_token)


def canonical(text: str) -> str:
    """Folded words with abbreviations expanded: the form we compare and featurise."""
    return " ".join(expand_token(fold(w)) for w in iter_words(normalize(text)))
