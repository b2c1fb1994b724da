"""Rasa NLU training files (`version: "3.1"`): reading their examples, writing ours safely."""
from __future__ import annotations

import fcntl
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import yaml

_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
HEADER = ("# Examples labelled by admins in the NLU inbox (bot/review/labels.py).\n"
          "# Written by the program: phone numbers masked, no duplicates of other files.\n")

Examples = dict[str, list[str]]  # intent → example lines (with entity markup), in file order


def without_markup(example: str) -> str:
    """The text a citizen typed: "ở [phường Kim Liên](ward)" → "ở phường Kim Liên"."""
    return _MARKUP.sub(r"\1", example)


def read_examples(path: Path) -> Examples:
    """The intent examples of one NLU file; {} when it is missing or holds none."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    examples: Examples = {}
    items = (content.get("nlu") or []) if isinstance(content, dict) else []
    for item in items:
        if isinstance(item, dict) and item.get("intent") and isinstance(item.get("examples"), str):
            lines = [line.strip().removeprefix("- ").strip() for line in item["examples"].splitlines()]
            examples.setdefault(str(item["intent"]), []).extend(line for line in lines if line)
    return examples


def render(examples: Examples) -> str:
    """One `- intent:` block per intent, examples as a literal block; checked by re-reading."""
    parts = [HEADER, 'version: "3.1"\n', "nlu:\n"]
    for intent, lines in examples.items():
        parts.append(f"- intent: {intent}\n  examples: |\n")
        parts.extend(f"    - {line}\n" for line in lines)
    text = "".join(parts)
    reread = yaml.safe_load(text)["nlu"]
    if [(i["intent"], i["examples"].splitlines()) for i in reread] != [
            (intent, [f"- {line}" for line in lines]) for intent, lines in examples.items()]:
        raise ValueError("example does not survive a YAML round trip")
    return text


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """One writer at a time in `directory` (flock on the directory itself: no lock file)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_atomically(path: Path, text: str) -> None:
    """Readers (Rasa, git, the inbox) see the old file or the new one, never half of one.
    The temporary name ends in `.tmp`, so `data/nlu/*.yml` globs never pick it up."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
