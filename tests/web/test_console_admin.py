"""The admins' pages over HTTP: the NLU inbox (label, discard) and the models page (training
slot, activation rules, rollback), admins only. The real app, a migrated SQLite file, a
tracker store with flagged messages; no Rasa server (the end-to-end loop is in
tests/e2e/test_model_loop.py)."""
from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import aiohttp

from bot.modelops import registry, runs
from bot.modelops.service import ModelOps
from bot.review.labels import DISCARDED, REVIEWED
from tests.helpers.console import CSRF, RunningConsole, login, modelops_settings
from tests.modelops.test_checking import ACTIVE
from tests.review.fake_tracker import bot, fallback, user

MISUNDERSTOOD = "nhà bên cạnh đổ vật liệu ra ngõ ở phường Kim Liên"
LOOK_ALIKE = "nhà bên cạnh đổ vật liệu ra ngõ ở phường Kim Liên ạ"
NONSENSE = "alo alo thử mic"


def add_tracker_rows(console: RunningConsole) -> None:
    """Flagged messages, recent enough for the inbox (it shows the last 30 days)."""
    rows = [fallback("c1", 0, MISUNDERSTOOD, guess="report_construction", confidence=0.41),
            bot("c1", 0.1, "Mình chưa chắc đã hiểu đúng ý bạn. Có phải bạn muốn …?", ("/affirm", "/out_of_scope")),
            fallback("c2", 1, LOOK_ALIKE, guess="report_construction", confidence=0.45),
            user("c3", 2, NONSENSE, intent="greet", confidence=0.31)]
    shift = time.time() - rows[-1][2] - 60
    with sqlite3.connect(console.tmp / "tracker.db") as connection:
        connection.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                               [(s, k, at + shift, json.dumps(d, ensure_ascii=False)) for s, k, at, d in rows])


async def csrf_of(http: aiohttp.ClientSession, path: str) -> str:
    return CSRF.search(await (await http.get(path)).text()).group(1)


async def test_only_admins_reach_the_inbox_and_the_models(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    for username in ("canbo.a", "giamsat"):
        token = await login(http, username)
        for path in ("/console/review", "/console/models", "/api/staff/models", "/api/staff/review",
                     "/api/staff/models/training", "/console/models/runs/1/log"):
            response = await http.get(path)
            assert response.status == 403, path
            assert "quản trị viên" in await response.text()
        response = await http.post("/api/staff/models/train", headers={"X-CSRF-Token": token}, json={})
        assert response.status == 403
        assert await runs.current(console.db) is None
        await http.post("/console/logout", data={"csrf_token": token})
    await login(http, "quantri")
    page = await http.get("/console/review")
    assert page.status == 200 and 'data-testid="nav-models"' in await page.text()


async def test_an_admin_labels_a_group_with_a_place_marked(http: aiohttp.ClientSession,
                                                           console: RunningConsole) -> None:
    add_tracker_rows(console)
    await login(http, "quantri")
    html = await (await http.get("/console/review")).text()
    assert html.count('data-testid="review-group"') == 2  # the look-alike joined its group
    assert MISUNDERSTOOD in html and NONSENSE in html and "Bot phải hỏi lại" in html
    token = await csrf_of(http, "/console/review")
    marked = "nhà bên cạnh đổ vật liệu ra ngõ ở [phường Kim Liên](ward)"
    response = await http.post("/console/review/label", data=[
        ("csrf_token", token), ("text", LOOK_ALIKE), ("similar", MISUNDERSTOOD), ("intent", "report_other"),
        ("example", marked + " ạ")])
    page = await response.text()
    assert "Đã lưu nhãn" in page
    reviewed = (console.tmp / "data" / "nlu" / REVIEWED).read_text(encoding="utf-8")
    assert "- intent: report_other" in reviewed and f"- {marked} ạ" in reviewed
    assert MISUNDERSTOOD not in page and NONSENSE in page  # the whole group left the inbox
    groups = (await (await http.get("/api/staff/review")).json())["groups"]
    assert [g["text"] for g in groups] == [NONSENSE]


async def test_changing_the_citizens_words_is_refused(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    add_tracker_rows(console)
    token = await login(http, "quantri")
    response = await http.post("/console/review/label", data={
        "csrf_token": token, "text": MISUNDERSTOOD, "intent": "report_other",
        "example": "nhà bên cạnh xây trái phép ở [phường Kim Liên](ward)"})
    assert "không sửa lời người dân" in await response.text()
    response = await http.post("/api/staff/review/label", headers={"X-CSRF-Token": token},
                               json={"text": MISUNDERSTOOD, "intent": "report_noise"})
    assert response.status == 400 and "Ý định không hợp lệ" in (await response.json())["error"]
    assert not (console.tmp / "data" / "nlu" / REVIEWED).exists()


async def test_discarding_hides_the_message(http: aiohttp.ClientSession, console: RunningConsole) -> None:
    add_tracker_rows(console)
    token = await login(http, "quantri")
    response = await http.post("/console/review/discard", data={"csrf_token": token, "text": NONSENSE})
    page = await response.text()
    assert "Đã bỏ qua 1 tin nhắn" in page and NONSENSE not in page and MISUNDERSTOOD in page
    assert (console.tmp / "data" / "nlu" / DISCARDED).exists()


def fake_model(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(4)}.tar.gz"
    path.write_bytes(secrets.token_bytes(1024))
    return path


async def test_models_page_refuses_a_worse_model_and_a_second_training(http: aiohttp.ClientSession,
                                                                        console: RunningConsole) -> None:
    ops = ModelOps(console.db, modelops_settings(console.tmp))
    active = await registry.register(console.db, ops.settings.history_dir, fake_model(console.tmp / "a"), registry.BUILD)
    worse = await registry.register(console.db, ops.settings.history_dir, fake_model(console.tmp / "b"), registry.CONSOLE)
    await registry.record_activation(console.db, active.id, registry.BOOTSTRAP, None)
    await registry.set_figures(console.db, active.id, ACTIVE)
    await registry.set_figures(console.db, worse.id, replace(ACTIVE, wrong_ward=2))
    token = await login(http, "quantri")

    html = await (await http.get("/console/models")).text()
    assert f'data-version="{active.id}" data-active="true"' in html and "Kém hơn" in html
    assert 'data-testid="verdict"><b class="danger">Kém hơn' in html
    response = await http.post(f"/console/models/{worse.id}/activate", data={"csrf_token": token})
    assert "Không kích hoạt" in await response.text()
    refused = await http.post(f"/api/staff/models/{worse.id}/activate", headers={"X-CSRF-Token": token}, json={})
    body = await refused.json()
    assert refused.status == 409 and "giao nhầm phường" in body["error"]
    assert [r["field"] for r in body["comparison"]["rows"] if r["worse"]] == ["wrong_ward"]
    assert (await registry.active(console.db)).id == active.id

    busy = await runs.claim(console.db, "cli", ops.settings.config_file, console.tmp)
    response = await http.post("/console/models/train", data={"csrf_token": token})
    assert f"lần #{busy.id}" in await response.text()
    answer = await http.post("/api/staff/models/train", headers={"X-CSRF-Token": token}, json={})
    assert answer.status == 409
    training = (await (await http.get("/api/staff/models/training")).json())["run"]
    assert training["id"] == busy.id and training["status"] == "running"

    response = await http.post("/console/models/rollback", data={"csrf_token": token})
    assert "không thể quay lại" in await response.text()
