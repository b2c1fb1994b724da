"""A training that fails ends as a failed run with its reason and log, frees the slot and
leaves no half-written model behind (a real `rasa train`, given a config it refuses)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.modelops import registry, runs
from bot.modelops.service import ModelOps
from bot.modelops.training import TrainingFailed
from tests.helpers.db import migrated_database, sqlite_file_url
from tests.modelops.test_registry_and_runs import settings


async def test_a_failed_training_is_recorded_and_cleaned_up(tmp_path: Path) -> None:
    bad_config = tmp_path / "config.yml"
    bad_config.write_text("recipe: default.v1\nlanguage: vi\npipeline:\n  - name: NoSuchComponent\n", encoding="utf-8")
    async with migrated_database(sqlite_file_url(tmp_path)) as db:
        ops = ModelOps(db, settings(tmp_path), log_dir=tmp_path / "logs")
        with pytest.raises(TrainingFailed):
            await ops.train("admin", registry.CLI, bad_config)
        [run] = await runs.recent(db)
        assert run.status == runs.FAILED and "rasa train exited" in (run.error or "")
        assert "NoSuchComponent" in Path(str(run.log_file)).read_text(encoding="utf-8", errors="replace")
        assert await runs.current(db) is None and await registry.versions(db) == []
        assert not list(ops.settings.models_dir.glob(".training-*"))
