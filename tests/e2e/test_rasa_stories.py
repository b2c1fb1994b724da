"""`rasa test core` on tests/stories/: the trained model's intents for the stories' messages and
the rules' next actions (custom actions are tested end to end over REST elsewhere)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.modelops.agent import newest_model

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def test_rasa_test_stories_pass(tmp_path: Path) -> None:
    rasa = Path(sys.executable).parent / "rasa"
    result = subprocess.run(
        [str(rasa), "test", "core", "--stories", str(PROJECT_ROOT / "tests" / "stories"),
         "--model", str(newest_model()), "--out", str(tmp_path), "--no-plot"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=840,
        env={**__import__("os").environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
