"""Rasa's tracker store for tests: the `events` table as SQLTrackerStore creates it."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

Row = tuple[str, str, float, dict]  # sender id, type name ("user", "bot", "action"), timestamp, data


def rasa_events_table(path: Path, rows: list[Row]) -> str:
    """Create the table in a SQLite file with `rows`; returns the file's URL."""
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
            "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
            "action_name VARCHAR(255), data TEXT)")
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
            [(sender, kind, at, json.dumps(data, ensure_ascii=False)) for sender, kind, at, data in rows])
    return f"sqlite:///{path}"
