"""Typed keys for objects shared through the aiohttp application."""

from __future__ import annotations

import jinja2
from aiohttp import web

from bot.config import Settings
from bot.media.store import UploadStore
from bot.storage.db import Database

SETTINGS_KEY = web.AppKey("settings", Settings)
TEMPLATES_KEY = web.AppKey("templates", jinja2.Environment)
UPLOAD_STORE_KEY = web.AppKey("upload_store", UploadStore)
DATABASE_KEY = web.AppKey("database", Database)
