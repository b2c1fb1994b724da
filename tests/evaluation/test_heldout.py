"""The held-out set is well formed and never leaks into training data."""
import re
from pathlib import Path

import yaml

from bot.evaluation.cases import load_cases
from bot.gazetteer import get_gazetteer
from bot.text import canonical

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "eval" / "heldout.jsonl"
CORE_INTENTS = {"report_sidewalk", "report_construction", "check_status", "inform"}


def training_texts() -> set:
    texts = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in (item.get("examples") or "").splitlines():
                line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line.strip().removeprefix("- "))
                texts.add(canonical(line))
    return texts


def test_held_out_set_is_large_enough_and_balanced() -> None:
    cases = load_cases(HELD_OUT)
    assert len(cases) >= 200
    without = [c for c in cases if not c.with_diacritics]
    assert len(without) >= 100 and len(cases) - len(without) >= 100
    assert CORE_INTENTS <= {c.intent for c in cases}


def test_held_out_ward_codes_exist() -> None:
    wards = get_gazetteer().wards
    for case in load_cases(HELD_OUT):
        assert case.ward_code is None or case.ward_code in wards, case.id
        assert all(code in wards for code in case.candidates), case.id


def test_no_held_out_text_is_in_the_training_data() -> None:
    seen = training_texts()
    leaked = [c.id for c in load_cases(HELD_OUT) if canonical(c.text) in seen]
    assert leaked == []
