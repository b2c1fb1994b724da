"""What the web server needs from the settings (`bot.config.Settings` provides it)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from bot.config import ModelOpsSettings
from bot.config import get_settings as load_settings  # noqa: F401  (the web server's settings)


class WebSettingsLike(Protocol):
    upload_dir: Path
    public_base_url: str
    rasa_public_url: str
    console_secret_key: str  # empty: generated once into var/console_secret.key
    modelops: ModelOpsSettings  # the admins' retraining loop
