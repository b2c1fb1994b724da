"""Application factory and entry point of the phananh web server."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.staff.transcript import TranscriptReader
from bot.storage.db import Database
from bot.web.assets import create_template_env
from bot.web.background import database_statistics, zalo_notifications
from bot.web.console import setup_console
from bot.web.keys import SETTINGS_KEY, TEMPLATES_KEY, UPLOAD_STORE_KEY
from bot.web.routes import setup_routes
from bot.web.security import install_security_headers
from bot.web.settings import WebSettingsLike, load_settings
from bot.web.upload_store import MAX_UPLOAD_BYTES, UploadStore

# Uploads are streamed through request.multipart(); this only bounds other bodies.
CLIENT_MAX_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024


def create_app(settings: WebSettingsLike | None = None, *, database: Database | None = None,
               transcripts: TranscriptReader | None = None) -> web.Application:
    """The web server: chat page, uploads, notifications and the staff console.

    `database` (default: the process-wide one from DATABASE_URL) and `transcripts` (default:
    Rasa's tracker store as configured) are for tests.
    """
    settings = settings if settings is not None else load_settings()
    app = web.Application(client_max_size=CLIENT_MAX_SIZE)
    app[SETTINGS_KEY] = settings
    app[TEMPLATES_KEY] = create_template_env()
    app[UPLOAD_STORE_KEY] = UploadStore(Path(settings.upload_dir))
    install_security_headers(app, settings)
    setup_console(app, settings, database=database, transcripts=transcripts)
    setup_routes(app)
    app.cleanup_ctx.append(zalo_notifications)
    if database is None:  # the process-wide database: keep its statistics fresh
        app.cleanup_ctx.append(database_statistics)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    settings = load_settings()
    web.run_app(create_app(settings), host="0.0.0.0", port=settings.console_port)


if __name__ == "__main__":
    main()
