"""Logging of our processes (servers and command line): one format, at LOG_LEVEL."""
from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Log to stderr at `level` (`Settings.log_level`). `basicConfig` alone does nothing, its
    level included, once the root logger has a handler (a library or pytest put one there), so
    the root logger's level is set in every case."""
    logging.basicConfig(format=FORMAT)
    logging.getLogger().setLevel(level)
