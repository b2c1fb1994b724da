"""Photos: no metadata kept, uploads limited per citizen and address, unused ones swept."""
from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.media.images import MAX_PIXELS, clean_image
from bot.storage.db import Database
from bot.storage.models import Upload, utcnow
from bot.storage.reports import submit_report
from bot.web import create_app
from bot.web.background import sweep_once
from bot.web.keys import UPLOAD_STORE_KEY
from tests.helpers.db import migrated_database
from tests.helpers.reports import sample_draft
from tests.helpers.web import web_settings


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Máy của Nguyễn Văn A"  # Make
    exif[0x013B] = "Nguyễn Văn A"  # Artist
    exif[0x0112] = 6  # Orientation: rotated
    gps = {1: "N", 2: (21.0, 1.0, 38.0), 3: "E", 4: (105.0, 50.0, 10.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_clean_image_drops_every_piece_of_metadata_and_keeps_the_picture_upright() -> None:
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really carries EXIF
    cleaned = clean_image(original)
    assert cleaned is not None and cleaned.image_type.extension == "jpg"
    image = Image.open(io.BytesIO(cleaned.data))
    assert not image.getexif() and "exif" not in image.info
    assert b"Nguy" not in cleaned.data and b"GPS" not in cleaned.data
    assert image.size == (48, 64)  # the orientation was applied to the pixels


def test_clean_image_refuses_what_is_not_a_sane_image() -> None:
    assert clean_image(b"\xff\xd8\xff" + b"garbage" * 100) is None  # a JPEG header and nothing else
    assert clean_image(b"GIF89a") is None
    side = int(MAX_PIXELS ** 0.5) + 100
    bomb = io.BytesIO()
    Image.new("1", (side, side)).save(bomb, "PNG")  # small file, huge picture
    assert clean_image(bomb.getvalue()) is None


@pytest_asyncio.fixture
async def app_and_db(tmp_path: Path) -> AsyncIterator[tuple[TestClient, Database]]:
    settings = web_settings(tmp_path)
    async with migrated_database(settings.database_url) as db:
        async with TestClient(TestServer(create_app(settings, database=db))) as client:
            yield client, db


async def identity(client: TestClient) -> dict[str, str]:
    issued = await (await client.post("/api/chat/identity")).json()
    return {"X-Citizen": issued["citizen"], "X-Citizen-Key": issued["key"]}


def form(data: bytes) -> aiohttp.FormData:
    body = aiohttp.FormData()
    body.add_field("file", data, filename="photo.jpg", content_type="image/jpeg")
    return body


async def test_thirty_parallel_uploads_of_one_citizen_store_at_most_ten(app_and_db: tuple[TestClient, Database],
                                                                        tmp_path: Path) -> None:
    client, _ = app_and_db
    headers, photo = await identity(client), photo_with_gps()
    answers = await asyncio.gather(*(client.post("/api/uploads", data=form(photo), headers=headers) for _ in range(30)))
    statuses = sorted(a.status for a in answers)
    assert statuses.count(201) == 10 and set(statuses) == {201, 429}
    refused = next(a for a in answers if a.status == 429)
    assert "thử lại sau" in (await refused.json())["error"]
    assert len(list((tmp_path / "uploads").iterdir())) == 10
    assert (await client.post("/api/uploads", data=form(photo), headers=await identity(client))).status == 201


async def test_photos_that_never_joined_a_report_are_swept_after_a_day(app_and_db: tuple[TestClient, Database]) -> None:
    client, db = app_and_db
    headers = await identity(client)
    urls = [(await (await client.post("/api/uploads", data=form(photo_with_gps()), headers=headers)).json())["url"]
            for _ in range(3)]
    kept, unused, fresh = urls
    await submit_report(db, sample_draft(photo_urls=[kept]))
    async with db.session() as session, session.begin():
        for row in (await session.execute(Upload.__table__.select())).all():
            if row.name != fresh.rsplit("/", 1)[-1]:
                await session.execute(Upload.__table__.update().where(Upload.name == row.name)
                                      .values(created_at=utcnow() - timedelta(hours=25)))
    assert await sweep_once(client.app) == 1
    store = client.app[UPLOAD_STORE_KEY]
    names = [url.rsplit("/", 1)[-1] for url in urls]
    assert store.resolve(names[0]) and store.resolve(names[2]) and store.resolve(names[1]) is None
