"""Cut long texts into pieces that fit Zalo's per-message limit.

Pieces end at a sentence boundary (., !, ?, … followed by a space, or a newline) when one
fits; otherwise at the last space; a word longer than the limit is cut where it must be.
"""
from __future__ import annotations

import re
import unicodedata

# A sentence end: terminal punctuation, optional closing quotes/brackets, then whitespace.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n")
_SPACE = re.compile(r"\s")


def _cut_point(text: str, limit: int) -> int:
    """Where to end the first piece of `text` (longer than `limit`)."""
    window = text[: limit + 1]  # one extra character so the lookahead sees what follows
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if 0 < m.end() <= limit]
    if ends:
        return ends[-1]
    spaces = [m.start() for m in _SPACE.finditer(window) if m.start() > 0]
    if spaces:
        return spaces[-1]
    cut = limit  # one word longer than the limit; do not split a base letter from its accents
    while cut > 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return cut


def split_text(text: str, limit: int) -> list[str]:
    """Non-empty pieces of `text`, each at most `limit` characters, in order."""
    if limit < 1:
        raise ValueError("limit must be positive")
    rest = text.strip()
    pieces: list[str] = []
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        piece = rest[:cut].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
