"""Application factory and entry point of the phananh web server."""

from __future__ import annotations

import logging
from typing import AsyncIterator, Callable

from aiohttp import web

from bot.config import Settings, get_settings, listens_beyond_loopback, production_problems
from bot.logs import configure_logging
from bot.media.store import MAX_UPLOAD_BYTES, UploadStore
from bot.staff.transcript import TranscriptReader
from bot.storage.db import Database
from bot.web.assets import create_template_env
from bot.web.background import database_statistics, sweep_unused_uploads, zalo_notifications
from bot.web.console import setup_console
from bot.web.guard import bounded_requests
from bot.web.keys import DATABASE_KEY, SETTINGS_KEY, TEMPLATES_KEY, UPLOAD_STORE_KEY
from bot.web.routes import setup_routes
from bot.web.routes.public import setup_public, warm_league
from bot.web.routes.open311 import open311_answers
from bot.web.security import install_security_headers

logger = logging.getLogger(__name__)
# Uploads are streamed through request.multipart(); this only bounds other bodies.
CLIENT_MAX_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024


def create_app(settings: Settings, *, database: Database | None = None,
               transcripts: TranscriptReader | None = None) -> web.Application:
    """The web server: chat page, identities, uploads, notifications, the public page
    /tra-cuu, Open311 and the staff console.

    The server makes its database from DATABASE_URL and disposes of it when it stops; a test
    gives its own `database` (and keeps it). `transcripts` (default: Rasa's tracker store as
    configured) is for tests too.
    """
    app = web.Application(client_max_size=CLIENT_MAX_SIZE, middlewares=[bounded_requests])
    db = database or Database(settings.database_url)
    app[SETTINGS_KEY] = settings
    app[DATABASE_KEY] = db
    app[TEMPLATES_KEY] = create_template_env()
    app[UPLOAD_STORE_KEY] = UploadStore(settings.upload_dir)
    install_security_headers(app, settings)
    setup_console(app, settings, db, transcripts=transcripts)
    app.middlewares.append(open311_answers)  # Open311's errors in the spec's format
    setup_routes(app)
    setup_public(app)
    app.cleanup_ctx.extend([zalo_notifications, sweep_unused_uploads])
    if database is None:  # our own database: keep its statistics fresh, the public figures warm, and close it
        app.cleanup_ctx.extend([database_statistics, warm_league, _dispose(db)])
    return app


def _dispose(db: Database) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        yield
        await db.dispose()
    return context


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    if problems := production_problems(settings):
        for problem in problems:
            logger.error("Refusing to start in production: %s", problem)
        raise SystemExit(2)
    if listens_beyond_loopback([settings.console_host]):
        logger.warning("The web server listens on %s: put it behind the proxy (TLS)", settings.console_host)
    web.run_app(create_app(settings), host=settings.console_host, port=settings.console_port,
                print=None, shutdown_timeout=5)


if __name__ == "__main__":
    main()
