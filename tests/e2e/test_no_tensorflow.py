"""Only Rasa needs TensorFlow: the action and web servers parse addresses with spaCy's rule
matchers and must not load it (hundreds of MiB and seconds at every start)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.stack import Stack

pytestmark = pytest.mark.e2e


def loads_tensorflow(pid: int) -> bool:
    return "libtensorflow" in Path(f"/proc/{pid}/maps").read_text(errors="replace")


def test_only_the_rasa_server_loads_tensorflow(stack: Stack) -> None:
    loaded = {s.name: loads_tensorflow(s.process.pid) for s in stack.services if s.process}
    assert loaded["rasa server"], loaded  # the check sees TensorFlow where it is
    assert not loaded["action server"] and not loaded["web server"], loaded
