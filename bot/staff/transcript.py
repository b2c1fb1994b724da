"""The conversation around a report, read (never written) from Rasa's SQL tracker store.

Rasa keeps every event in the table `events` (sender_id, type_name, timestamp, data JSON).
Where that store lives is read from the endpoints file Rasa uses (`RASA_ENDPOINTS`, default
`endpoints.yml`; `endpoints.production.yml` when APP_ENV=production): SQLite at
`TRACKER_SQLITE_PATH` in development, PostgreSQL at TRACKER_DATABASE_URL / DATABASE_URL with
`bot.rasa_stores.PostgresTrackerStore` (or a plain `type: SQL` store's own settings).
A missing or unreachable store gives an empty transcript, not an error.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from sqlalchemy import column, select, table
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.config import PROJECT_ROOT, TRACKER_SQLITE, endpoints_file, endpoints_section, tracker_database_url
from bot.intake import mask_phones

logger = logging.getLogger(__name__)

BEFORE = timedelta(hours=6)  # how far back from the report's submission the transcript starts
AFTER = timedelta(hours=1)
MAX_LINES = 200
CONNECT_TIMEOUT_S = 3
READ_TIMEOUT_S = 5
CITIZEN, BOT = "citizen", "bot"

PHOTO_SENT = "[Đã gửi ảnh]"
LOCATION_SENT = "[Đã chia sẻ vị trí]"

# Rasa's tracker store table of conversation events (read only; the NLU inbox reads it too)
EVENTS = table("events", column("id"), column("sender_id"), column("type_name"), column("timestamp"),
               column("data"))
_ENV_VAR = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str  # "citizen" or "bot"
    text: str
    at: datetime
    buttons: tuple[str, ...] = ()  # the titles the bot offered
    image_url: str | None = None


# --- where the tracker store is -----------------------------------------------------------

def _substitute(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _ENV_VAR.sub(lambda m: env.get(m.group(1), ""), value)
    return value


def _sqlite_url(path_text: str, root: Path) -> str:
    path = Path(path_text or TRACKER_SQLITE).expanduser()
    path = path if path.is_absolute() else root / path
    return f"sqlite:///{path}"


def tracker_url(env: Mapping[str, str] | None = None, root: Path = PROJECT_ROOT) -> str | None:
    """The tracker store's database URL as Rasa would connect to it; None if it is not SQL."""
    env = os.environ if env is None else env
    store = endpoints_section(endpoints_file(env, root), "tracker_store")
    if not store:  # no endpoints file: Rasa's SQLite default as `bot run` sets it
        return _sqlite_url(env.get("TRACKER_SQLITE_PATH", ""), root)
    store = {key: _substitute(value, env) for key, value in store.items()}
    if str(store.get("type", "")).endswith("PostgresTrackerStore"):
        url = tracker_database_url(env)
        return "postgresql://" + url.split("://", 1)[1] if "://" in url else None
    if str(store.get("type", "")).upper() != "SQL":
        return None
    dialect = str(store.get("dialect") or "sqlite")
    if dialect == "sqlite":
        return _sqlite_url(str(store.get("db") or env.get("TRACKER_SQLITE_PATH", "")), root)
    host = str(store.get("url") or "")
    if "://" in host:
        return host
    port = str(store.get("port") or "")
    return URL.create("postgresql", username=store.get("username") or None, password=store.get("password") or None,
                      host=host or None, port=int(port) if port.isdigit() else None,
                      database=store.get("db") or None).render_as_string(hide_password=False)


def _read_only_async_url(url: str) -> str | None:
    """The async URL to read `url` with; None when it is a SQLite file that does not exist."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            return None
        return f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


# --- reading it ---------------------------------------------------------------------------

def _user_text(text: str, offered: Mapping[str, str]) -> tuple[str, str | None]:
    """What the citizen said: a button's title for its payload, photos and locations in words."""
    if text in offered:
        return offered[text], None
    if text.startswith("/inform{"):
        try:
            entities = json.loads(text.removeprefix("/inform"))
        except ValueError:
            entities = {}
        if isinstance(entities, dict) and entities.get("photo_url"):
            return PHOTO_SENT, str(entities["photo_url"])
        if isinstance(entities, dict) and "latitude" in entities:
            return LOCATION_SENT, None
    return text, None


def to_lines(events: Iterable[tuple[str, float, str]]) -> list[TranscriptLine]:
    """Transcript lines from (type_name, timestamp, data JSON) rows, oldest first."""
    lines: list[TranscriptLine] = []
    offered: dict[str, str] = {}
    for type_name, timestamp, raw in events:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            continue
        at = datetime.fromtimestamp(float(timestamp or 0), tz=timezone.utc)
        text = str(data.get("text") or "")
        if type_name == "bot":
            extra = data.get("data") or {}
            buttons = [b for b in extra.get("buttons") or [] if isinstance(b, dict)]
            offered = {str(b.get("payload")): str(b.get("title")) for b in buttons}
            image = extra.get("image") if isinstance(extra.get("image"), str) else None
            if text or image or buttons:
                lines.append(TranscriptLine(BOT, text, at, tuple(str(b.get("title")) for b in buttons), image))
        elif type_name == "user" and text:
            shown, image = _user_text(text, offered)
            lines.append(TranscriptLine(CITIZEN, shown, at, (), image))
    return lines


def without_phones(lines: Iterable[TranscriptLine]) -> list[TranscriptLine]:
    """The transcript for staff who may not see the citizen's phone number (the same rule as
    the report's phone field): every number the citizen or the bot wrote is masked."""
    return [TranscriptLine(line.speaker, mask_phones(line.text), line.at, line.buttons, line.image_url) for line in lines]


class TranscriptReader:
    """Reads conversations from the tracker store; one engine for the life of the process."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._engine: AsyncEngine | None = None

    def _get_engine(self) -> AsyncEngine | None:
        if self._engine is None and self.url:
            async_url = _read_only_async_url(self.url)
            if async_url is None:
                return None
            options: dict[str, Any] = {} if async_url.startswith("sqlite") else {
                "pool_size": 2, "max_overflow": 2, "connect_args": {"timeout": CONNECT_TIMEOUT_S}}
            self._engine = create_async_engine(async_url, future=True, pool_pre_ping=True, **options)
        return self._engine

    async def for_staff(self, conversation_id: str, moment: datetime, may_see_phone: bool) -> list[TranscriptLine]:
        lines = await self.around(conversation_id, moment)
        return lines if may_see_phone else without_phones(lines)

    async def around(self, sender_id: str, moment: datetime) -> list[TranscriptLine]:
        """The citizen's and the bot's messages from shortly before `moment` to shortly after."""
        engine = self._get_engine()
        if engine is None:
            return []
        statement = (select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
                     .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name.in_(("user", "bot")),
                            EVENTS.c.timestamp >= (moment - BEFORE).timestamp(),
                            EVENTS.c.timestamp <= (moment + AFTER).timestamp())
                     .order_by(EVENTS.c.timestamp.desc(), EVENTS.c.id.desc()).limit(MAX_LINES))
        try:
            rows = await asyncio.wait_for(self._fetch(engine, statement), READ_TIMEOUT_S)
        except Exception as error:  # noqa: BLE001 — a missing table, a server down...: the page still works
            logger.warning("Tracker store not readable (%s): empty transcript", error.__class__.__name__)
            return []
        return to_lines(reversed([tuple(row) for row in rows]))

    @staticmethod
    async def _fetch(engine: AsyncEngine, statement: Any) -> list[Any]:
        async with engine.connect() as connection:
            return list((await connection.execute(statement)).all())

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
