"""Pure helpers for taking a report in conversation: no Rasa, no database."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import yaml

from bot.statuses import CONSTRUCTION, SIDEWALK
from bot.text import DATA_DIR, canonical, fold, normalize

ANONYMOUS, SKIPPED = "anonymous", "skipped"
MAX_TEXT = 4000  # what we store of one message; Open311 allows descriptions of 4000 chars

PHONE_NUMBER = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){9}(?!\d)")


@lru_cache(maxsize=1)
def _words() -> dict:
    """The intake's word lists (bot/data/intake.yml), folded."""
    raw = yaml.safe_load((DATA_DIR / "intake.yml").read_text(encoding="utf-8"))
    return {
        "skip": frozenset(fold(str(w)) for w in raw["skip"]),
        "anonymous": tuple(fold(str(w)) for w in raw["anonymous"]),
        "category": {cat: tuple(fold(str(w)) for w in words) for cat, words in raw["category"].items()},
    }


def clip(text: str, limit: int = MAX_TEXT) -> str:
    text = normalize(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_payload(text: str) -> bool:
    return text.strip().startswith("/")


def is_skip(text: str) -> bool:
    return canonical(text).strip(" .!") in _words()["skip"]


def _category_pattern(phrases: tuple) -> "re.Pattern[str]":
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")


@lru_cache(maxsize=1)
def _category_patterns() -> dict:
    return {cat: _category_pattern(words) for cat, words in _words()["category"].items()}


# "không phải (là) xây dựng", "chứ không phải lấn chiếm": a category the citizen rules out.
_NEGATED = re.compile(r"\b(?:khong phai|khong lien quan)\b.*?(?=\b(?:ma|chu)\b|$)")
_CLAUSE = re.compile(r"[,.;!?\n]")
_NOT_CATEGORY = re.compile(r"\bxay ra\b")  # "xảy ra" (happen) folds like "xây"


def category_from_text(text: str) -> Optional[str]:
    """The category the words name, on whole words; None when they name none or both. A
    category named after "không phải" does not count."""
    clauses = (_NEGATED.sub(" ", _NOT_CATEGORY.sub(" ", canonical(c))) for c in _CLAUSE.split(text or ""))
    folded = " , ".join(clauses)
    hits = {cat for cat, pattern in _category_patterns().items() if pattern.search(folded)}
    return hits.pop() if len(hits) == 1 else None


@dataclass(frozen=True)
class Contact:
    phone: Optional[str]
    anonymous: bool


def parse_contact(text: str) -> Optional[Contact]:
    """A Vietnamese phone number (stored as 0xxxxxxxxx) or the wish to stay anonymous."""
    match = PHONE_NUMBER.search(text or "")
    if match:
        digits = re.sub(r"\D", "", match.group(0))
        return Contact("0" + digits[2:] if digits.startswith("84") else digits, False)
    folded = canonical(text)
    if any(w == folded or folded.startswith(w + " ") for w in _words()["anonymous"]):
        return Contact(None, True)
    return None


def mask_phone(phone: Optional[str]) -> str:
    return f"{phone[:3]}****{phone[-3:]}" if phone else ""


def mask_phones(text: str) -> str:
    """Every Vietnamese phone number in `text` masked: "gọi 0912 345 678" → "gọi 091****678"."""
    return PHONE_NUMBER.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group(0))), text)


INTENT_CATEGORY = {"report_sidewalk": SIDEWALK, "report_construction": CONSTRUCTION}


def category_for(intent: Optional[str], text: str) -> Optional[str]:
    """The report category: from the intent, or from the words when the intent says nothing."""
    if intent in INTENT_CATEGORY:
        return INTENT_CATEGORY[intent]
    if intent in ("inform", "nlu_fallback", None):
        return category_from_text(text)
    return None
