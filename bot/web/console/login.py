"""Logging in and out of the console."""
from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session

from bot.staff import users
from bot.staff.errors import LoginFailed, LoginThrottled
from bot.web.console.auth import LOGIN_PATH, start_session
from bot.web.console.context import STAFF, database
from bot.web.client_ip import client_ip
from bot.web.guard import form_fields
from bot.web.console.render import page, redirect
from bot.web.keys import SETTINGS_KEY

routes = web.RouteTableDef()

HOME = "/console/"
MISSING = "Vui lòng nhập tên đăng nhập và mật khẩu."
LOGGED_OUT = "Bạn đã đăng xuất."


def safe_next(value: object) -> str:
    """Where to go after logging in: only a console page of this site (no open redirect)."""
    if isinstance(value, str) and value.startswith(HOME) and not value.startswith("//") and "\\" not in value:
        return value
    return HOME


@routes.get(LOGIN_PATH)
async def login_form(request: web.Request) -> web.Response:
    next_url = safe_next(request.query.get("next"))
    if request.get(STAFF) is not None:
        return redirect(next_url)
    return await page(request, "login.html", next_url=next_url, username="", error=None)


@routes.post(LOGIN_PATH)
async def login_submit(request: web.Request) -> web.Response:
    form = await form_fields(request)
    username, password = str(form.get("username", "")).strip()[:100], str(form.get("password", ""))[:1000]
    unlock_code = str(form.get("unlock_code", "")).strip()[:40]
    next_url = safe_next(form.get("next"))
    if not username or not password:
        return await page(request, "login.html", status=400, next_url=next_url, username=username, error=MISSING)
    ip = client_ip(request, request.app[SETTINGS_KEY].trusted_proxies)
    try:
        account = await users.authenticate(database(request), username, password, ip, unlock_code=unlock_code)
    except LoginThrottled as throttled:
        return await page(request, "login.html", status=429, next_url=next_url, username=username,
                          error=throttled.message, unlock_open=True)
    except LoginFailed as failed:
        return await page(request, "login.html", status=401, next_url=next_url, username=username,
                          error=failed.message)
    await start_session(request, account)
    return redirect(next_url)


@routes.post("/console/logout")
async def logout(request: web.Request) -> web.Response:
    session = await get_session(request)
    session.invalidate()
    session["flash"] = ["success", LOGGED_OUT]
    return redirect(LOGIN_PATH)
