"""Settings the web server needs, with a local environment-based fallback.

The project-wide ``bot.config.get_settings()`` is preferred when it exposes
every attribute listed in ``REQUIRED_ATTRIBUTES``; otherwise the settings are
read from the environment here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Protocol

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONSOLE_PORT = 8080
DEFAULT_RASA_PUBLIC_URL = "http://localhost:5005"

REQUIRED_ATTRIBUTES = ("upload_dir", "public_base_url", "rasa_public_url")


class WebSettingsLike(Protocol):
    upload_dir: Path
    public_base_url: str
    rasa_public_url: str


@dataclass(frozen=True)
class WebSettings:
    upload_dir: Path
    public_base_url: str
    rasa_public_url: str
    console_port: int = DEFAULT_CONSOLE_PORT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "WebSettings":
        env = os.environ if environ is None else environ
        port = console_port_from_env(env)
        return cls(
            upload_dir=Path(env.get("UPLOAD_DIR") or PROJECT_ROOT / "var" / "uploads"),
            public_base_url=env.get("PUBLIC_BASE_URL") or f"http://localhost:{port}",
            rasa_public_url=env.get("RASA_PUBLIC_URL") or DEFAULT_RASA_PUBLIC_URL,
            console_port=port,
        )


def console_port_from_env(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    return int(env.get("CONSOLE_PORT") or DEFAULT_CONSOLE_PORT)


def load_settings() -> WebSettingsLike:
    """Return the project settings if they fit, else the local fallback."""
    try:
        from bot.config import get_settings  # type: ignore[import-not-found]
    except ImportError:
        return WebSettings.from_env()
    settings = get_settings()
    if all(hasattr(settings, name) for name in REQUIRED_ATTRIBUTES):
        return settings
    return WebSettings.from_env()
