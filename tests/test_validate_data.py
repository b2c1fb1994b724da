"""`python -m bot validate-data`: Rasa's warnings against the reasoned list of expected ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.validate import EXPECTED_FILE, expected_warnings, judge


def test_a_new_warning_and_a_stale_entry_both_fail() -> None:
    expected = {"The intent 'skip' is not used in any story or rule.": "the form reads it"}
    assert judge(list(expected), expected).clean
    verdict = judge(["The utterance 'utter_x' is not used in any story or rule."], expected)
    assert verdict.unexpected == ["The utterance 'utter_x' is not used in any story or rule."]
    assert verdict.stale == list(expected)
    assert not verdict.clean


def test_every_expected_warning_has_its_reason(tmp_path: Path) -> None:
    assert all(expected_warnings(EXPECTED_FILE).values())
    unexplained = tmp_path / "expected.yml"
    unexplained.write_text("- warning: The intent 'skip' is not used in any story or rule.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no reason"):
        expected_warnings(unexplained)
