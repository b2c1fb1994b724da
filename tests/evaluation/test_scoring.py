"""Scoring rules of `python -m bot eval`, on hand-made cases and predictions."""
import json

import pytest

from bot.evaluation.cases import CaseError, load_cases, parse_case
from bot.evaluation.scoring import (
    ASKED_INSTEAD, GUESSED, MISSED, RIGHT, WRONG_WARD, Prediction, routing_outcome, score,
)


def case(expect: str, ward: str | None = None, candidates=(), intent="report_sidewalk", text="vỉa hè") -> object:
    route = {"expect": expect, "ward_code": ward, "candidates": list(candidates)}
    return parse_case({"id": "t", "text": text, "intent": intent, "category": None, "route": route}, 1)


@pytest.mark.parametrize("expected, predicted, outcome", [
    (case("ward", "00226"), Prediction("x", status="resolved", ward_code="00226"), RIGHT),
    (case("ward", "00226"), Prediction("x", status="resolved", ward_code="00229"), WRONG_WARD),
    (case("ward", "00226"), Prediction("x", status="ambiguous", candidates=("00229", "00226")), ASKED_INSTEAD),
    (case("ward", "00226"), Prediction("x", status="none"), MISSED),
    (case("ask", candidates=("00226", "00190")), Prediction("x", status="ambiguous", candidates=("00190", "00226", "00229")), RIGHT),
    (case("ask", candidates=("00226", "00190")), Prediction("x", status="ambiguous", candidates=("00226",)), RIGHT),
    (case("ask", candidates=("00226", "00190")), Prediction("x", status="ambiguous", candidates=("00229",)), MISSED),
    (case("ask", candidates=("00226", "00190")), Prediction("x", status="none"), MISSED),
    (case("ask", candidates=("00226", "00190")), Prediction("x", status="resolved", ward_code="00226"), GUESSED),
    (case("ask"), Prediction("x", status="none"), RIGHT),  # a street alone: asking for the place is right
    (case("none"), Prediction("x", status="resolved", ward_code="00070"), GUESSED),
    (case("none"), Prediction("x", status="ambiguous", candidates=("00070",)), MISSED),
    (case("outside"), Prediction("x", status="outside"), RIGHT),
    (case("outside"), Prediction("x", status="none"), MISSED),
])
def test_routing_outcomes(expected, predicted, outcome) -> None:
    assert routing_outcome(expected, predicted) == outcome


def test_scores_split_intent_accuracy_by_diacritics_and_count_wrong_wards() -> None:
    cases = [
        case("ward", "00226", text="vỉa hè bị lấn"), case("ward", "00226", text="via he bi lan"),
        case("none", text="xay khong phep", intent="report_construction"),
    ]
    preds = [
        Prediction("report_sidewalk", status="resolved", ward_code="00226"),
        Prediction("inform", fallback=True, status="resolved", ward_code="00229"),
        Prediction("report_construction", status="resolved", ward_code="00070"),
    ]
    s = score(cases, preds)
    assert s.intent_accuracy == {"all": 2 / 3, "diacritics": 1.0, "no_diacritics": 0.5}
    assert s.fallback_rate == 1 / 3
    assert s.routing_accuracy == 1 / 3 and s.wrong_ward == 2
    assert s.confusions == [("report_sidewalk", "inform", 1)]
    assert s.per_intent["report_sidewalk"].recall == 0.5 and s.per_intent["report_sidewalk"].precision == 1.0


def test_bad_cases_are_refused(tmp_path) -> None:
    with pytest.raises(CaseError):
        parse_case({"id": "1", "text": "x", "intent": "inform", "route": {"expect": "ward"}}, 1)
    path = tmp_path / "cases.jsonl"
    line = json.dumps({"id": "1", "text": "x", "intent": "inform", "route": {"expect": "none"}})
    path.write_text(line + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(CaseError):
        load_cases(path)
