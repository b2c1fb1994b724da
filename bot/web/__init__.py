"""Web server of phananh: the citizens' chat page and the ward staff console."""

from bot.web.app import create_app, main

__all__ = ["create_app", "main"]
