"""The "not worse" rule between a new model and the active one."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.modelops.checking import CheckFailed, Figures, compare

ACTIVE = Figures(cases=274, cases_digest="abc", intent_accuracy=0.96, intent_diacritics=0.985,
                 intent_no_diacritics=0.934, category_accuracy=0.994, routing_accuracy=0.982, wrong_ward=0,
                 fallback_rate=0.04)


def test_equal_or_better_is_not_worse() -> None:
    assert compare(ACTIVE, ACTIVE, 0.01).not_worse
    better = replace(ACTIVE, intent_accuracy=0.97, intent_no_diacritics=0.95)
    assert compare(better, ACTIVE, 0.0).not_worse


def test_a_drop_within_the_tolerance_is_accepted_and_beyond_it_refused() -> None:
    slightly = replace(ACTIVE, intent_no_diacritics=0.934 - 0.009)
    assert compare(slightly, ACTIVE, 0.01).not_worse
    assert not compare(slightly, ACTIVE, 0.0).not_worse
    clearly = replace(ACTIVE, intent_no_diacritics=0.90)
    result = compare(clearly, ACTIVE, 0.01)
    assert not result.not_worse
    assert result.worse_labels == ["Ý định, câu không dấu"]


def test_one_more_wrong_ward_is_worse_whatever_the_tolerance() -> None:
    result = compare(replace(ACTIVE, wrong_ward=1, intent_accuracy=0.99), ACTIVE, 0.5)
    assert [row.field for row in result.rows if row.worse] == ["wrong_ward"]


def test_missing_figures() -> None:
    assert compare(ACTIVE, None, 0.01).not_worse  # nothing to compare with
    assert not compare(replace(ACTIVE, category_accuracy=None), ACTIVE, 0.01).not_worse


def test_figures_on_other_cases_do_not_compare() -> None:
    with pytest.raises(CheckFailed):
        compare(replace(ACTIVE, cases_digest="other"), ACTIVE, 0.01)


def test_figures_survive_the_database_round_trip() -> None:
    assert Figures.from_json(ACTIVE.to_json()) == ACTIVE
    assert Figures.from_json(None) is None


def test_figures_from_the_eval_json() -> None:
    scores = {"n": 10, "intent_accuracy": {"all": 0.9, "diacritics": 1.0, "no_diacritics": 0.8},
              "category_accuracy": 1.0, "routing_accuracy": 0.7, "wrong_ward": 2, "fallback_rate": 0.1}
    figures = Figures.from_scores(scores, "d")
    assert (figures.cases, figures.intent_no_diacritics, figures.wrong_ward) == (10, 0.8, 2)


async def test_a_first_check_on_a_fresh_install_has_a_log_even_without_a_log_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.modelops.checking import evaluate

    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"text": "xin chào", "intent": "greet"}\n', encoding="utf-8")
    log = tmp_path / "var" / "training" / "check-1.log"  # var/training/ does not exist yet
    with pytest.raises(CheckFailed):  # not FileNotFoundError: the model file is missing, and the log says why
        await evaluate(tmp_path / "missing.tar.gz", cases, log)
    assert log.is_file()
