"""The address parser's tokens: words and numbers, with what separates them.

Numbers keep their house-number shape as one token ("12A", "15/3", "120/45"). Punctuation
is not a token: each token remembers the punctuation typed just before it (`before`), so a
comma ends a name while a hyphen inside "Văn Miếu - Quốc Tử Giám" does not. Offsets are in the
text given (callers give NFC text; `bot.text.normalize` keeps that true).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List

from bot.text import fold, normalize_tone_marks

_TOKEN = re.compile(
    r"(?P<num>\d+(?:[A-Za-z](?![^\W\d_]))?(?:/\d+(?:[A-Za-z](?![^\W\d_]))?)*)"
    r"|(?P<word>[^\W\d_]+)"
    r"|(?P<punct>[^\w\s])"
)
BREAKS = frozenset(",;.:()[]!?\n|")  # a name never runs across these
JOINERS = frozenset("-–/&'")


@dataclass(frozen=True)
class Tok:
    text: str  # as typed (NFC, one tone-mark style)
    lower: str
    folded: str  # lower case, no diacritics: "Đống" → "dong"
    start: int
    end: int
    is_number: bool
    before: str  # punctuation typed between the previous token and this one ("" if none)
    title: bool  # starts with a capital letter

    @property
    def broken(self) -> bool:
        """Does punctuation that ends a name stand before this token?"""
        return any(ch in BREAKS for ch in self.before)

    @property
    def accented(self) -> bool:
        return self.folded != self.lower


@lru_cache(maxsize=2048)
def tokenize(text: str) -> tuple[Tok, ...]:
    text = normalize_tone_marks(text)
    found: List[Tok] = []
    punct = ""
    for match in _TOKEN.finditer(text):
        piece = match.group(0)
        if match.lastgroup == "punct":
            punct += piece
            continue
        if "\n" in text[found[-1].end if found else 0:match.start()]:
            punct += "\n"
        lower = piece.lower()
        found.append(Tok(piece, lower, fold(lower), match.start(), match.end(), match.lastgroup == "num",
                         punct, piece[:1].isupper()))
        punct = ""
    return tuple(found)


NUMBER = re.compile(r"^\d+[a-z]?(?:/\d+[a-z]?)*$")


def house_number_like(tok: Tok) -> bool:
    return tok.is_number and bool(NUMBER.match(tok.lower))
