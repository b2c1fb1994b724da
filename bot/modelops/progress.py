"""Progress of a `rasa train` subprocess, read from its output.

Rasa logs "Starting to train component 'X'" for each graph node, and DIET draws a tqdm bar
("Epochs:  45%|████▌     | 36/80 [00:20<00:24,  1.81it/s, t_loss=…]") redrawn with carriage
returns. The bar's own estimate covers the current component only; the time left for the
whole run is that plus nothing we can know in advance, so the console labels it as such.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

_EPOCHS = re.compile(r"Epochs:\s*\d+%\|[^|]*\|\s*(\d+)/(\d+)\s*\[([\d:]+)<([\d:?]+)")
_COMPONENT = re.compile(r"Starting to train component '([^']+)'")
_PHASES = (
    (re.compile(r"Training NLU model"), "nlu"),
    (re.compile(r"Training Core model"), "core"),
    (re.compile(r"Your Rasa model is trained and saved"), "saved"),
)


@dataclass(frozen=True)
class Progress:
    phase: str = "starting"
    component: str | None = None
    epoch: int | None = None
    epochs: int | None = None
    eta_seconds: float | None = None  # for the current epoch bar

    def describe(self) -> str:
        """For a log line or the CLI."""
        parts = [self.phase + (f" ({self.component})" if self.component else "")]
        if self.epochs:
            parts.append(f"epoch {self.epoch}/{self.epochs}")
        if self.eta_seconds is not None:
            parts.append(f"about {self.eta_seconds:.0f} s left in this step")
        return ", ".join(parts)


def clock_seconds(text: str) -> float | None:
    """tqdm's "01:23" or "1:02:03" → seconds; None for "?"."""
    try:
        parts = [int(p) for p in text.split(":")]
    except ValueError:
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return float(seconds)


def advance(progress: Progress, line: str) -> Progress:
    """The progress after one output line (a line may be one redraw of the epoch bar)."""
    bar = _EPOCHS.search(line)
    if bar:
        return replace(progress, phase="training", epoch=int(bar.group(1)), epochs=int(bar.group(2)),
                       eta_seconds=clock_seconds(bar.group(4)))
    component = _COMPONENT.search(line)
    if component:
        return replace(progress, phase="training", component=component.group(1), epoch=None, epochs=None,
                       eta_seconds=None)
    for pattern, phase in _PHASES:
        if pattern.search(line):
            return Progress(phase=phase)
    return progress


def split_redraws(buffer: str) -> tuple[list[str], str]:
    """Complete lines (ended by "\\n" or a tqdm "\\r") and the unfinished rest."""
    pieces = re.split(r"[\r\n]", buffer)
    return [p for p in pieces[:-1] if p.strip()], pieces[-1]
