"""A fake Rasa tracker store for the NLU inbox tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tests.helpers.tracker import rasa_events_table

START = datetime(2025, 3, 11, 2, 0, tzinfo=timezone.utc)
Row = tuple[str, str, float, dict[str, Any]]  # sender_id, type_name, timestamp, data


def at(minutes: float) -> float:
    return (START + timedelta(minutes=minutes)).timestamp()


def user(sender: str, minutes: float, text: str, intent: str = "report_sidewalk", confidence: float = 0.99,
         ranking: list[tuple[str, float]] | None = None) -> Row:
    """A `user` event as Rasa stores it, with the NLU's parse."""
    ranking = ranking or [(intent, confidence)]
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence},
             "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking], "entities": []}
    return sender, "user", at(minutes), {"event": "user", "text": text, "timestamp": at(minutes), "parse_data": parse}


def fallback(sender: str, minutes: float, text: str, guess: str = "report_sidewalk", confidence: float = 0.5) -> Row:
    """A message the FallbackClassifier caught: `nlu_fallback` on top, the real guess below."""
    return user(sender, minutes, text, "nlu_fallback", 0.9, [("nlu_fallback", 0.9), (guess, confidence)])


def bot(sender: str, minutes: float, text: str, payloads: tuple[str, ...] = ()) -> Row:
    buttons = [{"title": p.strip("/").title(), "payload": p} for p in payloads]
    return sender, "bot", at(minutes), {"event": "bot", "text": text, "data": {"buttons": buttons}}


def tracker(path: Path, rows: list[Row]) -> str:
    """Rasa's `events` table with `rows` and one action event; returns its URL."""
    return rasa_events_table(path, rows + [("s1", "action", at(0), {"name": "action_listen"})])
