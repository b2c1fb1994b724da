"""Photos from the chat widget, and serving stored photos to those who may see them.

Uploading needs the browser's citizen id and key (see `routes.chat`), and is limited per
citizen and per address (`UPLOAD_LIMITS`, atomic counters): nobody can fill the disk. Every
image is decoded and stored again without its metadata (`bot.media.images.clean_image`:
no GPS position or camera owner), and registered so that photos which never became part of
a report are removed after a day.

A stored photo is served to staff signed in to the console, or to anyone holding a signed,
expiring link (`bot.media.links`); the bare address alone shows nothing.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import BodyPartReader, web

from bot.media.links import NAME, photo_url, valid_signature
from bot.media.store import MAX_UPLOAD_BYTES
from bot.staff.localtime import format_time
from bot.storage.limits import Limit, LimitReached, reserve_all
from bot.storage.uploads import record_upload
from bot.web.client_ip import client_ip
from bot.web.keys import DATABASE_KEY, SETTINGS_KEY, UPLOAD_STORE_KEY
from bot.web.routes.chat import proven_citizen

routes = web.RouteTableDef()

UPLOAD_FIELD = "file"
# Room for multipart boundaries and part headers around the image itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
CHUNK_BYTES = 64 * 1024

ERROR_NO_FILE = "Không tìm thấy ảnh trong yêu cầu. Bạn vui lòng chọn lại ảnh."
ERROR_NOT_IMAGE = "Tệp bạn chọn không phải là ảnh hợp lệ. Hệ thống chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF."
ERROR_TOO_LARGE = "Ảnh quá lớn. Bạn vui lòng gửi ảnh có dung lượng dưới 10 MB."
ERROR_TOO_MANY = "Bạn đã gửi nhiều ảnh trong thời gian ngắn. Bạn vui lòng thử lại sau {time} nhé."


def upload_limits(citizen: str, ip: str) -> list[Limit]:
    return [Limit(f"upload:citizen:{citizen}:10m", 10, timedelta(minutes=10)),
            Limit(f"upload:citizen:{citizen}:day", 40, timedelta(days=1)),
            Limit(f"upload:ip:{ip}:10m", 30, timedelta(minutes=10)),
            Limit(f"upload:ip:{ip}:day", 200, timedelta(days=1))]


class UploadRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@routes.post("/api/uploads")
async def upload_image(request: web.Request) -> web.Response:
    citizen = proven_citizen(request)
    settings, db = request.app[SETTINGS_KEY], request.app[DATABASE_KEY]
    ip = client_ip(request, settings.trusted_proxies)
    try:
        await reserve_all(db, upload_limits(citizen, ip))
        data = await _read_upload(request)
    except LimitReached as reached:
        return web.json_response({"error": ERROR_TOO_MANY.format(time=format_time(reached.retry_at))}, status=429)
    except UploadRejected as rejected:
        return web.json_response({"error": rejected.message}, status=rejected.status)
    name = await request.app[UPLOAD_STORE_KEY].save_clean(data)
    if name is None:
        return web.json_response({"error": ERROR_NOT_IMAGE}, status=400)
    await record_upload(db, name, citizen, ip)
    return web.json_response({"url": photo_url(settings.public_base_url, name)}, status=201)


async def _may_see(request: web.Request, name: str) -> bool:
    secret = request.app[SETTINGS_KEY].link_secret
    expires, signature = request.query.get("e", ""), request.query.get("s", "")
    if expires and signature and valid_signature(secret, name, expires, signature):
        return True
    from bot.web.console.auth import signed_in_staff  # the console's session cookie

    return await signed_in_staff(request) is not None


@routes.get("/uploads/{name}")
async def serve_upload(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    found = request.app[UPLOAD_STORE_KEY].resolve(name) if NAME.match(name) else None
    if found is None or not await _may_see(request, name):
        raise web.HTTPNotFound()
    path, image_type = found
    return web.FileResponse(
        path,
        headers={
            "Content-Type": image_type.content_type,
            "Content-Disposition": "inline",
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _read_upload(request: web.Request) -> bytes:
    """Return the bytes of the ``file`` field, enforcing the size limit while reading."""
    if (request.content_length or 0) > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES:
        raise UploadRejected(413, ERROR_TOO_LARGE)
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == UPLOAD_FIELD:
                return await _read_limited(part)
    except (AssertionError, KeyError, ValueError, UnicodeError, RuntimeError):
        # Not multipart, or a malformed body.
        raise UploadRejected(400, ERROR_NO_FILE) from None
    raise UploadRejected(400, ERROR_NO_FILE)


async def _read_limited(part: BodyPartReader) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK_BYTES):
        data.extend(chunk)
        if len(data) > MAX_UPLOAD_BYTES:
            raise UploadRejected(413, ERROR_TOO_LARGE)
    return bytes(data)
