"""Settings for a web server under test: every path, secret and URL inside the test's folder."""
from __future__ import annotations

from pathlib import Path

from bot.config import Settings, load_settings
from tests.helpers.db import sqlite_file_url


def web_settings(tmp: Path, **env: str) -> Settings:
    """`load_settings` with the uploads, secrets, models and database under `tmp`; `env`
    adds or overrides variables (PUBLIC_BASE_URL="https://…", TRUSTED_PROXIES=…)."""
    base = {
        "DATABASE_URL": sqlite_file_url(tmp), "UPLOAD_DIR": str(tmp / "uploads"), "SECRETS_DIR": str(tmp / "secrets"),
        "PUBLIC_BASE_URL": "http://127.0.0.1", "RASA_PUBLIC_URL": "http://127.0.0.1:5005",
        "MODELS_DIR": str(tmp / "models"), "TRACKER_SQLITE_PATH": str(tmp / "tracker.db"),
    }
    return load_settings({**base, **env})
