"""What the actions share: the database, made where the action server starts.

`bot.action_server` installs it before the server takes requests and disposes of it when the
server stops; tests install their own (`install`). Nothing here opens a connection by itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from bot.config import Settings, get_settings
from bot.storage.db import Database


@dataclass(frozen=True)
class ActionServices:
    db: Database
    settings: Settings = field(default_factory=get_settings)


_installed: Optional[ActionServices] = None


def install(services: Optional[ActionServices]) -> None:
    global _installed
    _installed = services


def database() -> Database:
    if _installed is None:
        raise RuntimeError("the action server's services are not installed (start it with python -m bot.action_server)")
    return _installed.db


def settings() -> Settings:
    return _installed.settings if _installed is not None else get_settings()
