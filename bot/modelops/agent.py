"""A trained model in this process: the newest build in models/ and Rasa's Agent loaded from a
file (`python -m bot route`, `bot run`, the evaluations, the tests and benchmarks)."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT


def newest_model(models_dir: Path = PROJECT_ROOT / "models") -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit(f"No trained model in {models_dir}: run `make model` first.")
    return models[-1]


def load_agent(model: Path) -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from rasa.core.agent import Agent  # heavy: import only when needed
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # unconfigured, structlog writes debug lines to stdout
    return Agent.load(str(model))
