"""The register of stored photos: who sent each, from where, and the report it belongs to.

A photo becomes part of a report when the report (or a staff action with a result photo) is
stored, in the same transaction (`attach`). Photos that never did are removed after a day by
the web server (`unused_before`, then `forget`), so an upload endpoint cannot fill the disk.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import delete, select, update

from bot.storage.db import Database
from bot.storage.models import Upload, utcnow


def name_in(url: str) -> str:
    """The file name at the end of a photo URL (query string aside)."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


async def record_upload(db: Database, name: str, owner: str, ip: str, *, now: datetime | None = None) -> None:
    async with db.session() as session, session.begin():
        session.add(Upload(name=name, owner=owner[:200], ip=ip[:64], created_at=now or utcnow()))


async def owner_of(db: Database, name: str) -> str | None:
    async with db.session() as session:
        return (await session.execute(select(Upload.owner).where(Upload.name == name))).scalar_one_or_none()


async def attach(session: Any, report_id: int, urls: Iterable[str]) -> None:
    """Mark the photos behind `urls` as part of the report (inside the caller's transaction)."""
    names = [name_in(url) for url in urls]
    if names:
        await session.execute(update(Upload).where(Upload.name.in_(names)).values(report_id=report_id)
                              .execution_options(synchronize_session=False))


async def unused_before(db: Database, cutoff: datetime, limit: int = 500) -> list[str]:
    async with db.session() as session:
        return list((await session.execute(
            select(Upload.name).where(Upload.report_id.is_(None), Upload.created_at < cutoff)
            .order_by(Upload.created_at).limit(limit))).scalars())


async def forget(db: Database, names: list[str]) -> None:
    async with db.session() as session, session.begin():
        await session.execute(delete(Upload).where(Upload.name.in_(names), Upload.report_id.is_(None)))
