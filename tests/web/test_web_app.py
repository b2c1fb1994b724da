"""HTTP-level tests of the web server (chat page, uploads, health)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.config import load_settings
from bot.web import create_app
from bot.web.upload_store import MAX_UPLOAD_BYTES

TINY_PNG = (Path(__file__).resolve().parents[1] / "fixtures" / "tiny.png").read_bytes()
PUBLIC_BASE_URL = "http://citizen.example:8080"
RASA_PUBLIC_URL = "http://rasa.example:5005"


@pytest_asyncio.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    settings = SimpleNamespace(
        upload_dir=tmp_path / "uploads",
        public_base_url=PUBLIC_BASE_URL,
        rasa_public_url=RASA_PUBLIC_URL,
        console_secret_key="test-console-secret-key-of-32-chars-or-more",
        modelops=load_settings({}).modelops,
    )
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


def upload_form(content: bytes, filename: str = "photo.png", content_type: str = "image/png") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=filename, content_type=content_type)
    return form


async def test_chat_page_renders_with_rasa_url(client: TestClient) -> None:
    response = await client.get("/")
    assert response.status == 200
    html = await response.text()
    assert f'data-rasa-url="{RASA_PUBLIC_URL}"' in html
    assert "Phản ánh trật tự đô thị Hà Nội" in html
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


async def test_upload_png_and_serve_it_back(client: TestClient, tmp_path: Path) -> None:
    response = await client.post("/api/uploads", data=upload_form(TINY_PNG, filename="../../evil.exe"))
    assert response.status == 201
    url = (await response.json())["url"]
    prefix = f"{PUBLIC_BASE_URL}/uploads/"
    assert url.startswith(prefix) and url.endswith(".png")
    name = url.removeprefix(prefix)
    assert len(name) >= 32 + len(".png")
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == [name]

    served = await client.get(f"/uploads/{name}")
    assert served.status == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert await served.read() == TINY_PNG


async def test_uploads_get_distinct_names(client: TestClient) -> None:
    urls = set()
    for _ in range(2):
        response = await client.post("/api/uploads", data=upload_form(TINY_PNG))
        urls.add((await response.json())["url"])
    assert len(urls) == 2


async def test_rejects_text_file_disguised_as_png(client: TestClient, tmp_path: Path) -> None:
    response = await client.post("/api/uploads", data=upload_form(b"<script>alert(1)</script>", filename="x.png"))
    assert response.status == 400
    error = (await response.json())["error"]
    assert "không phải là ảnh" in error
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


async def test_rejects_oversized_file(client: TestClient) -> None:
    too_big = TINY_PNG + b"\0" * (MAX_UPLOAD_BYTES + 1 - len(TINY_PNG))
    response = await client.post("/api/uploads", data=upload_form(too_big))
    assert response.status == 413
    assert "10 MB" in (await response.json())["error"]


async def test_rejects_request_without_file(client: TestClient) -> None:
    form = aiohttp.FormData()
    form.add_field("other", "value")
    response = await client.post("/api/uploads", data=form)
    assert response.status == 400
    assert (await response.json())["error"]

    response = await client.post("/api/uploads", data=b"not multipart", headers={"Content-Type": "text/plain"})
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
