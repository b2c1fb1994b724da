"""The address parser and the router on `eval/addresses.jsonl`: per-part precision and recall,
and routing outcomes, wrong-ward commits first.

Each line: {"id", "text", "parts": {part: text as typed}, "route": {"expect": ..., "ward_code": ...}}.
Parts are compared folded (no diacritics, lower case, no unit word): "Hàng Bông" = "hang bong",
"phường Hàng Gai" = "Hàng Gai"; house numbers and alley chains compare as written ("12A" ≠ "12").
"""
from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bot.address.parser import parse
from bot.address.parts import PART_NAMES
from bot.evaluation.scoring import COMMITTED_WRONG, RIGHT, Prediction, routing_outcome
from bot.evaluation.cases import Case
from bot.resolver import Resolution, resolve_parse
from bot.text import fold, has_diacritics, nfc, normalize

EVAL_FILE = Path(__file__).resolve().parents[2] / "eval" / "addresses.jsonl"
_UNIT_WORDS = re.compile(r"^(phuong|xa|thi tran|quan|huyen|thi xa|tinh|thanh pho|tp|p|q|tt|tx)\.?\s+")


@dataclass(frozen=True)
class AddressCase:
    id: str
    text: str
    parts: Dict[str, str]
    case: Case  # the routing expectation, in the held-out set's terms


def load(path: Path = EVAL_FILE) -> List[AddressCase]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        route = raw["route"]
        case = Case(raw["id"], nfc(raw["text"]), "-", None, route["expect"], route.get("ward_code"),
                    tuple(route.get("candidates") or ()), raw.get("note", ""))
        cases.append(AddressCase(raw["id"], nfc(raw["text"]), dict(raw.get("parts") or {}), case))
    return cases


def comparable(part: str, value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    text = " ".join(fold(w) for w in re.findall(r"[\w/]+", normalize(value).lower()))
    if part in ("old_ward", "old_district", "new_ward", "province"):
        text = _UNIT_WORDS.sub("", text)
    return text or None


@dataclass
class PartScore:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> Optional[float]:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else None

    @property
    def recall(self) -> Optional[float]:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else None


@dataclass
class AddressScores:
    cases: int
    parts: Dict[str, PartScore]
    outcomes: Dict[str, int]
    wrong_ward: List[str] = field(default_factory=list)  # ids committed to a wrong ward (or guessed)
    misses: Dict[str, List[str]] = field(default_factory=dict)  # part → ids where it was missed or wrong
    parse_ms_p50: float = 0.0
    parse_ms_p99: float = 0.0


def predicted_parts(resolution: Resolution) -> Dict[str, str]:
    data = resolution.address.to_dict()
    return {name: str(data[name]) for name in PART_NAMES if data.get(name)}


def score(cases: Sequence[AddressCase]) -> AddressScores:
    parts = {name: PartScore() for name in PART_NAMES}
    outcomes: Dict[str, int] = {}
    wrong: List[str] = []
    misses: Dict[str, List[str]] = {name: [] for name in PART_NAMES}
    timings = []
    for item in cases:
        started = time.perf_counter()
        parse.cache_clear()
        parsed = parse(normalize(item.text))
        timings.append((time.perf_counter() - started) * 1000)
        resolution = resolve_parse(parsed)
        found = predicted_parts(resolution)
        for name in PART_NAMES:
            want, got = comparable(name, item.parts.get(name)), comparable(name, found.get(name))
            if want and got == want:
                parts[name].true_positive += 1
            else:
                if got:
                    parts[name].false_positive += 1
                if want:
                    parts[name].false_negative += 1
                if want or got:
                    misses[name].append(item.id)
        prediction = Prediction(None, status=resolution.status, ward_code=resolution.ward_code,
                                candidates=tuple(c.ward_code for c in resolution.candidates))
        outcome = routing_outcome(item.case, prediction)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome in COMMITTED_WRONG:
            wrong.append(item.id)
    ordered = sorted(timings)
    return AddressScores(len(cases), parts, outcomes, wrong, misses, statistics.median(ordered),
                         ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])


def render(scores: AddressScores, cases: Sequence[AddressCase]) -> str:
    plain = sum(1 for c in cases if not has_diacritics(c.text))
    lines = [f"Address cases: {scores.cases} ({scores.cases - plain} with diacritics, {plain} without)",
             f"{'part':<14}{'precision':>10}{'recall':>9}{'expected':>10}"]
    for name, part in scores.parts.items():
        wanted = part.true_positive + part.false_negative
        precision = "-" if part.precision is None else f"{part.precision:.3f}"
        recall = "-" if part.recall is None else f"{part.recall:.3f}"
        lines.append(f"{name:<14}{precision:>10}{recall:>9}{wanted:>10}")
    right = scores.outcomes.get(RIGHT, 0)
    lines.append(f"routing right: {right}/{scores.cases} = {right / max(1, scores.cases):.3f}; outcomes "
                 + ", ".join(f"{k} {v}" for k, v in sorted(scores.outcomes.items())))
    lines.append(f"wrong-ward commits: {len(scores.wrong_ward)}" + (f" ({', '.join(scores.wrong_ward)})" if scores.wrong_ward else ""))
    lines.append(f"parser time per message: p50 {scores.parse_ms_p50:.2f} ms, p99 {scores.parse_ms_p99:.2f} ms")
    return "\n".join(lines)
