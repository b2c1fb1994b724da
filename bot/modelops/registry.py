"""Model versions and activations, in our database.

Every registered model is an immutable file under MODELS_DIR/history, named after its
version: `make model` rewrites `models/phananh.tar.gz` in place, so a build model is copied
there when it is registered (`register` with source BUILD), recognised by its SHA-256. The newest row of
`model_activations` names the model the Rasa servers should run; `bot run` starts Rasa with
it, and a rollback activates the model that was active before the current one.
"""
from __future__ import annotations

import asyncio
import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.modelops.checking import Figures
from bot.storage.db import Database
from bot.storage.models import ModelActivation, ModelVersion, utcnow

BOOTSTRAP, ACTIVATE, ROLLBACK = "bootstrap", "activate", "rollback"
BUILD, CONSOLE, CLI = "build", "console", "cli"
SOURCE_LABELS = {BUILD: "Bản dựng (make model)", CONSOLE: "Huấn luyện từ trang quản trị", CLI: "Huấn luyện bằng dòng lệnh"}


@dataclass(frozen=True)
class Version:
    id: int
    file: Path
    source: str
    created_by: str | None
    created_at: datetime
    training_run_id: int | None
    figures: Figures | None
    evaluated_at: datetime | None
    sha256: str = ""

    @property
    def name(self) -> str:
        return self.file.name

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


@dataclass(frozen=True)
class Activation:
    version_id: int
    kind: str
    activated_by: str | None
    activated_at: datetime


def _version(row: ModelVersion) -> Version:
    return Version(row.id, Path(row.file), row.source, row.created_by, row.created_at, row.training_run_id,
                   Figures.from_json(row.evaluation), row.evaluated_at, row.sha256)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def get(db: Database, version_id: int) -> Version | None:
    async with db.session() as session:
        row = await session.get(ModelVersion, version_id)
    return _version(row) if row else None


async def by_sha(db: Database, sha: str) -> Version | None:
    async with db.session() as session:
        row = (await session.execute(select(ModelVersion).where(ModelVersion.sha256 == sha))).scalar_one_or_none()
    return _version(row) if row else None


async def register(db: Database, history_dir: Path, model_file: Path, source: str, created_by: str | None = None,
                   training_run_id: int | None = None) -> Version:
    """Register `model_file`, moved (a fresh training's output) or copied (a build model)
    into `history_dir` under a versioned name. A model already registered is returned as is."""
    sha = await asyncio.to_thread(file_sha256, model_file)
    known = await by_sha(db, sha)
    if known is not None:
        return known
    history_dir.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    target = history_dir / f"phananh-{stamp}-{sha[:8]}.tar.gz"
    if source == BUILD:
        await asyncio.to_thread(shutil.copy2, model_file, target)
    else:
        await asyncio.to_thread(shutil.move, str(model_file), target)
    try:
        async with db.session() as session, session.begin():
            row = ModelVersion(file=str(target), sha256=sha, source=source, created_by=created_by,
                               training_run_id=training_run_id)
            session.add(row)
        return _version(row)
    except IntegrityError:  # registered by another process meanwhile
        target.unlink(missing_ok=True)
        known = await by_sha(db, sha)
        assert known is not None
        return known


async def set_figures(db: Database, version_id: int, figures: Figures) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(ModelVersion).where(ModelVersion.id == version_id)
                              .values(evaluation=figures.to_json(), evaluated_at=utcnow()))


async def record_activation(db: Database, version_id: int, kind: str, by: str | None) -> None:
    async with db.session() as session, session.begin():
        session.add(ModelActivation(model_version_id=version_id, kind=kind, activated_by=by))


async def activations(db: Database, limit: int = 50) -> list[Activation]:
    """Newest first."""
    async with db.session() as session:
        rows = (await session.execute(select(ModelActivation)
                                      .order_by(ModelActivation.activated_at.desc(), ModelActivation.id.desc())
                                      .limit(limit))).scalars().all()
    return [Activation(r.model_version_id, r.kind, r.activated_by, r.activated_at) for r in rows]


async def active(db: Database) -> Version | None:
    newest = await activations(db, limit=1)
    return await get(db, newest[0].version_id) if newest else None


async def previous(db: Database) -> Version | None:
    """The model that was active before the current one (what a rollback goes back to)."""
    history = await activations(db, limit=1000)
    for activation in history[1:]:
        if activation.version_id != history[0].version_id:
            return await get(db, activation.version_id)
    return None


async def versions(db: Database, limit: int = 100) -> list[Version]:
    """Newest first."""
    async with db.session() as session:
        rows = (await session.execute(select(ModelVersion).order_by(ModelVersion.id.desc()).limit(limit))).scalars().all()
    return [_version(r) for r in rows]
