"""The admins' loop end to end, with the real Rasa, action and web servers and real training:
a message the model gets wrong reaches the inbox; the admin labels it; a retraining from the
console and an activation (PUT /model, no restart, a conversation going on meanwhile) make the
same message understood; a worse model is refused; a rollback restores the previous model.

It trains on a small project (tests/fixtures/model_loop: a few examples per intent, 60 DIET
epochs, the project's rules and domain) so that each training takes about a minute.
"""
from __future__ import annotations

import asyncio
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest

from bot.config import PROJECT_ROOT, ModelOpsSettings, load_settings
from bot.modelops import registry
from bot.modelops.service import ModelOps
from bot.stack import Stack, free_port
from bot.staff import users
from bot.staff.access import ADMIN
from bot.storage.db import Database
from tests.helpers.chat import Conversation
from tests.helpers.console import login
from tests.helpers.db import GAZETTEER, copy_template
from tests.helpers.staff import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]  # two real trainings: about 10 minutes

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "model_loop"
MISUNDERSTOOD = "chào ad, vụ hôm trước giờ sao rồi"  # asks about a report; the small model hears a greeting
RIGHT_INTENT = "check_status"
TRAINING_TIMEOUT_S = 900


def small_project(tmp: Path, rasa_port: int) -> ModelOpsSettings:
    data = tmp / "data"
    shutil.copytree(FIXTURE / "nlu", data / "nlu")
    shutil.copy(PROJECT_ROOT / "data" / "rules.yml", data / "rules.yml")
    return load_settings({
        "MODELS_DIR": str(tmp / "models"), "TRAINING_DATA_DIR": str(data),
        "TRAINING_CONFIG": str(FIXTURE / "config_small.yml"), "TRAINING_DOMAIN": str(PROJECT_ROOT / "domain.yml"),
        "HELDOUT_CASES": str(FIXTURE / "cases.jsonl"), "RASA_INTERNAL_URLS": f"http://127.0.0.1:{rasa_port}",
    }).modelops


def env_for(settings: ModelOpsSettings, tmp: Path) -> dict[str, str]:
    return {"TRACKER_SQLITE_PATH": str(tmp / "tracker.db"), "UPLOAD_DIR": str(tmp / "uploads"),
            "MODELS_DIR": str(settings.models_dir), "TRAINING_DATA_DIR": str(settings.data_dir),
            "TRAINING_CONFIG": str(settings.config_file), "TRAINING_DOMAIN": str(settings.domain_file),
            "HELDOUT_CASES": str(settings.heldout_cases)}


class Loop:
    def __init__(self, stack: Stack, db: Database, ops: ModelOps, http: aiohttp.ClientSession, csrf: str) -> None:
        self.stack, self.db, self.ops, self.http, self.csrf = stack, db, ops, http, csrf

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        answer = await self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})
        return answer.status, await answer.json()

    async def get(self, path: str) -> dict[str, Any]:
        answer = await self.http.get(path)
        assert answer.status == 200, await answer.text()
        return await answer.json()

    async def rasa(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session:
            async with session.request(method, f"{self.stack.rasa_url}{path}", json=body,
                                       params={"token": self.stack.token}) as answer:
                assert answer.status == 200, await answer.text()
                return await answer.json()

    async def intent_of(self, text: str) -> str:
        return (await self.rasa("POST", "/model/parse", {"text": text}))["intent"]["name"]

    async def served_model(self) -> str:
        return (await self.rasa("GET", "/status"))["model_file"]


@pytest.fixture
async def loop(tmp_path: Path) -> AsyncIterator[Loop]:
    url = f"sqlite:///{tmp_path / 'phananh.db'}"
    copy_template(url, GAZETTEER)
    rasa_port = free_port()
    settings = small_project(tmp_path, rasa_port)
    db = Database(url)
    ops = ModelOps(db, settings, log_dir=tmp_path / "training-logs")
    first = await ops.train(None, registry.CLI)  # the model the servers start with
    await registry.record_activation(db, first.id, registry.BOOTSTRAP, None)
    await users.add_user(db, "quantri", PASSWORD, ADMIN, full_name="Quản trị viên")
    stack = Stack(url, rasa_port, free_port(), free_port(), first.file, log_dir=tmp_path / "log",
                  extra_env=env_for(settings, tmp_path))
    await asyncio.to_thread(stack.start)
    try:
        async with aiohttp.ClientSession(base_url=stack.web_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            yield Loop(stack, db, ops, http, await login(http, "quantri"))
    finally:
        stack.stop()
        await db.dispose()


async def wait_for_training(loop: Loop) -> dict[str, Any]:
    deadline, phases = time.monotonic() + TRAINING_TIMEOUT_S, set()
    while time.monotonic() < deadline:
        run = (await loop.get("/api/staff/models/training"))["run"]
        phases.add(run["phase"])
        if run["status"] != "running":
            assert "checking" in phases, phases  # the console saw the held-out check happen
            return run
        await asyncio.sleep(1)
    raise AssertionError("training did not finish in time")


async def wait_for_swap(loop: Loop, body: dict[str, Any]) -> dict[str, Any]:
    """An activation or a rollback runs in the background: its run, once finished."""
    assert body["run"]["phase"] == "activating", body
    deadline = time.monotonic() + TRAINING_TIMEOUT_S
    while time.monotonic() < deadline:
        run = (await loop.get("/api/staff/models/training"))["run"]
        if run["id"] == body["run"]["id"] and run["status"] != "running":
            return run
        await asyncio.sleep(1)
    raise AssertionError("the model swap did not finish in time")


def keep_chatting(rasa_url: str, stop: threading.Event, answers: list[int]) -> None:
    """A citizen chatting while the model is swapped: every message must be answered."""
    while not stop.is_set():
        answers.append(len(Conversation(rasa_url).say("xin chào", timeout=300)))


async def test_label_retrain_activate_refuse_and_roll_back(loop: Loop) -> None:
    first_model = await loop.served_model()
    # 1. The citizen is misunderstood and says so; the message reaches the inbox.
    chat = Conversation(loop.stack.rasa_url)
    chat.say(MISUNDERSTOOD)
    chat.say("không phải")
    assert await loop.intent_of(MISUNDERSTOOD) != RIGHT_INTENT
    groups = (await loop.get("/api/staff/review"))["groups"]
    assert MISUNDERSTOOD in [g["text"] for g in groups]

    # 2. The admin labels it; the example lands in reviewed.yml and leaves the inbox.
    status, body = await loop.post("/api/staff/review/label", {"text": MISUNDERSTOOD, "intent": RIGHT_INTENT})
    assert status == 200, body
    reviewed = (loop.ops.settings.nlu_dir / "reviewed.yml").read_text(encoding="utf-8")
    assert f"- intent: {RIGHT_INTENT}" in reviewed and MISUNDERSTOOD in reviewed
    assert MISUNDERSTOOD not in [g["text"] for g in (await loop.get("/api/staff/review"))["groups"]]

    # 3. Retrain from the console; the new model is checked on the held-out cases.
    status, body = await loop.post("/api/staff/models/train")
    assert status == 200, body
    run = await wait_for_training(loop)
    assert run["status"] == "succeeded", run
    models = await loop.get("/api/staff/models")
    new = next(v for v in models["versions"] if v["id"] == run["model_version_id"])
    assert new["figures"]["cases"] == 16 and not new["active"]

    # 4. Activate it while a citizen keeps chatting: no restart, no message lost.
    stop, answers = threading.Event(), []
    chatter = threading.Thread(target=keep_chatting, args=(loop.stack.rasa_url, stop, answers))
    chatter.start()
    try:
        status, body = await loop.post(f"/api/staff/models/{new['id']}/activate")  # answered at once
        assert status == 200, body
        assert (await wait_for_swap(loop, body))["status"] == "succeeded"
    finally:
        stop.set()
        await asyncio.to_thread(chatter.join)
    assert answers and all(answers), answers
    assert await loop.served_model() == new["file"]
    assert await loop.intent_of(MISUNDERSTOOD) == RIGHT_INTENT

    # 5. A worse model (one DIET epoch) is refused; the good one stays.
    worse_settings = replace(loop.ops.settings, config_file=FIXTURE / "config_worse.yml")
    worse = await ModelOps(loop.db, worse_settings, log_dir=loop.ops.log_dir).train(None, registry.CLI)
    status, body = await loop.post(f"/api/staff/models/{worse.id}/activate")
    assert status == 409 and "kém hơn" in body["error"], body
    assert await loop.served_model() == new["file"]

    # 6. Rolling back restores the model that was active before.
    status, body = await loop.post("/api/staff/models/rollback")
    assert status == 200, body
    assert (await wait_for_swap(loop, body))["status"] == "succeeded"
    assert await loop.served_model() == first_model
    assert await loop.intent_of(MISUNDERSTOOD) != RIGHT_INTENT
    kinds = [a.kind for a in await registry.activations(loop.db)]
    assert kinds == [registry.ROLLBACK, registry.ACTIVATE, registry.BOOTSTRAP]
