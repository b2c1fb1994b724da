"""Typed keys for objects shared through the aiohttp application."""

from __future__ import annotations

import jinja2
from aiohttp import web

from bot.web.settings import WebSettingsLike
from bot.web.upload_store import UploadStore

SETTINGS_KEY = web.AppKey("settings", WebSettingsLike)
TEMPLATES_KEY = web.AppKey("templates", jinja2.Environment)
UPLOAD_STORE_KEY = web.AppKey("upload_store", UploadStore)
