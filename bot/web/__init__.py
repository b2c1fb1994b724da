"""Web server of phananh: the citizens' chat page and the ward staff console.

`create_app` and `main` are looked up lazily: `python -m bot.web` imports this package before
its `__main__`, which keeps TensorFlow out of the process (`bot.address.without_tensorflow`)
before the application's imports reach spaCy."""
from __future__ import annotations

from typing import Any

__all__ = ["create_app", "main"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'bot.web' has no attribute {name!r}")
