"""Image uploads from the chat widget and safe serving of stored images."""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from bot.web.images import sniff_image_type
from bot.web.keys import SETTINGS_KEY, UPLOAD_STORE_KEY
from bot.web.upload_store import MAX_UPLOAD_BYTES

routes = web.RouteTableDef()

UPLOAD_FIELD = "file"
# Room for multipart boundaries and part headers around the image itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
CHUNK_BYTES = 64 * 1024

ERROR_NO_FILE = "Không tìm thấy ảnh trong yêu cầu. Bạn vui lòng chọn lại ảnh."
ERROR_NOT_IMAGE = "Tệp bạn chọn không phải là ảnh hợp lệ. Hệ thống chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF."
ERROR_TOO_LARGE = "Ảnh quá lớn. Bạn vui lòng gửi ảnh có dung lượng dưới 10 MB."


class UploadRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@routes.post("/api/uploads")
async def upload_image(request: web.Request) -> web.Response:
    try:
        data = await _read_upload(request)
    except UploadRejected as rejected:
        return web.json_response({"error": rejected.message}, status=rejected.status)
    image_type = sniff_image_type(data)
    if image_type is None:
        return web.json_response({"error": ERROR_NOT_IMAGE}, status=400)
    name = await request.app[UPLOAD_STORE_KEY].save(data, image_type)
    base_url = request.app[SETTINGS_KEY].public_base_url.rstrip("/")
    return web.json_response({"url": f"{base_url}/uploads/{name}"}, status=201)


@routes.get("/uploads/{name}")
async def serve_upload(request: web.Request) -> web.StreamResponse:
    found = request.app[UPLOAD_STORE_KEY].resolve(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound()
    path, image_type = found
    return web.FileResponse(
        path,
        headers={
            "Content-Type": image_type.content_type,
            "Content-Disposition": "inline",
            "Cache-Control": "private, max-age=86400",
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
    except (AssertionError, KeyError, ValueError):
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
