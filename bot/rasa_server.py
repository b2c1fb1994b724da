"""`python -m bot.rasa_server --model FILE`: the Rasa server, as every part of phananh starts it.

`bot run`, the tests and the benchmarks all start Rasa through this module, which:
- refuses to start in production mode with a missing or weak secret (`production_problems`);
- applies our patches on purpose (`bot.rasa_patches.apply`, which checks the Rasa version and
  refuses an incompatible one);
- caps request bodies (`SANIC_REQUEST_MAX_SIZE`) and switches Rasa's telemetry off;
- runs `rasa run` with the HTTP API behind RASA_TOKEN, listening on RASA_HOST (127.0.0.1 by
  default), CORS limited to CORS_ORIGINS, and the endpoints file RASA_ENDPOINTS.

The token and the other arguments are given to Rasa inside this process, so they never show
in the process list.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Optional

from bot.config import (PROJECT_ROOT, Settings, get_settings, listens_beyond_loopback, production_problems,
                        pulls_models)
from bot.logs import configure_logging
from bot.modelops.delivery import MODEL_PATH

logger = logging.getLogger(__name__)
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
GRACEFUL_SHUTDOWN_SECONDS = 3  # in-flight requests get this long after SIGTERM (Sanic's default: 15)
REQUEST_MAX_BYTES = 2 * 1024 * 1024  # REST messages are short; the Zalo webhook reads its own, smaller, cap


def rasa_arguments(settings: Settings, model: Path | None, host: str, port: int, endpoints: Path) -> list[str]:
    return [
        # "--name=value": a token may start with "-", which argparse would take for an option
        "run", "--enable-api", f"--auth-token={settings.rasa_token}",
        "--cors", *settings.cors_origins,
        "--interface", host, "--port", str(port),
        *(["--model", str(model)] if model else []),
        "--endpoints", str(endpoints), "--credentials", str(CREDENTIALS),
    ]


def _active_model(settings: Settings, endpoints: Path) -> Path | None:
    """The model to start with. Pulling from the model server (production): the registry's
    active model if this machine has its file, else none (it is downloaded before the server
    answers); never registering anything. Otherwise (one machine, development): what `bot run`
    starts with (`startup_model`)."""
    import asyncio

    if pulls_models(endpoints):
        return asyncio.run(_active_file(settings))
    from bot.modelops.service import startup_model

    return asyncio.run(startup_model(settings))


async def _active_file(settings: Settings) -> Path | None:
    from bot.modelops import registry
    from bot.storage.db import Database

    db = Database(settings.database_url)
    try:
        version = await registry.active(db)
    finally:
        await db.dispose()
    return version.file if version is not None and version.file.is_file() else None


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="phananh's Rasa server")
    parser.add_argument("--model", type=Path, default=None,
                        help="the model file to serve (default: the active model of the registry, as `bot run`)")
    parser.add_argument("--host", default=None, help="address to listen on (default: RASA_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default: RASA_PORT, 5005)")
    parser.add_argument("--endpoints", type=Path, default=None, help="endpoints file (default: RASA_ENDPOINTS)")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level)
    if problems := production_problems(settings):
        for problem in problems:
            logger.error("Refusing to start in production: %s", problem)
        return 2

    from bot import rasa_patches

    try:
        applied = rasa_patches.apply()
    except rasa_patches.IncompatibleRasa as error:
        logger.error("Refusing to start: %s", error)
        return 2
    logger.info("Rasa patches in force: %s", ", ".join(applied))
    host, port = args.host or settings.rasa_host, args.port or settings.rasa_port
    if listens_beyond_loopback([host]):
        logger.warning("Rasa listens on %s: its HTTP API needs RASA_TOKEN; put it behind the proxy", host)
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_BYTES))
    os.environ.setdefault("SANIC_GRACEFUL_SHUTDOWN_TIMEOUT", str(GRACEFUL_SHUTDOWN_SECONDS))  # SIGTERM: out in seconds
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    # what endpoints.production.yml's model server section reads (the process's own environment)
    os.environ.setdefault("MODEL_SERVER_URL", f"http://127.0.0.1:{settings.console_port}{MODEL_PATH}")
    os.environ.setdefault("RASA_TOKEN", settings.rasa_token)
    os.environ["LOG_LEVEL"] = settings.log_level  # Rasa reads it too, and fails on "debug"
    endpoints = args.endpoints or settings.rasa_endpoints
    model = args.model or _active_model(settings, endpoints)
    sys.argv = ["rasa", *rasa_arguments(settings, model, host, port, endpoints)]

    import rasa.__main__

    rasa.__main__.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
