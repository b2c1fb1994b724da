"""LOG_LEVEL applies to our servers' and command line's loggers."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

import pytest

from bot.cli import main
from bot.logs import configure_logging
from tests.helpers.cli import cli_database


@pytest.fixture(autouse=True)
def root_level() -> Iterator[None]:
    root = logging.getLogger()
    before = root.level
    yield
    root.setLevel(before)


def test_the_level_applies_when_logging_was_configured_first() -> None:
    assert logging.getLogger().handlers  # pytest's, as Rasa's or a library's would be
    configure_logging("DEBUG")
    assert logging.getLogger("bot.web.app").isEnabledFor(logging.DEBUG)
    configure_logging("ERROR")
    assert not logging.getLogger("bot.web.app").isEnabledFor(logging.WARNING)


def test_the_command_line_logs_at_log_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "error")  # `python -m bot run` logged at INFO whatever it said
    with cli_database(tmp_path, monkeypatch), pytest.raises(SystemExit) as exited:
        main(["users", "list"])
    assert exited.value.code in (0, None)
    assert logging.getLogger().level == logging.ERROR


def test_an_unknown_level_is_a_clear_refusal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    with pytest.raises(SystemExit) as exited:
        main(["users", "list"])
    assert exited.value.code == 2
    assert "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'verbose'" in capsys.readouterr().err
