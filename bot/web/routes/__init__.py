"""Route registration: one module per area of the site."""

from __future__ import annotations

from aiohttp import web

from bot.web.assets import STATIC_DIR
from bot.web.console import api as console_api, figures as console_figures
from bot.web.console import inbox_pages, login as console_login, model_pages, pages as console_pages
from bot.web.routes import chat, health, model_server, notifications, open311, public, uploads


def setup_routes(app: web.Application) -> None:
    for module in (chat, health, model_server, notifications, public, uploads, open311, console_login, console_pages,
                   console_figures, console_api, inbox_pages, model_pages):
        app.router.add_routes(module.routes)
    app.router.add_static("/static", STATIC_DIR, name="static")
