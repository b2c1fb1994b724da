"""The validation harness behind `make eval-fallback`: outcomes, accuracy by diacritics, the split."""
from pathlib import Path

from bot.evaluation.fallback_tuning import Ranked, accuracy, best, outcome, sweep, train_validation_split


def _ranked() -> list:
    return [
        Ranked("report_sidewalk", "report_sidewalk", 0.95, 0.9, with_diacritics=True),
        Ranked("inform", "report_construction", 0.97, 0.9, with_diacritics=False),
        Ranked("check_status", "check_status", 0.5, 0.1, with_diacritics=False),
        Ranked("inform", "out_of_scope", 0.4, 0.05, with_diacritics=True),
    ]


def test_outcome_counts_what_the_bot_would_do() -> None:
    o = outcome(_ranked(), threshold=0.6, ambiguity=0.0)
    assert (o.right_accepted, o.wrong_accepted, o.needless_questions, o.caught) == (1, 1, 1, 1)
    assert o.cost == 3 * 1 + 1


def test_best_prefers_the_lowest_cost_then_the_lowest_threshold() -> None:
    chosen = best(sweep(_ranked()))
    assert chosen.cost == min(o.cost for o in sweep(_ranked()))
    assert chosen.threshold == min(o.threshold for o in sweep(_ranked()) if o.cost == chosen.cost)


def test_accuracy_reads_each_subset() -> None:
    ranked = _ranked()
    assert accuracy(ranked) == "0.500 (2/4)"
    assert accuracy([r for r in ranked if not r.with_diacritics]) == "0.500 (1/2)"
    assert accuracy([]) == "–"


def test_extra_examples_go_to_training_only_and_never_repeat_a_validation_message(tmp_path: Path) -> None:
    train, validation = train_validation_split(42)
    texts = lambda data: [m.get("text") for m in data.intent_examples]  # noqa: E731
    repeated = texts(validation)[0].upper()  # the same words, differently typed
    extra = tmp_path / "extra.yml"
    extra.write_text('version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n'
                     f'    - o ngo 999 pho Thu Nghiem\n    - {repeated}\n', encoding="utf-8")
    train_more, validation_same = train_validation_split(42, [extra])
    assert texts(validation_same) == texts(validation)
    assert "o ngo 999 pho Thu Nghiem" in texts(train_more) and repeated not in texts(train_more)
    assert len(texts(train_more)) == len(texts(train)) + 1
