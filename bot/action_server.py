"""`python -m bot.action_server`: rasa-sdk's action server, closed by default.

rasa-sdk 3.6 has no authentication of its own, listens on 0.0.0.0 and answers an unexpected
error with the whole request body. We build its Sanic app with `rasa_sdk.endpoint.create_app`
(the supported way to embed it) and add what it lacks:

- it listens on ACTION_HOST (127.0.0.1 unless told otherwise);
- `/webhook` and `/actions` need `Authorization: Bearer <ACTION_SERVER_TOKEN>`, which Rasa
  sends from `endpoints.yml` (`action_endpoint.headers`); `/health` stays open;
- the database is created when the server starts and disposed of when it stops
  (`actions.services`), so every action shares one engine;
- an unexpected error is logged with detail and answered with a plain 500.
"""
from __future__ import annotations

import argparse
import hmac
import logging
from typing import Any, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import services
from bot.address import without_tensorflow
from bot.config import Settings, get_settings, listens_beyond_loopback, production_problems
from bot.logs import configure_logging
from bot.storage.db import Database

logger = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})
ACTIONS_PACKAGE = "actions"
GRACEFUL_SHUTDOWN_SECONDS = 3


def authorised(header: Optional[str], token: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def create_app(settings: Settings, database: Optional[Database] = None) -> Sanic:
    """The action server's app; `database` (tests) replaces the one made from DATABASE_URL."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app(ACTIONS_PACKAGE, cors_origins=[])
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = GRACEFUL_SHUTDOWN_SECONDS  # SIGTERM: out in seconds, not Sanic's 15
    token = settings.action_server_token

    @app.middleware("request")
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS or authorised(request.headers.get("Authorization"), token):
            return None
        logger.warning("Action server: refused an unauthenticated %s %s from %s", request.method, request.path, request.ip)
        return response.json({"error": "unauthorised"}, status=401)

    @app.listener("before_server_start")
    async def open_database(_app: Any, _loop: Any) -> None:
        services.install(services.ActionServices(database or Database(settings.database_url), settings))

    @app.listener("after_server_stop")
    async def close_database(_app: Any, _loop: Any) -> None:
        current = services.database()
        services.install(None)
        if database is None:
            await current.dispose()

    @app.exception(Exception)
    async def unexpected(request: Request, error: Exception) -> HTTPResponse:
        logger.error("Action server: %s %s failed", request.method, request.path, exc_info=error)
        return response.json({"error": "internal error"}, status=500)

    return app


def main(argv: Optional[list[str]] = None) -> int:
    without_tensorflow()
    parser = argparse.ArgumentParser(description="phananh's action server")
    parser.add_argument("--host", default=None, help="address to listen on (default: ACTION_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default: ACTION_PORT, 5055)")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level)
    if problems := production_problems(settings):
        for problem in problems:
            logger.error("Refusing to start in production: %s", problem)
        return 2
    host, port = args.host or settings.action_host, args.port or settings.action_port
    if listens_beyond_loopback([host]):
        logger.warning("The action server listens on %s: only Rasa, with ACTION_SERVER_TOKEN, may call it", host)
    app = create_app(settings)
    logger.info("Action server on http://%s:%d (calls need ACTION_SERVER_TOKEN)", host, port)
    app.run(host=host, port=port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
