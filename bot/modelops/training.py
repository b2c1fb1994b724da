"""`rasa train` in a subprocess, its output in a log file and its progress reported as it goes."""
from __future__ import annotations

import asyncio
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Awaitable, Callable

from bot.config import PROJECT_ROOT, ModelOpsSettings
from bot.modelops.proc import child_env, lower_priority
from bot.modelops.progress import Progress, advance, split_redraws

logger = logging.getLogger(__name__)
TRAIN_TIMEOUT_S = 3600
REPORT_EVERY_S = 1.0
OnProgress = Callable[[Progress], Awaitable[None]]


class TrainingFailed(RuntimeError):
    pass


def rasa_train_argv(settings: ModelOpsSettings, config_file: Path, out_dir: Path) -> list[str]:
    rasa = Path(sys.executable).parent / "rasa"
    return [str(rasa), "train", "--config", str(config_file), "--domain", str(settings.domain_file),
            "--data", str(settings.data_dir), "--out", str(out_dir), "--fixed-model-name", "candidate", "--force"]


async def train(settings: ModelOpsSettings, config_file: Path, log_file: Path, on_progress: OnProgress) -> Path:
    """Train a model; returns its file in a fresh temporary folder under MODELS_DIR (the caller
    registers it, which moves it into the history). Raises TrainingFailed."""
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    out_dir = Path(tempfile.mkdtemp(prefix=".training-", dir=settings.models_dir))
    env = child_env(TF_CPP_MIN_LOG_LEVEL="2", LOG_LEVEL="INFO")
    argv = rasa_train_argv(settings, config_file, out_dir)
    with log_file.open("ab") as log:
        log.write(("$ " + " ".join(argv) + "\n").encode())
        process = await asyncio.create_subprocess_exec(*argv, cwd=PROJECT_ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.STDOUT, preexec_fn=lower_priority)
        try:
            await asyncio.wait_for(_follow(process, log, on_progress), TRAIN_TIMEOUT_S)
            code = await process.wait()
        except BaseException:  # timeout, cancellation: never leave a training behind
            if process.returncode is None:
                process.kill()
                await process.wait()
            shutil.rmtree(out_dir, ignore_errors=True)
            raise
    models = sorted(out_dir.glob("*.tar.gz"))
    if code != 0 or not models:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise TrainingFailed(f"rasa train exited with {code}; see {log_file}")
    return models[0]


async def _follow(process: asyncio.subprocess.Process, log: IO[bytes], on_progress: OnProgress) -> None:
    progress, rest, reported_at = Progress(), "", 0.0
    assert process.stdout is not None
    while chunk := await process.stdout.read(4096):
        log.write(chunk)
        lines, rest = split_redraws(rest + chunk.decode("utf-8", "replace"))
        before = progress
        for line in lines:
            progress = advance(progress, line)
        if progress != before and (time.monotonic() - reported_at >= REPORT_EVERY_S or progress.phase != before.phase):
            reported_at = time.monotonic()
            await on_progress(progress)
    log.flush()
