"""Scoring predictions against held-out cases: intents, categories and routing.

Routing is scored from the product's point of view. A report committed to a ward that is not
the right one is the worst error; asking the citizen is right whenever the text does not fix
one ward (a split old ward, an old district, a street alone, no place at all).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.evaluation.cases import Case
from bot.resolver import AMBIGUOUS, NONE, OUTSIDE, RESOLVED

# Routing outcomes
RIGHT = "right"
WRONG_WARD = "wrong_ward"  # committed to another ward than the one the text names
GUESSED = "guessed"  # committed to a ward where the text names none, or names several
ASKED_INSTEAD = "asked_instead"  # the text names one ward, the bot asked (offering it)
MISSED = "missed"  # anything else: place not understood, false place, missing candidates
COMMITTED_WRONG = (WRONG_WARD, GUESSED)


@dataclass(frozen=True)
class Prediction:
    intent: Optional[str]
    fallback: bool = False
    category: Optional[str] = None
    status: str = NONE
    ward_code: Optional[str] = None
    candidates: Tuple[str, ...] = ()

    @classmethod
    def from_route(cls, result: dict) -> "Prediction":
        """From one line of `python -m bot route --jsonl`."""
        route = result.get("route") or {}
        return cls(
            intent=result.get("intent"), fallback=bool(result.get("fallback")), category=result.get("category"),
            status=route.get("status") or NONE, ward_code=route.get("ward_code"),
            candidates=tuple(c["ward_code"] for c in route.get("candidates") or []),
        )


def routing_outcome(case: Case, pred: Prediction) -> str:
    if case.expect == "ward":
        if pred.status == RESOLVED:
            return RIGHT if pred.ward_code == case.ward_code else WRONG_WARD
        return ASKED_INSTEAD if pred.status == AMBIGUOUS and case.ward_code in pred.candidates else MISSED
    if pred.status == RESOLVED:
        return GUESSED
    if case.expect == "ask":
        if case.candidates:  # a split old ward, a district: the buttons must offer at least one of its wards
            return RIGHT if pred.status == AMBIGUOUS and set(case.candidates) & set(pred.candidates) else MISSED
        return RIGHT if pred.status in (AMBIGUOUS, NONE) else MISSED  # a street alone: any question will do
    if case.expect == "outside":
        return RIGHT if pred.status == OUTSIDE else MISSED
    return RIGHT if pred.status == NONE else MISSED


@dataclass(frozen=True)
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Scores:
    n: int
    intent_accuracy: Dict[str, Optional[float]] = field(default_factory=dict)  # all / diacritics / no_diacritics
    intent_accuracy_fallback_as_error: Optional[float] = None
    fallback_rate: Optional[float] = None
    per_intent: Dict[str, ClassScore] = field(default_factory=dict)
    category_accuracy: Optional[float] = None
    routing_accuracy: Optional[float] = None
    routing_outcomes: Dict[str, int] = field(default_factory=dict)
    wrong_ward: Optional[int] = None
    intent_errors: List[dict] = field(default_factory=list)
    category_errors: List[dict] = field(default_factory=list)
    routing_errors: List[dict] = field(default_factory=list)
    confusions: List[Tuple[str, str, int]] = field(default_factory=list)  # expected, got, count


def _ratio(hits: int, total: int) -> Optional[float]:
    return hits / total if total else None


def _accuracy(pairs: Iterable[Tuple[Case, Prediction]]) -> Optional[float]:
    pairs = list(pairs)
    return _ratio(sum(c.intent == p.intent for c, p in pairs), len(pairs))


def per_intent_scores(pairs: Sequence[Tuple[Case, Prediction]]) -> Dict[str, ClassScore]:
    tp: Counter = Counter()
    predicted: Counter = Counter()
    actual: Counter = Counter()
    for case, pred in pairs:
        actual[case.intent] += 1
        predicted[pred.intent] += 1
        tp[case.intent] += case.intent == pred.intent
    scores = {}
    for intent in sorted(actual):
        precision = tp[intent] / predicted[intent] if predicted[intent] else 0.0
        recall = tp[intent] / actual[intent]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[intent] = ClassScore(round(precision, 4), round(recall, 4), round(f1, 4), actual[intent])
    return scores


def _error(case: Case, pred: Prediction, **extra: object) -> dict:
    return {"id": case.id, "text": case.text, **extra}


def score_intents(cases: Sequence[Case], preds: Sequence[Prediction], scores: Scores) -> None:
    pairs = list(zip(cases, preds))
    scores.intent_accuracy = {
        "all": _accuracy(pairs),
        "diacritics": _accuracy((c, p) for c, p in pairs if c.with_diacritics),
        "no_diacritics": _accuracy((c, p) for c, p in pairs if not c.with_diacritics),
    }
    scores.intent_accuracy_fallback_as_error = _ratio(sum(c.intent == p.intent and not p.fallback for c, p in pairs), len(pairs))
    scores.fallback_rate = _ratio(sum(p.fallback for p in preds), len(preds))
    scores.per_intent = per_intent_scores(pairs)
    confusions = Counter((c.intent, p.intent) for c, p in pairs if c.intent != p.intent)
    scores.confusions = [(e, str(g), n) for (e, g), n in confusions.most_common()]
    scores.intent_errors = [_error(c, p, expected=c.intent, got=p.intent, fallback=p.fallback) for c, p in pairs if c.intent != p.intent]


def score_categories(cases: Sequence[Case], preds: Sequence[Prediction], scores: Scores) -> None:
    pairs = [(c, p) for c, p in zip(cases, preds) if c.category]
    scores.category_accuracy = _ratio(sum(c.category == p.category for c, p in pairs), len(pairs))
    scores.category_errors = [_error(c, p, expected=c.category, got=p.category) for c, p in pairs if c.category != p.category]


def score_routing(cases: Sequence[Case], preds: Sequence[Prediction], scores: Scores) -> None:
    outcomes = [routing_outcome(c, p) for c, p in zip(cases, preds)]
    scores.routing_outcomes = dict(Counter(outcomes))
    scores.routing_accuracy = _ratio(outcomes.count(RIGHT), len(outcomes))
    scores.wrong_ward = sum(o in COMMITTED_WRONG for o in outcomes)
    scores.routing_errors = [
        _error(c, p, outcome=o, expected=_expected_route(c), got=_got_route(p))
        for c, p, o in zip(cases, preds, outcomes) if o != RIGHT
    ]


def _expected_route(case: Case) -> str:
    if case.expect == "ward":
        return f"ward {case.ward_code}"
    return f"ask {','.join(case.candidates)}".strip() if case.expect == "ask" else case.expect


def _got_route(pred: Prediction) -> str:
    if pred.status == RESOLVED:
        return f"ward {pred.ward_code}"
    return f"{pred.status} {','.join(pred.candidates)}".strip()


def score(cases: Sequence[Case], preds: Sequence[Prediction], *, intents: bool = True, routing: bool = True) -> Scores:
    """What can be scored: a parser baseline has no intents, an NLU baseline shares our routing."""
    if len(cases) != len(preds):
        raise ValueError(f"{len(cases)} cases but {len(preds)} predictions")
    scores = Scores(n=len(cases))
    if intents:
        score_intents(cases, preds, scores)
        score_categories(cases, preds, scores)
    if routing:
        score_routing(cases, preds, scores)
    return scores


