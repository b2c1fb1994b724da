"""The admins' model loop put together: train → register → check → activate / roll back.

Used by the console (training and checks run as background tasks of the web server, their
progress in `training_runs`) and by `python -m bot model …` (in the foreground).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable

from bot.config import VAR_DIR, ModelOpsSettings, Settings
from bot.modelops import registry, runs
from bot.modelops.agent import newest_model
from bot.modelops.checking import CheckFailed, Comparison, cases_digest, compare, evaluate
from bot.modelops.progress import Progress
from bot.modelops.rasa_api import RasaRefused, RasaServer, swap, wait_until_serving
from bot.modelops.registry import Version
from bot.modelops.runs import Run
from bot.modelops.training import TrainingFailed, train
from bot.storage.db import Database

logger = logging.getLogger(__name__)
LOG_DIR = VAR_DIR / "log" / "training"

NO_SUCH_MODEL = "Không có mô hình #{id}."
MODEL_FILE_MISSING = "Không tìm thấy tệp của mô hình #{id} ({file})."
ALREADY_ACTIVE = "Mô hình #{id} đang được sử dụng."
NOT_CHECKED = "Mô hình #{id} chưa được chấm điểm trên bộ câu kiểm tra. Hãy chấm điểm trước khi kích hoạt."
ACTIVE_NOT_CHECKED = "Mô hình đang dùng (#{id}) chưa được chấm điểm, nên chưa thể so sánh. Hãy chấm điểm nó trước."
WORSE = "Không kích hoạt: mô hình #{id} kém hơn mô hình đang dùng ở: {what}."
NO_PREVIOUS = "Chưa có mô hình nào được dùng trước mô hình hiện tại, không thể quay lại."
RASA_REFUSED = "Máy chủ Rasa không nạp được mô hình #{id}; mô hình đang dùng được giữ nguyên."


class ModelRefused(Exception):
    """An activation or rollback that does not happen; `message` is Vietnamese, for the admin."""

    def __init__(self, message: str, comparison: Comparison | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.comparison = comparison


@dataclass(frozen=True)
class Swapped:
    version: Version
    kind: str
    comparison: Comparison | None
    unreachable: tuple[str, ...]  # Rasa servers not running now: they load it when they start


@dataclass
class ModelOps:
    db: Database
    settings: ModelOpsSettings
    log_dir: Path = LOG_DIR
    _tasks: set[asyncio.Task] = field(default_factory=set)
    _swap_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # --- training and checking ----------------------------------------------------------

    async def start_training(self, by: str | None, source: str, config_file: Path | None = None) -> Run:
        """Claim the training slot and train in the background (TrainingBusy if taken)."""
        config = config_file or self.settings.config_file
        run = await runs.claim(self.db, by, config, self.log_dir)
        self._spawn(self._train(run, by, source, config, None))
        return run

    async def train(self, by: str | None, source: str, config_file: Path | None = None,
                    on_progress: Callable[[Progress], None] | None = None) -> Version:
        """The same, in the foreground (the CLI)."""
        config = config_file or self.settings.config_file
        run = await runs.claim(self.db, by, config, self.log_dir)
        return await self._train(run, by, source, config, on_progress)

    async def start_check(self, version_id: int, by: str | None) -> Run:
        """Score a registered model (and the active one, if it has no figures) in the background."""
        version = await self._require(version_id)
        run = await runs.claim(self.db, by, Path(runs.CHECK_ONLY), self.log_dir)
        self._spawn(self._guarded(run, self._check_both(run, version)))
        return run

    async def check(self, version_id: int, by: str | None) -> Version:
        version = await self._require(version_id)
        run = await runs.claim(self.db, by, Path(runs.CHECK_ONLY), self.log_dir)
        return await self._guarded(run, self._check_both(run, version))

    async def _train(self, run: Run, by: str | None, source: str, config: Path,
                     on_progress: Callable[[Progress], None] | None) -> Version:
        async def report(progress: Progress) -> None:
            await runs.report(self.db, run.id, progress)
            if on_progress:
                on_progress(progress)

        async def steps() -> Version:
            model_file = await train(self.settings, config, Path(str(run.log_file)), report)
            try:
                version = await registry.register(self.db, self.settings.history_dir, model_file, source, by, run.id)
            finally:
                shutil.rmtree(model_file.parent, ignore_errors=True)
            return await self._check_both(run, version)

        return await self._guarded(run, steps())

    async def _check_both(self, run: Run, version: Version) -> Version:
        await runs.set_phase(self.db, run.id, "checking")
        current = await registry.active(self.db)
        digest = cases_digest(self.settings.heldout_cases)
        stale = current is not None and current.id != version.id and (
            current.figures is None or current.figures.cases_digest != digest)
        for model in ([current] if stale and current is not None else []) + [version]:
            figures = await evaluate(model.file, self.settings.heldout_cases, Path(str(run.log_file)))
            await registry.set_figures(self.db, model.id, figures)
        checked = await registry.get(self.db, version.id)
        assert checked is not None
        return checked

    async def _guarded(self, run: Run, work: Awaitable[Version]) -> Version:
        """Run `work` while beating the run's heartbeat; the run ends succeeded or failed."""
        beating = asyncio.create_task(self._beat(run.id))
        try:
            version = await work
        except (TrainingFailed, CheckFailed, ModelRefused) as error:
            await runs.finish(self.db, run.id, runs.FAILED, error=str(error))
            raise
        except asyncio.CancelledError:
            await asyncio.shield(runs.finish(self.db, run.id, runs.INTERRUPTED, error="Đã dừng."))
            raise
        except Exception as error:
            logger.exception("Training run %s failed", run.id)
            await runs.finish(self.db, run.id, runs.FAILED, error=f"{error.__class__.__name__}: {error}")
            raise
        finally:
            beating.cancel()
        await runs.finish(self.db, run.id, runs.SUCCEEDED, model_version_id=version.id)
        return version

    async def _beat(self, run_id: int) -> None:
        while True:
            await asyncio.sleep(runs.HEARTBEAT_SECONDS)
            with contextlib.suppress(Exception):
                await runs.beat(self.db, run_id)

    def _spawn(self, work: Awaitable[Version]) -> None:
        async def quietly() -> None:
            with contextlib.suppress(TrainingFailed, CheckFailed, ModelRefused):  # recorded on the run
                await work

        task = asyncio.create_task(quietly())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Stop background work (the web server shuts down): the runs end as interrupted."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # --- comparing, activating, rolling back ----------------------------------------------

    async def _require(self, version_id: int) -> Version:
        version = await registry.get(self.db, version_id)
        if version is None:
            raise ModelRefused(NO_SUCH_MODEL.format(id=version_id))
        if not version.file.exists():
            raise ModelRefused(MODEL_FILE_MISSING.format(id=version_id, file=version.file))
        return version

    def comparison(self, candidate: Version, current: Version | None) -> Comparison | None:
        """Side by side with the active model; None when either has no figures yet."""
        if candidate.figures is None or current is None or current.figures is None:
            return None
        try:
            return compare(candidate.figures, current.figures, self.settings.tolerance)
        except CheckFailed:
            return None

    async def activate(self, version_id: int, by: str | None) -> Swapped:
        """Activate a model that is not worse than the active one, on every Rasa server (the CLI:
        in the foreground; the console starts it in the background, `start_activation`)."""
        async with self._swap_lock:
            version, current, result = await self._accepted(version_id)
            return await self._swap(version, current, registry.ACTIVATE, by, result)

    async def rollback(self, by: str | None) -> Swapped:
        """Back to the model that was active before the current one (no comparison: it was
        accepted when it was activated)."""
        async with self._swap_lock:
            target = await self._rollback_target()
            return await self._swap(target, await registry.active(self.db), registry.ROLLBACK, by, None)

    async def start_activation(self, version_id: int, by: str | None) -> Run:
        """Refuse at once what may not be activated; swap in the background, as a run with its
        phase, so the admin's page never waits for Rasa to load a model (30–60 s)."""
        version, _current, _result = await self._accepted(version_id)
        run = await self._claim_swap(by)

        async def swapping() -> Version:
            done = await self.activate(version.id, by)
            return done.version

        self._spawn(self._guarded(run, swapping()))
        return run

    async def start_rollback(self, by: str | None) -> Run:
        await self._rollback_target()
        run = await self._claim_swap(by)

        async def rolling_back() -> Version:
            return (await self.rollback(by)).version

        self._spawn(self._guarded(run, rolling_back()))
        return run

    async def _claim_swap(self, by: str | None) -> Run:
        """The run a model swap is shown as, already in its phase (one model operation at a time)."""
        run = await runs.claim(self.db, by, Path(runs.MODEL_SWAP), self.log_dir)
        await runs.set_phase(self.db, run.id, "activating")
        return await runs.get(self.db, run.id) or run

    async def _accepted(self, version_id: int) -> tuple[Version, Version | None, Comparison | None]:
        """The model, the active one and their comparison, if the model may be activated."""
        version = await self._require(version_id)
        current = await registry.active(self.db)
        if current is not None and current.id == version.id:
            raise ModelRefused(ALREADY_ACTIVE.format(id=version.id))
        if version.figures is None:
            raise ModelRefused(NOT_CHECKED.format(id=version.id))
        if current is None:
            return version, None, None
        if current.figures is None:
            raise ModelRefused(ACTIVE_NOT_CHECKED.format(id=current.id))
        try:
            result = compare(version.figures, current.figures, self.settings.tolerance)
        except CheckFailed as error:
            raise ModelRefused(str(error)) from None
        if not result.not_worse:
            raise ModelRefused(WORSE.format(id=version.id, what=", ".join(result.worse_labels)), result)
        return version, current, result

    async def _rollback_target(self) -> Version:
        target = await registry.previous(self.db)
        if target is None:
            raise ModelRefused(NO_PREVIOUS)
        return await self._require(target.id)

    async def _swap(self, version: Version, current: Version | None, kind: str, by: str | None,
                    result: Comparison | None) -> Swapped:
        servers = [RasaServer(url, self.settings.rasa_token) for url in self.settings.rasa_urls]
        if self.settings.pulls_models:  # the registry is what the servers pull: write it, then watch them
            await registry.record_activation(self.db, version.id, kind, by)
            unreachable = await wait_until_serving(servers, version.file)
        else:
            try:
                unreachable = await swap(servers, version.file, current.file if current else None)
            except RasaRefused:
                raise ModelRefused(RASA_REFUSED.format(id=version.id)) from None
            await registry.record_activation(self.db, version.id, kind, by)
        logger.info("Model #%s (%s) %s by %s", version.id, version.name, kind, by or "?")
        return Swapped(version, kind, result, tuple(unreachable))

    # --- starting the system --------------------------------------------------------------

    async def startup_model(self, build_model: Path | None) -> Path:
        """The model `bot run` starts Rasa with: the active one. The build model (`make model`)
        is registered; it becomes active by itself only while no admin has chosen a model."""
        build = (await registry.register(self.db, self.settings.history_dir, build_model, registry.BUILD)
                 if build_model else None)
        history = await registry.activations(self.db, limit=1)
        current = await registry.active(self.db)
        chosen_by_admin = bool(history) and history[0].kind != registry.BOOTSTRAP
        if current is not None and current.file.exists() and (chosen_by_admin or build is None):
            if build is not None and build.id != current.id:
                logger.warning("Serving model #%s chosen by an admin; the newer build model is #%s: "
                               "check and activate it with `python -m bot model activate %s`",
                               current.id, build.id, build.id)
            return current.file
        if build is None:
            raise SystemExit("No trained model: run `make model` first.")
        if current is None or current.id != build.id:
            await registry.record_activation(self.db, build.id, registry.BOOTSTRAP, None)
        return build.file


async def startup_model(settings: Settings) -> Path:
    """The active model of the registry (the build model from `make model` until an admin
    activates another one): what `bot run` and a Rasa server on one machine start with."""
    db = Database(settings.database_url)
    try:
        build = newest_model(settings.modelops.models_dir) if any(settings.modelops.models_dir.glob("*.tar.gz")) else None
        return await ModelOps(db, settings.modelops).startup_model(build)
    finally:
        await db.dispose()
