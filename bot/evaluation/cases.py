"""Held-out evaluation cases: what a resident typed and what the bot should make of it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

from bot.text import has_diacritics, nfc

ROUTE_EXPECTATIONS = ("ward", "ask", "outside", "none")


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    intent: str
    category: Optional[str]
    expect: str  # one of ROUTE_EXPECTATIONS
    ward_code: Optional[str] = None  # when expect == "ward"
    candidates: Tuple[str, ...] = field(default_factory=tuple)  # when expect == "ask", if known
    note: str = ""

    @property
    def with_diacritics(self) -> bool:
        return has_diacritics(self.text)


class CaseError(ValueError):
    pass


def parse_case(raw: dict, line: int) -> Case:
    route = raw.get("route") or {}
    expect = route.get("expect")
    if expect not in ROUTE_EXPECTATIONS:
        raise CaseError(f"line {line}: route.expect must be one of {ROUTE_EXPECTATIONS}, not {expect!r}")
    if expect == "ward" and not route.get("ward_code"):
        raise CaseError(f"line {line}: a 'ward' expectation needs route.ward_code")
    if not raw.get("id") or not raw.get("text") or not raw.get("intent"):
        raise CaseError(f"line {line}: id, text and intent are required")
    return Case(
        id=str(raw["id"]), text=nfc(raw["text"]), intent=raw["intent"], category=raw.get("category"),
        expect=expect, ward_code=route.get("ward_code"), candidates=tuple(route.get("candidates") or ()),
        note=raw.get("note") or "",
    )


def load_cases(path: Path) -> List[Case]:
    cases: List[Case] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                cases.append(parse_case(json.loads(line), number))
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise CaseError(f"{path}: duplicate ids")
    return cases
