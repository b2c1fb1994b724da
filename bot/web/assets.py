"""Templates and static files shipped with the web server."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import jinja2

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"


@lru_cache(maxsize=None)
def static_url(relative_path: str) -> str:
    """URL of a static file, with a content hash so browsers refetch it after a change."""
    digest = hashlib.sha256((STATIC_DIR / relative_path).read_bytes()).hexdigest()[:12]
    return f"/static/{relative_path}?v={digest}"


def create_template_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    env.globals["static_url"] = static_url
    return env
