"""Citizen messages the NLU may have misunderstood, read (never written) from Rasa's tracker store.

A message needs review when the model was unsure (top intent below the FallbackClassifier
threshold), when it fell back (`nlu_fallback`), or when the citizen's next message denied
the bot's reading ("không phải…", intent `deny`, or "Không phải" under "Có phải bạn muốn…?",
which sends `/out_of_scope`). A `deny` answering an ordinary yes/no question also counts:
the rule is deliberately simple, and the admin discards what is fine.

Messages are grouped (same `canonical()` form, or token sets with Jaccard ≥ 0.8) so one
verdict covers the look-alikes; groups come newest first.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml
from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.review.labels import NLU_DIR, handled_keys, review_key
from bot.staff.transcript import EVENTS, READ_TIMEOUT_S, TranscriptLine, TranscriptReader, to_lines
from bot.text import canonical

logger = logging.getLogger(__name__)

FALLBACK, LOW_CONFIDENCE, DENIED = "nlu_fallback", "low_confidence", "denied"
DEFAULT_THRESHOLD = 0.9
SIMILAR = 0.8  # token-set Jaccard from which two messages are one group
CONTEXT = 3  # user/bot events shown before and after a message
MAX_ROWS = 20_000  # newest tracker rows read per call: the inbox is for recent traffic
DENIALS = ("khong phai",)  # canonical() prefixes: "không phải", "ko phải", "k phai"…
DENY_PAYLOAD = "/out_of_scope"  # the "Không phải" button of actions/fallback.py


@dataclass(frozen=True)
class ReviewMessage:
    sender_id: str
    text: str
    at: datetime
    intent: str | None  # the model's best real guess (not `nlu_fallback`)
    confidence: float | None
    reasons: tuple[str, ...]  # FALLBACK / LOW_CONFIDENCE, then DENIED
    context: tuple[TranscriptLine, ...]  # the message itself included


@dataclass(frozen=True)
class ReviewGroup:
    messages: tuple[ReviewMessage, ...]  # newest first

    @property
    def text(self) -> str:
        return self.messages[0].text

    @property
    def at(self) -> datetime:
        return self.messages[0].at


def fallback_threshold(config: Path = PROJECT_ROOT / "config.yml") -> float:
    """The FallbackClassifier's threshold in config.yml; 0.9 when it cannot be read."""
    try:
        pipeline = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("pipeline") or []
    except (OSError, yaml.YAMLError):
        return DEFAULT_THRESHOLD
    for component in pipeline:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", DEFAULT_THRESHOLD))
    return DEFAULT_THRESHOLD


# --- deciding -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Event:
    kind: str  # "user" or "bot"
    at: float
    raw: str  # the data JSON, for `to_lines`
    data: Mapping[str, Any]

    @property
    def text(self) -> str:
        return str(self.data.get("text") or "")

    @property
    def parse(self) -> Mapping[str, Any]:
        return self.data.get("parse_data") or {}


def _guess(parse: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """The best intent other than `nlu_fallback`, with its confidence."""
    ranking = [parse.get("intent") or {}, *(parse.get("intent_ranking") or [])]
    for candidate in sorted((c for c in ranking if c.get("name") and c.get("name") != FALLBACK),
                            key=lambda c: -float(c.get("confidence") or 0.0)):
        return str(candidate["name"]), float(candidate.get("confidence") or 0.0)
    return None, None


def _denies(answer: _Event, between: Sequence[_Event]) -> bool:
    if answer.text == DENY_PAYLOAD:  # only as the "Không phải" button of a fallback question
        bots = [e for e in between if e.kind == "bot"]
        buttons = ((bots[-1].data.get("data") or {}).get("buttons") or []) if bots else []
        return any(isinstance(b, dict) and b.get("payload") == DENY_PAYLOAD for b in buttons)
    if (answer.parse.get("intent") or {}).get("name") == "deny":
        return True
    said = canonical(answer.text)
    return any(said == d or said.startswith(d + " ") for d in DENIALS)


def _reasons(events: Sequence[_Event], index: int, threshold: float) -> tuple[str, ...]:
    event, reasons = events[index], []
    intent, confidence = _guess(event.parse)
    if (event.parse.get("intent") or {}).get("name") == FALLBACK:
        reasons.append(FALLBACK)
    elif confidence is not None and confidence < threshold:
        reasons.append(LOW_CONFIDENCE)
    for later in range(index + 1, len(events)):
        if events[later].kind == "user":
            if _denies(events[later], events[index + 1:later]):
                reasons.append(DENIED)
            break
    return tuple(reasons)


def _conversations(rows: Iterable[tuple[Any, ...]]) -> dict[str, list[_Event]]:
    """(sender_id, type_name, timestamp, data) rows, oldest first → events per sender."""
    by_sender: dict[str, list[_Event]] = {}
    for sender, kind, timestamp, raw in rows:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            continue
        if isinstance(data, dict):
            by_sender.setdefault(str(sender), []).append(_Event(kind, float(timestamp or 0), raw or "{}", data))
    return by_sender


def flagged_messages(rows: Iterable[tuple[Any, ...]], threshold: float, since: datetime | None = None,
                     handled: set[str] | frozenset[str] = frozenset()) -> list[ReviewMessage]:
    """The messages needing review, newest first; payloads and `handled` keys left out."""
    found: list[ReviewMessage] = []
    start = since.timestamp() if since else float("-inf")
    for sender, events in _conversations(rows).items():
        for index, event in enumerate(events):
            if event.kind != "user" or event.at < start or not event.text.strip() or event.text.startswith("/"):
                continue
            reasons = _reasons(events, index, threshold)
            if not reasons or review_key(event.text) in handled:
                continue
            around = events[max(0, index - CONTEXT): index + CONTEXT + 1]
            intent, confidence = _guess(event.parse)
            found.append(ReviewMessage(sender, event.text, datetime.fromtimestamp(event.at, tz=timezone.utc),
                                       intent, confidence, reasons,
                                       tuple(to_lines((e.kind, e.at, e.raw) for e in around))))
    return sorted(found, key=lambda m: m.at, reverse=True)


# --- grouping -------------------------------------------------------------------------------

def similar(a: str, b: str) -> bool:
    """Same canonical form, or token sets overlapping by Jaccard ≥ 0.8 ("ko" = "không")."""
    first, second = canonical(a), canonical(b)
    if first == second:
        return True
    x, y = set(first.split()), set(second.split())
    return bool(x and y) and len(x & y) / len(x | y) >= SIMILAR


def group(messages: Sequence[ReviewMessage], limit: int | None = None) -> list[ReviewGroup]:
    """Greedy grouping of newest-first messages: each joins the first group whose newest
    message it resembles. Groups keep newest-first order; at most `limit` of them."""
    groups: list[list[ReviewMessage]] = []
    for message in messages:
        for members in groups:
            if similar(members[0].text, message.text):
                members.append(message)
                break
        else:
            groups.append([message])
    return [ReviewGroup(tuple(members)) for members in groups[:limit]]


# --- reading --------------------------------------------------------------------------------

class InboxReader(TranscriptReader):
    """Reads the tracker store like the transcript does: same engine, same timeouts, and a
    missing or unreachable store gives an empty inbox."""

    async def groups(self, since: datetime | None = None, limit: int | None = 50,
                     nlu_dir: Path = NLU_DIR, threshold: float | None = None) -> list[ReviewGroup]:
        threshold = fallback_threshold() if threshold is None else threshold
        # Context before the first message in the window: read a little further back.
        rows = await self.rows(since - timedelta(hours=1) if since else None)
        return group(flagged_messages(rows, threshold, since, handled_keys(nlu_dir)), limit)

    async def rows(self, since: datetime | None) -> list[tuple[Any, ...]]:
        """(sender_id, type_name, timestamp, data) of user and bot events, oldest first."""
        engine = self._get_engine()
        if engine is None:
            return []
        statement = (select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
                     .where(EVENTS.c.type_name.in_(("user", "bot")))
                     .order_by(EVENTS.c.timestamp.desc(), EVENTS.c.id.desc()).limit(MAX_ROWS))
        if since is not None:
            statement = statement.where(EVENTS.c.timestamp >= since.timestamp())
        try:
            rows = await asyncio.wait_for(self._fetch(engine, statement), READ_TIMEOUT_S)
        except Exception as error:  # noqa: BLE001 — a missing table, a server down...: the inbox still works
            logger.warning("Tracker store not readable (%s): empty inbox", error.__class__.__name__)
            return []
        return [tuple(row) for row in reversed(rows)]
