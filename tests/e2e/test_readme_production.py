"""The README's production recipe, run as it is written (as root, on the PostgreSQL and Redis
of the machine): install, create the role and the database, export the settings, `make run`.
Only the role/database name is the test's own, and the ports are chosen free beforehand (the
block sets neither). The system must come up on PostgreSQL + Redis and stop on SIGTERM."""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Iterator

import psycopg2
import pytest

from bot.config import PROJECT_ROOT
from bot.modelops.agent import newest_model
from bot.stack import answers, free_port
from tests.e2e.test_production import redis_available
from tests.e2e.test_supervision import wait_for
from tests.helpers.processes import waited
from tests.helpers.db import PG_SKIP_MESSAGE, pg_available

# slow: `make run` (a model check, then a whole deployment of its own), about 2.5 minutes
pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(1500)]
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def readme_block() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    production = text.split("\n## Production\n", 1)[1]
    return re.search(r"```bash\n(.*?)```", production, re.S).group(1)


def admin(sql: str) -> None:
    connection = psycopg2.connect(ADMIN)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def tables(url: str) -> set[str]:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()


@pytest.fixture
def name() -> Iterator[str]:
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.fail("the README's recipe is written for root on Debian (apt-get, runuser): run the tests as root")
    if not pg_available() or not redis_available():
        pytest.skip(PG_SKIP_MESSAGE + " (or Redis not reachable at 127.0.0.1:6379)")
    chosen = f"phananh_readme_{secrets.token_hex(4)}"
    yield chosen
    admin(f"DROP DATABASE IF EXISTS {chosen} WITH (FORCE)")
    admin(f"DROP ROLE IF EXISTS {chosen}")


def test_the_readme_production_recipe_runs_as_written(name: str, tmp_path: Path) -> None:
    block = readme_block()
    assert "make run" in block and "APP_ENV=production" in block
    block = re.sub(r"\bphananh(?=[ :@'\"]|$)", name, block, flags=re.M)  # not phananh.example
    (tmp_path / "models").mkdir()
    shutil.copy(newest_model(), tmp_path / "models")
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "CONSOLE_PORT": free_port()}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_ENV", "DATABASE_URL", "RASA_", "REDIS"))}
    env.update({k: str(v) for k, v in ports.items()}, MODELS_DIR=str(tmp_path / "models"),
               UPLOAD_DIR=str(tmp_path / "uploads"))
    with (tmp_path / "recipe.log").open("wb") as log:
        recipe = subprocess.Popen(["bash", "-c", block], cwd=PROJECT_ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            urls = [f"http://127.0.0.1:{ports['RASA_PORT']}/", f"http://127.0.0.1:{ports['ACTION_PORT']}/health",
                    f"http://127.0.0.1:{ports['CONSOLE_PORT']}/healthz"]
            wait_for(lambda: all(answers(u) for u in urls) or recipe.poll() is not None, 1200, 2.0)  # a retraining: minutes
            assert recipe.poll() is None, (tmp_path / "recipe.log").read_text()[-3000:]
            found = tables(f"postgresql://{name}:change-me@127.0.0.1:5432/{name}")
            assert {"reports", "events"} <= found, found  # our data and Rasa's conversations, in PostgreSQL
            log = tmp_path / "recipe.log"
            banner = "replicas            2 Rasa, 1 action, 1 web"  # one answers while the other restarts
            assert waited(lambda: banner in log.read_text(errors="replace"), 60.0, 0.5) is not None, \
                log.read_text(errors="replace")[-3000:]  # printed once every server is ready
        finally:
            os.killpg(recipe.pid, signal.SIGTERM)
            try:
                recipe.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(recipe.pid, signal.SIGKILL)
                recipe.wait()
    # bash dies at once on SIGTERM while `make run` and `bot run` are still stopping the servers
    # (their own process groups): give them the 10 s a stop may take, then none may answer
    stopped = waited(lambda: not any(answers(u) for u in urls), 12.0, 0.5)
    try:
        os.killpg(recipe.pid, signal.SIGKILL)  # `make` and `bot run`, if still there
    except ProcessLookupError:
        pass
    assert stopped is not None, "a server is still answering 12 s after SIGTERM"
