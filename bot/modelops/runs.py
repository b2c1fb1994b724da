"""Training runs: one at a time across every process (console workers and the CLI), with
their progress for the console to show.

The unique `slot` column holds 1 while a run is alive; claiming a second one fails on the
constraint. A run keeps `heartbeat_at` fresh; one whose process died stops holding the slot
once its heartbeat is older than STALE.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.modelops.progress import Progress
from bot.storage.db import Database
from bot.storage.models import TrainingRun, utcnow

RUNNING, SUCCEEDED, FAILED, INTERRUPTED = "running", "succeeded", "failed", "interrupted"
STALE = timedelta(minutes=2)
CHECK_ONLY = "-"  # config_file of a run that only scores a model
MODEL_SWAP = "swap"  # config_file of a run that activates (or rolls back to) a model on the Rasa servers
HEARTBEAT_SECONDS = 15

STATUS_LABELS = {RUNNING: "Đang chạy", SUCCEEDED: "Hoàn tất", FAILED: "Thất bại", INTERRUPTED: "Bị gián đoạn"}
PHASE_LABELS = {
    "starting": "Đang khởi động", "nlu": "Huấn luyện phần hiểu ngôn ngữ", "core": "Huấn luyện phần hội thoại",
    "training": "Đang huấn luyện", "saved": "Đã lưu mô hình", "checking": "Đang chấm điểm trên bộ kiểm tra",
    "activating": "Đang nạp mô hình vào các máy chủ Rasa (hội thoại vẫn tiếp tục)",
    "done": "Xong",
}
BUSY = "Đang có một lần huấn luyện khác chạy (lần #{run}). Mỗi lúc chỉ huấn luyện một mô hình."


class TrainingBusy(Exception):
    def __init__(self, run_id: int | None) -> None:
        super().__init__(BUSY.format(run=run_id or "?"))
        self.message = str(self)
        self.run_id = run_id


@dataclass(frozen=True)
class Run:
    id: int
    status: str
    phase: str
    requested_by: str | None
    config_file: str
    started_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None
    epoch: int | None
    epochs: int | None
    eta_seconds: float | None
    log_file: str | None
    error: str | None
    model_version_id: int | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS.get(self.phase, self.phase)

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    @property
    def elapsed_seconds(self) -> float:
        return ((self.finished_at or utcnow()) - self.started_at).total_seconds()


def _run(row: TrainingRun) -> Run:
    return Run(row.id, row.status, row.phase, row.requested_by, row.config_file, row.started_at, row.heartbeat_at,
               row.finished_at, row.epoch, row.epochs, row.eta_seconds, row.log_file, row.error,
               row.model_version_id)


async def release_stale(db: Database) -> None:
    """Runs whose process stopped beating: interrupted, and the slot is free again."""
    async with db.session() as session, session.begin():
        await session.execute(
            update(TrainingRun).where(TrainingRun.status == RUNNING, TrainingRun.heartbeat_at < utcnow() - STALE)
            .values(status=INTERRUPTED, slot=None, finished_at=utcnow(),
                    error="Tiến trình huấn luyện đã dừng giữa chừng (máy chủ khởi động lại?)."))


async def current(db: Database) -> Run | None:
    async with db.session() as session:
        row = (await session.execute(select(TrainingRun).where(TrainingRun.slot == 1))).scalar_one_or_none()
    return _run(row) if row else None


async def claim(db: Database, requested_by: str | None, config_file: Path, log_dir: Path) -> Run:
    """A new running run, or TrainingBusy."""
    await release_stale(db)
    try:
        async with db.session() as session, session.begin():
            row = TrainingRun(slot=1, status=RUNNING, phase="starting", requested_by=requested_by,
                              config_file=str(config_file))
            session.add(row)
            await session.flush()
            row.log_file = str(log_dir / f"training-{row.id}-{row.started_at:%Y%m%d-%H%M%S}.log")
    except IntegrityError:
        busy = await current(db)
        raise TrainingBusy(busy.id if busy else None) from None
    return _run(row)


async def _update(db: Database, run_id: int, *, running_only: bool = True, **values: object) -> None:
    """Change one run; by default only while it is still running (a late progress report
    must not revive a run that has ended)."""
    where = [TrainingRun.id == run_id] + ([TrainingRun.status == RUNNING] if running_only else [])
    async with db.session() as session, session.begin():
        await session.execute(update(TrainingRun).where(*where).values(**values))


async def report(db: Database, run_id: int, progress: Progress) -> None:
    """Progress and heartbeat of a running run."""
    await _update(db, run_id, phase=progress.phase, epoch=progress.epoch, epochs=progress.epochs,
                  eta_seconds=progress.eta_seconds, heartbeat_at=utcnow())


async def beat(db: Database, run_id: int) -> None:
    await _update(db, run_id, heartbeat_at=utcnow())


async def set_phase(db: Database, run_id: int, phase: str) -> None:
    await _update(db, run_id, running_only=False, phase=phase, epoch=None, epochs=None, eta_seconds=None,
                  heartbeat_at=utcnow())


async def finish(db: Database, run_id: int, status: str, *, error: str | None = None,
                 model_version_id: int | None = None) -> None:
    await _update(db, run_id, running_only=False, status=status, slot=None, finished_at=utcnow(), error=error,
                  phase="done" if status == SUCCEEDED else TrainingRun.phase, model_version_id=model_version_id)


async def get(db: Database, run_id: int) -> Run | None:
    async with db.session() as session:
        row = await session.get(TrainingRun, run_id)
    return _run(row) if row else None


async def typical_seconds(db: Database) -> float | None:
    """How long the newest successful training took: the console's estimate of a whole run."""
    async with db.session() as session:
        row = (await session.execute(
            select(TrainingRun).where(TrainingRun.status == SUCCEEDED, TrainingRun.config_file.notin_([CHECK_ONLY, MODEL_SWAP]))
            .order_by(TrainingRun.id.desc()).limit(1))).scalar_one_or_none()
    return (row.finished_at - row.started_at).total_seconds() if row and row.finished_at else None


async def recent(db: Database, limit: int = 20) -> list[Run]:
    async with db.session() as session:
        rows = (await session.execute(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(limit))).scalars().all()
    return [_run(r) for r in rows]
