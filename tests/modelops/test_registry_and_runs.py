"""Model versions, activations and training runs in the database (SQLite and PostgreSQL),
and the activation rules of ModelOps with no Rasa server running."""
from __future__ import annotations

import asyncio

import secrets
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.config import ModelOpsSettings, load_settings
from bot.modelops import registry, runs
from bot.modelops.checking import Figures
from bot.modelops.progress import Progress
from bot.modelops.runs import TrainingBusy
from bot.modelops.service import ModelOps, ModelRefused
from bot.stack import free_port
from bot.storage.db import Database
from bot.storage.models import TrainingRun, utcnow
from tests.modelops.test_checking import ACTIVE


def settings(tmp: Path) -> ModelOpsSettings:
    (tmp / "cases.jsonl").write_text("{}\n", encoding="utf-8")
    return load_settings({"MODELS_DIR": str(tmp / "models"), "HELDOUT_CASES": str(tmp / "cases.jsonl"),
                          "RASA_INTERNAL_URLS": f"http://127.0.0.1:{free_port()}"}).modelops


def model_file(folder: Path, name: str = "phananh.tar.gz") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(secrets.token_bytes(2048))
    return path


async def test_a_build_model_is_copied_once_and_a_trained_one_moved(db: Database, tmp_path: Path) -> None:
    ops = settings(tmp_path)
    build = model_file(ops.models_dir)
    first = await registry.register(db, ops.history_dir, build, registry.BUILD)
    again = await registry.register(db, ops.history_dir, build, registry.BUILD)
    assert first.id == again.id and build.exists() and first.file.parent == ops.history_dir
    assert first.file.read_bytes() == build.read_bytes()
    trained = model_file(ops.models_dir / ".training-x", "candidate.tar.gz")
    second = await registry.register(db, ops.history_dir, trained, registry.CONSOLE, "admin", 7)
    assert not trained.exists() and second.file.exists()
    assert [v.id for v in await registry.versions(db)] == [second.id, first.id]
    assert (second.created_by, second.training_run_id) == ("admin", 7)


async def test_startup_bootstraps_the_build_model_until_an_admin_chooses(db: Database, tmp_path: Path) -> None:
    ops = ModelOps(db, settings(tmp_path))
    build = model_file(ops.settings.models_dir)
    served = await ops.startup_model(build)
    first = await registry.active(db)
    assert first is not None and served == first.file
    model_file(ops.settings.models_dir)  # `make model` retrained after a data change
    served = await ops.startup_model(build)
    second = await registry.active(db)
    assert second is not None and second.id != first.id and served == second.file  # still nobody chose
    await registry.record_activation(db, first.id, registry.ACTIVATE, "admin")  # an admin chooses
    model_file(ops.settings.models_dir)
    assert await ops.startup_model(build) == first.file
    assert len(await registry.versions(db)) == 3


async def _two_versions(ops: ModelOps, tmp: Path) -> tuple[registry.Version, registry.Version]:
    old = await registry.register(ops.db, ops.settings.history_dir, model_file(tmp / "a"), registry.BUILD)
    new = await registry.register(ops.db, ops.settings.history_dir, model_file(tmp / "b"), registry.CONSOLE)
    await registry.record_activation(ops.db, old.id, registry.BOOTSTRAP, None)
    return old, new


async def test_activation_needs_figures_and_a_model_not_worse(db: Database, tmp_path: Path) -> None:
    ops = ModelOps(db, settings(tmp_path))
    old, new = await _two_versions(ops, tmp_path)
    with pytest.raises(ModelRefused, match="chưa được chấm điểm"):
        await ops.activate(new.id, "admin")
    await registry.set_figures(db, new.id, replace(ACTIVE, intent_no_diacritics=0.80))
    with pytest.raises(ModelRefused, match="Mô hình đang dùng"):  # the active one has no figures
        await ops.activate(new.id, "admin")
    await registry.set_figures(db, old.id, ACTIVE)
    with pytest.raises(ModelRefused, match="kém hơn") as refused:
        await ops.activate(new.id, "admin")
    assert refused.value.comparison is not None and not refused.value.comparison.not_worse
    assert (await registry.active(db)).id == old.id
    with pytest.raises(ModelRefused, match="đang được sử dụng"):
        await ops.activate(old.id, "admin")
    with pytest.raises(ModelRefused, match="Không có mô hình #999"):
        await ops.activate(999, "admin")


async def test_activate_and_roll_back_with_no_rasa_running(db: Database, tmp_path: Path) -> None:
    ops = ModelOps(db, settings(tmp_path))
    old, new = await _two_versions(ops, tmp_path)
    with pytest.raises(ModelRefused, match="không thể quay lại"):
        await ops.rollback("admin")
    await registry.set_figures(db, old.id, ACTIVE)
    await registry.set_figures(db, new.id, replace(ACTIVE, intent_accuracy=0.97))
    done = await ops.activate(new.id, "admin")
    assert done.unreachable == ops.settings.rasa_urls  # recorded: Rasa loads it when it starts
    assert (await registry.active(db)).id == new.id and (await registry.previous(db)).id == old.id
    back = await ops.rollback("admin")
    assert back.version.id == old.id and back.kind == registry.ROLLBACK
    assert (await registry.active(db)).id == old.id and (await registry.previous(db)).id == new.id
    kinds = [a.kind for a in await registry.activations(db)]
    assert kinds == [registry.ROLLBACK, registry.ACTIVATE, registry.BOOTSTRAP]


async def test_the_console_activates_in_the_background_and_refuses_at_once(db: Database, tmp_path: Path) -> None:
    ops = ModelOps(db, settings(tmp_path))
    old, new = await _two_versions(ops, tmp_path)
    with pytest.raises(ModelRefused, match="chưa được chấm điểm"):  # refused before any run starts
        await ops.start_activation(new.id, "admin")
    assert await runs.current(db) is None
    await registry.set_figures(db, old.id, ACTIVE)
    await registry.set_figures(db, new.id, replace(ACTIVE, intent_accuracy=0.97))
    run = await ops.start_activation(new.id, "admin")
    assert run.config_file == runs.MODEL_SWAP and run.phase == "activating"  # what the console answers
    while ops._tasks:  # the swap runs as a background task, like a training
        await asyncio.sleep(0.05)
    finished = await runs.get(db, run.id)
    assert finished.status == runs.SUCCEEDED and finished.model_version_id == new.id
    assert (await registry.active(db)).id == new.id
    back = await ops.start_rollback("admin")
    while ops._tasks:
        await asyncio.sleep(0.05)
    assert (await runs.get(db, back.id)).status == runs.SUCCEEDED and (await registry.active(db)).id == old.id
    assert await runs.typical_seconds(db) is None  # swaps are not trainings: no estimate from them


async def test_one_training_at_a_time(db: Database, tmp_path: Path) -> None:
    run = await runs.claim(db, "admin", tmp_path / "config.yml", tmp_path)
    with pytest.raises(TrainingBusy) as busy:
        await runs.claim(db, "other", tmp_path / "config.yml", tmp_path)
    assert busy.value.run_id == run.id and f"#{run.id}" in busy.value.message
    await runs.report(db, run.id, Progress(phase="training", epoch=3, epochs=80, eta_seconds=40.0))
    now = await runs.current(db)
    assert now is not None and (now.epoch, now.epochs, now.eta_seconds) == (3, 80, 40.0)
    assert now.log_file.startswith(str(tmp_path / f"training-{run.id}-"))
    assert await runs.typical_seconds(db) is None  # no training finished yet
    await runs.finish(db, run.id, runs.SUCCEEDED)
    assert await runs.current(db) is None
    assert (await runs.typical_seconds(db)) >= 0
    second = await runs.claim(db, "other", tmp_path / "config.yml", tmp_path)
    assert second.id != run.id


async def test_a_run_whose_process_died_frees_the_slot(db: Database, tmp_path: Path) -> None:
    run = await runs.claim(db, "admin", tmp_path / "config.yml", tmp_path)
    async with db.session() as session, session.begin():
        await session.execute(update(TrainingRun).where(TrainingRun.id == run.id)
                              .values(heartbeat_at=utcnow() - runs.STALE - timedelta(seconds=1)))
    second = await runs.claim(db, "admin", tmp_path / "config.yml", tmp_path)
    dead = await runs.get(db, run.id)
    assert dead is not None and dead.status == runs.INTERRUPTED and second.running


async def test_figures_are_stored_with_the_version(db: Database, tmp_path: Path) -> None:
    ops = settings(tmp_path)
    version = await registry.register(db, ops.history_dir, model_file(tmp_path), registry.CLI)
    await registry.set_figures(db, version.id, ACTIVE)
    stored = await registry.get(db, version.id)
    assert stored is not None and stored.figures == ACTIVE and stored.evaluated_at is not None
    assert isinstance(stored.figures, Figures)
