"""Reading the conversation around a report from Rasa's SQL tracker store."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.staff.transcript import BOT, CITIZEN, LOCATION_SENT, PHOTO_SENT, TranscriptReader, tracker_url
from tests.helpers.tracker import rasa_events_table

ROOT = Path(__file__).resolve().parents[2]
SUBMITTED = datetime(2025, 3, 11, 2, 0, tzinfo=timezone.utc)


def at(minutes: float) -> float:
    return (SUBMITTED + timedelta(minutes=minutes)).timestamp()


def test_tracker_url_follows_the_endpoints_file() -> None:
    assert tracker_url({"TRACKER_SQLITE_PATH": "/tmp/t.db"}, ROOT) == "sqlite:////tmp/t.db"
    assert tracker_url({}, ROOT) == f"sqlite:///{ROOT / 'var' / 'rasa_tracker.db'}"
    production = {"APP_ENV": "production", "DATABASE_URL": "postgresql+asyncpg://rasa:p%40ss@db.internal:5433/phananh"}
    assert tracker_url(production, ROOT) == "postgresql://rasa:p%40ss@db.internal:5433/phananh"
    separate = {**production, "TRACKER_DATABASE_URL": "postgresql://conv@db2/rasa"}
    assert tracker_url(separate, ROOT) == "postgresql://conv@db2/rasa"
    development = {"RASA_ENDPOINTS": str(ROOT / "endpoints.yml"), "TRACKER_SQLITE_PATH": "/tmp/t.db"}
    assert tracker_url(development, ROOT) == "sqlite:////tmp/t.db"


async def test_transcript_around_the_report(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    rasa_events_table(path, [
        ("s1", "user", at(-60 * 24), {"text": "hôm qua, chuyện khác"}),  # outside the window
        ("s1", "user", at(-5), {"text": "quán bày bàn ghế kín vỉa hè"}),
        ("s1", "action", at(-5), {"name": "action_listen"}),
        ("s1", "bot", at(-4.9), {"text": "Bạn gửi ảnh nhé", "data": {"buttons": [
            {"title": "Bỏ qua", "payload": "/skip"}]}}),
        ("s1", "user", at(-4), {"text": '/inform{"photo_url": "http://localhost:8080/uploads/x.png"}'}),
        ("s1", "user", at(-3), {"text": '/inform{"latitude": 21.0, "longitude": 105.8}'}),
        ("s1", "bot", at(-2.9), {"text": "Bạn muốn để lại số điện thoại?", "data": {"buttons": [
            {"title": "Ẩn danh", "payload": "/stay_anonymous"}]}}),
        ("s1", "user", at(-2), {"text": "/stay_anonymous"}),
        ("s2", "user", at(-2), {"text": "người khác"}),
    ])
    reader = TranscriptReader(f"sqlite:///{path}")
    try:
        lines = await reader.around("s1", SUBMITTED)
    finally:
        await reader.close()
    assert [(line.speaker, line.text) for line in lines] == [
        (CITIZEN, "quán bày bàn ghế kín vỉa hè"),
        (BOT, "Bạn gửi ảnh nhé"),
        (CITIZEN, PHOTO_SENT),
        (CITIZEN, LOCATION_SENT),
        (BOT, "Bạn muốn để lại số điện thoại?"),
        (CITIZEN, "Ẩn danh"),
    ]
    assert lines[1].buttons == ("Bỏ qua",) and lines[2].image_url == "http://localhost:8080/uploads/x.png"
    assert lines[0].at == datetime.fromtimestamp(at(-5), tz=timezone.utc)


async def test_missing_store_gives_an_empty_transcript(tmp_path: Path) -> None:
    empty_db = tmp_path / "empty.db"
    sqlite3.connect(empty_db).close()  # a file without Rasa's table
    for url in (f"sqlite:///{tmp_path / 'nothing.db'}", f"sqlite:///{empty_db}",
                "postgresql://nobody@127.0.0.1:1/none", None):
        reader = TranscriptReader(url)
        try:
            assert await reader.around("s1", SUBMITTED) == []
        finally:
            await reader.close()
    assert not (tmp_path / "nothing.db").exists()  # read-only: never creates the store
