"""What the training and scoring subprocesses share."""
from __future__ import annotations

import os

from bot.config import python_path


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment, with the project importable (`bot.nlu` components)."""
    return {**os.environ, "PYTHONPATH": python_path(os.environ), **extra}


def lower_priority() -> None:
    """Training and scoring share the machine with the live Rasa server: let it go first."""
    os.nice(10)
