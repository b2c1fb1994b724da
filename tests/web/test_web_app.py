"""HTTP-level tests of the web server (chat page, uploads, health)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.config import load_settings
from bot.web import create_app
from bot.media.links import signed_link
from bot.media.store import MAX_UPLOAD_BYTES
from bot.web.keys import SETTINGS_KEY
from tests.helpers.db import migrated_database
from tests.helpers.web import web_settings

TINY_PNG = (Path(__file__).resolve().parents[1] / "fixtures" / "tiny.png").read_bytes()
PUBLIC_BASE_URL = "http://citizen.example:8080"
RASA_PUBLIC_URL = "http://rasa.example:5005"


@pytest_asyncio.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    settings = web_settings(tmp_path, PUBLIC_BASE_URL=PUBLIC_BASE_URL, RASA_PUBLIC_URL=RASA_PUBLIC_URL)
    async with migrated_database(settings.database_url) as db:
        async with TestClient(TestServer(create_app(settings, database=db))) as test_client:
            yield test_client


def upload_form(content: bytes, filename: str = "photo.png", content_type: str = "image/png") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=filename, content_type=content_type)
    return form


async def identity(client: TestClient) -> dict[str, str]:
    """A browser's citizen headers, as the chat page gets them."""
    issued = await (await client.post("/api/chat/identity")).json()
    return {"X-Citizen": issued["citizen"], "X-Citizen-Key": issued["key"]}


async def test_chat_page_renders_with_rasa_url(client: TestClient) -> None:
    response = await client.get("/")
    assert response.status == 200
    html = await response.text()
    assert f'data-rasa-url="{RASA_PUBLIC_URL}"' in html and 'data-max-photos="5"' in html
    assert "Phản ánh trật tự đô thị Hà Nội" in html
    for label in ("Lấn chiếm vỉa hè, lòng đường", "Vi phạm trật tự xây dựng"):  # bot.statuses, header and welcome
        assert html.count(label) == 2
    assert "/static/vendor/socket.io.min.js" in html
    assert "//cdn" not in html
    csp = response.headers["Content-Security-Policy"]
    assert RASA_PUBLIC_URL in csp and "ws://rasa.example:5005" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_static_assets_are_served(client: TestClient) -> None:
    for path in ("/static/chat.js", "/static/chat.css", "/static/vendor/socket.io.min.js"):
        response = await client.get(path)
        assert response.status == 200, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_upload_stores_a_clean_copy_served_only_through_a_signed_link(client: TestClient, tmp_path: Path) -> None:
    response = await client.post("/api/uploads", data=upload_form(TINY_PNG), headers=await identity(client))
    assert response.status == 201
    url = (await response.json())["url"]
    prefix = f"{PUBLIC_BASE_URL}/uploads/"
    assert url.startswith(prefix) and url.endswith(".png")
    name = url.removeprefix(prefix)
    assert len(name) == 32 + len(".png")
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == [name]

    assert (await client.get(f"/uploads/{name}")).status == 404  # the bare address shows nothing
    settings = client.app[SETTINGS_KEY]
    link = signed_link(url, settings.public_base_url, settings.link_secret)
    served = await client.get(link.removeprefix(PUBLIC_BASE_URL))
    assert served.status == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert (await served.read()).startswith(b"\x89PNG")
    expired = signed_link(url, settings.public_base_url, settings.link_secret, ttl=-10)
    assert (await client.get(expired.removeprefix(PUBLIC_BASE_URL))).status == 404
    forged = link.rsplit("&s=", 1)[0] + "&s=" + "A" * 43
    assert (await client.get(forged.removeprefix(PUBLIC_BASE_URL))).status == 404


async def test_an_upload_needs_the_browsers_identity(client: TestClient) -> None:
    headers = await identity(client)
    assert (await client.post("/api/uploads", data=upload_form(TINY_PNG))).status == 400
    forged = {**headers, "X-Citizen-Key": headers["X-Citizen-Key"][::-1]}
    assert (await client.post("/api/uploads", data=upload_form(TINY_PNG), headers=forged)).status == 400


async def test_uploads_get_distinct_names(client: TestClient) -> None:
    urls = set()
    headers = await identity(client)
    for _ in range(2):
        response = await client.post("/api/uploads", data=upload_form(TINY_PNG), headers=headers)
        urls.add((await response.json())["url"])
    assert len(urls) == 2


async def test_rejects_text_file_disguised_as_png(client: TestClient, tmp_path: Path) -> None:
    response = await client.post("/api/uploads", data=upload_form(b"<script>alert(1)</script>", filename="x.png"),
                                 headers=await identity(client))
    assert response.status == 400
    error = (await response.json())["error"]
    assert "không phải là ảnh" in error
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


async def test_rejects_oversized_file(client: TestClient) -> None:
    too_big = TINY_PNG + b"\0" * (MAX_UPLOAD_BYTES + 1 - len(TINY_PNG))
    response = await client.post("/api/uploads", data=upload_form(too_big), headers=await identity(client))
    assert response.status == 413
    assert "10 MB" in (await response.json())["error"]


async def test_rejects_request_without_file(client: TestClient) -> None:
    headers = await identity(client)
    form = aiohttp.FormData()
    form.add_field("other", "value")
    response = await client.post("/api/uploads", data=form, headers=headers)
    assert response.status == 400
    assert (await response.json())["error"]

    response = await client.post("/api/uploads", data=b"not multipart",
                                 headers={"Content-Type": "text/plain", **headers})
    assert response.status == 400


@pytest.mark.parametrize(
    "path",
    [
        "/uploads/..%2F..%2Fetc%2Fpasswd",
        "/uploads/%2E%2E%2Fapp.py",
        "/uploads/..%5C..%5Capp.py",
        "/uploads/nothere.png",
        "/uploads/" + "0" * 32 + ".png",
        "/uploads/" + "0" * 32 + ".html",
    ],
)
async def test_uploads_reject_traversal_and_unknown_names(client: TestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status == 404


async def test_healthz(client: TestClient) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


def test_web_settings_come_from_the_environment(tmp_path: Path) -> None:
    from bot.config import PROJECT_ROOT, load_settings

    defaults = load_settings({})
    assert defaults.upload_dir == PROJECT_ROOT / "var" / "uploads"
    assert defaults.public_base_url == "http://localhost:8080"
    assert defaults.rasa_public_url == "http://localhost:5005"

    custom = load_settings(
        {"UPLOAD_DIR": str(tmp_path), "CONSOLE_PORT": "9000", "RASA_PUBLIC_URL": "https://chat.example/"}
    )
    assert custom.upload_dir == tmp_path
    assert custom.public_base_url == "http://localhost:9000"
    assert custom.console_port == 9000
    assert custom.rasa_public_url == "https://chat.example"
