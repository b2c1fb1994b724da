"""Security headers added to every response."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from bot.config import Settings

_WEBSOCKET_SCHEMES = {"http": "ws", "https": "wss"}


def _origins(url: str) -> list[str]:
    """The HTTP origin of ``url`` plus its websocket twin (socket.io upgrades to it)."""
    origin = URL(url).origin()
    sources = [str(origin)]
    ws_scheme = _WEBSOCKET_SCHEMES.get(origin.scheme)
    if ws_scheme:
        sources.append(str(origin.with_scheme(ws_scheme)))
    return sources


def content_security_policy(settings: Settings) -> str:
    connect_src = ["'self'", *_origins(settings.rasa_public_url)]
    img_src = ["'self'", "data:", "blob:", "https:", str(URL(settings.public_base_url).origin())]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": img_src,
        "connect-src": connect_src,
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(
        f"{name} {' '.join(dict.fromkeys(sources))}" for name, sources in directives.items()
    )


def security_headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    }


def install_security_headers(app: web.Application, settings: Settings) -> None:
    headers = security_headers(settings)

    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        for name, value in headers.items():
            response.headers.setdefault(name, value)

    app.on_response_prepare.append(add_headers)  # type: ignore[arg-type]  # aiohttp 3.9 types its signals for aiosignal < 1.4 (constraints.txt has 1.4)
