"""`python -m bot validate-data`: `rasa data validate --fail-on-warnings`, where a warning fails
too unless `bot/data/validation_expected.yml` lists it with the reason it is expected.

Rasa 3.6 prints warnings that `--fail-on-warnings` never fails on ("intent … not used in any
story or rule", "utterance … not used"), and it has no way to declare the intents our form
actions read or the responses the form, our actions and Rasa's default actions send. The list
keeps the check honest both ways: a new warning fails, and so does a listed one that no longer
occurs, so the list cannot rot.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT

EXPECTED_FILE = PROJECT_ROOT / "bot" / "data" / "validation_expected.yml"  # not in data/: Rasa reads that


def register(commands: Any) -> None:
    p = commands.add_parser("validate-data", help="rasa data validate; any warning not expected fails")
    p.add_argument("--expected", type=Path, default=EXPECTED_FILE, help="the expected warnings and why")
    p.set_defaults(handler=_validate)


@dataclass(frozen=True)
class Verdict:
    unexpected: list[str]
    stale: list[str]

    @property
    def clean(self) -> bool:
        return not self.unexpected and not self.stale


def judge(warned: list[str], expected: dict[str, str]) -> Verdict:
    seen = set(warned)
    return Verdict(unexpected=sorted(seen - set(expected)), stale=sorted(set(expected) - seen))


def expected_warnings(path: Path) -> dict[str, str]:
    """{warning text: why it is expected}; every entry needs its reason."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    expected = {str(e["warning"]).strip(): str(e.get("why") or "").strip() for e in entries}
    if missing := [text for text, why in expected.items() if not why]:
        raise ValueError(f"{path}: no reason given for {missing}")
    return expected


def rasa_warnings(root: Path = PROJECT_ROOT) -> list[str]:
    """Run Rasa's own validation of domain, NLU data, stories and rules (errors exit as
    `rasa data validate` does) and return the texts of the warnings it raised."""
    from rasa.cli.utils import validate_files
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain.yml"), [str(root / "data")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validate_files(True, None, importer)
    return [str(w.message).strip() for w in caught
            if w.category is UserWarning and "/rasa/" in w.filename.replace("\\", "/")
            and not _silenced_by_rasa(str(w.message))]


def _silenced_by_rasa(text: str) -> bool:
    """Rasa's own list of warnings it never shows (e.g. the removed slot auto-fill)."""
    import re

    from rasa.utils.common import EXPECTED_WARNINGS

    return any(category is UserWarning and re.match(pattern, text) for category, pattern in EXPECTED_WARNINGS)


def _validate(args: argparse.Namespace) -> int:
    verdict = judge(rasa_warnings(), expected_warnings(args.expected))
    for text in verdict.unexpected:
        print(f"unexpected warning: {text}", file=sys.stderr)
    for text in verdict.stale:
        print(f"listed in {args.expected.name} but no longer raised (remove it): {text}", file=sys.stderr)
    if verdict.clean:
        print("Domain, NLU data, stories and rules: valid, no unexpected warning.")
    return 0 if verdict.clean else 1
