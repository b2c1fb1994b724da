"""Responses of the console: pages from templates, JSON, errors, redirects and flash messages."""
from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any, Awaitable

from aiohttp import web
from aiohttp_session import get_session

from bot.web.console.context import STAFF, csrf_token, is_api
from bot.web.keys import TEMPLATES_KEY

NO_STORE = {"Cache-Control": "no-store"}
ERROR_TITLES = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa đăng nhập",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy",
    409: "Phản ánh vừa thay đổi",
    429: "Tạm khóa đăng nhập",
}


def redirect(location: str) -> web.Response:
    """303 See Other: after a form, the browser GETs the next page."""
    return web.Response(status=303, headers={"Location": location, **NO_STORE})


async def flash(request: web.Request, kind: str, text: str) -> None:
    """A message for the next page the staff member sees ("success" or "error")."""
    (await get_session(request))["flash"] = [kind, text]


async def after_form(request: web.Request, home: str, work: Awaitable[str],
                     refusals: tuple[type[Exception], ...]) -> web.Response:
    """Back to `home` with what a form did on top, or (one of `refusals`) why it did not."""
    try:
        await flash(request, "success", await work)
    except refusals as refused:
        await flash(request, "error", getattr(refused, "message", str(refused)))
    return redirect(home)


async def page(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    session = await get_session(request)
    message = session.pop("flash", None)
    html = request.app[TEMPLATES_KEY].get_template(f"console/{template}").render(
        staff=request.get(STAFF), csrf_token=csrf_token(session), flash=message, **context,
    )
    return web.Response(text=html, status=status, content_type="text/html", headers=NO_STORE)


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(jsonable(data), status=status, headers=NO_STORE,
                             dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def error_response(request: web.Request, status: int, message: str) -> web.Response:
    """JSON `{"error": message}` for the API, an error page for the console."""
    if is_api(request.path):
        return json_response({"error": message}, status=status)
    return await page(request, "error.html", status=status, title=ERROR_TITLES.get(status, "Lỗi"),
                      message=message, http_status=status)
