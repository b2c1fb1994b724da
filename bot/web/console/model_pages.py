"""Admins retrain, check, activate and roll back models (`bot.modelops`): the page
/console/models and JSON under /api/staff/models. Training and checks run in the background
of this web server; their progress is polled from /api/staff/models/training."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Awaitable, Callable

from aiohttp import web

from bot.modelops import registry, runs
from bot.modelops.checking import METRICS
from bot.modelops.registry import Version
from bot.modelops.runs import Run, TrainingBusy
from bot.modelops.service import ModelRefused
from bot.staff import access
from bot.web.console.context import current_staff, database, modelops, path_id
from bot.web.console.render import NO_STORE, after_form, json_response, page

routes = web.RouteTableDef()

HOME = "/console/models"
LOG_TAIL_BYTES = 64 * 1024
TRAINING_STARTED = "Đã bắt đầu huấn luyện (lần #{run}). Trang này cập nhật tiến độ; khi xong, mô hình mới được chấm điểm tự động."
CHECK_STARTED = "Đang chấm điểm mô hình #{id} trên bộ câu kiểm tra (lần #{run})."
ACTIVATING = ("Đang kích hoạt mô hình #{id} (lần #{run}): các máy chủ Rasa nạp mô hình trong khoảng một phút, "
              "hội thoại vẫn tiếp tục. Trang này cập nhật khi xong.")
ROLLING_BACK = "Đang quay lại mô hình trước (lần #{run}). Trang này cập nhật khi xong."
NO_LOG = "Lần huấn luyện này không có nhật ký."


def _admin(request: web.Request) -> None:
    access.require_admin(current_staff(request))


def run_json(run: Run | None, typical: float | None = None) -> dict[str, Any] | None:
    if run is None:
        return None
    training = run.config_file not in (runs.CHECK_ONLY, runs.MODEL_SWAP)  # the estimate is a training's
    left = max(0.0, typical - run.elapsed_seconds) if typical and run.running and training else None
    return {"seconds_left_estimate": None if left is None else round(left),"id": run.id, "status": run.status, "status_label": run.status_label, "phase": run.phase,
            "phase_label": run.phase_label, "epoch": run.epoch, "epochs": run.epochs, "eta_seconds": run.eta_seconds,
            "elapsed_seconds": round(run.elapsed_seconds), "requested_by": run.requested_by,
            "started_at": run.started_at, "finished_at": run.finished_at, "error": run.error,
            "model_version_id": run.model_version_id}


def version_json(version: Version, active_id: int | None) -> dict[str, Any]:
    return {"id": version.id, "file": version.name, "source": version.source, "created_by": version.created_by,
            "created_at": version.created_at, "active": version.id == active_id, "figures": version.figures,
            "evaluated_at": version.evaluated_at}


async def _overview(request: web.Request) -> dict[str, Any]:
    db = database(request)
    await runs.release_stale(db)
    active = await registry.active(db)
    versions = await registry.versions(db)
    return {"active": active, "versions": versions, "runs": await runs.recent(db, 10),
            "current_run": await runs.current(db), "previous": await registry.previous(db),
            "typical_seconds": await runs.typical_seconds(db),
            "activations": await registry.activations(db, 20)}


def _compared(request: web.Request, overview: dict[str, Any]) -> Version | None:
    """The model shown side by side with the active one: ?compare=ID, else the newest scored one."""
    active: Version | None = overview["active"]
    others = [v for v in overview["versions"] if v.figures and (active is None or v.id != active.id)]
    wanted = request.query.get("compare", "")
    chosen = [v for v in others if str(v.id) == wanted]
    return (chosen or others or [None])[0]


@routes.get(HOME)
async def models_page(request: web.Request) -> web.Response:
    _admin(request)
    overview = await _overview(request)
    candidate = _compared(request, overview)
    ops = modelops(request)
    return await page(request, "models.html", **overview, candidate=candidate,
                      comparison=ops.comparison(candidate, overview["active"]) if candidate else None,
                      metrics=METRICS, tolerance=ops.settings.tolerance, source_labels=registry.SOURCE_LABELS)


@routes.get("/api/staff/models")
async def models_json(request: web.Request) -> web.Response:
    _admin(request)
    overview = await _overview(request)
    active_id = overview["active"].id if overview["active"] else None
    return json_response({"active_id": active_id,
                          "versions": [version_json(v, active_id) for v in overview["versions"]],
                          "runs": [run_json(r) for r in overview["runs"]],
                          "current_run": run_json(overview["current_run"], overview["typical_seconds"])})


@routes.get("/api/staff/models/training")
async def training_json(request: web.Request) -> web.Response:
    """The run in progress, or the newest one: what the models page polls."""
    _admin(request)
    db = database(request)
    await runs.release_stale(db)
    run = await runs.current(db) or next(iter(await runs.recent(db, 1)), None)
    return json_response({"run": run_json(run, await runs.typical_seconds(db))})


@routes.get(HOME + "/runs/{run_id:\\d+}/log")
async def run_log(request: web.Request) -> web.Response:
    _admin(request)
    run = await runs.get(database(request), path_id(request, "run_id"))
    path = Path(run.log_file) if run and run.log_file else None
    if path is None or not path.exists():
        return web.Response(text=NO_LOG, content_type="text/plain", charset="utf-8", headers=NO_STORE)
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - LOG_TAIL_BYTES))
        tail = handle.read().decode("utf-8", "replace").replace("\r", "\n")
    return web.Response(text=tail, content_type="text/plain", charset="utf-8", headers=NO_STORE)


# --- actions: the same work for a form (flash and back to the page) and for JSON ------------

async def _train(request: web.Request) -> dict[str, Any]:
    run = await modelops(request).start_training(current_staff(request).username, registry.CONSOLE)
    return {"message": TRAINING_STARTED.format(run=run.id), "run": run_json(run)}


async def _check(request: web.Request) -> dict[str, Any]:
    version_id = path_id(request, "version_id")
    run = await modelops(request).start_check(version_id, current_staff(request).username)
    return {"message": CHECK_STARTED.format(id=version_id, run=run.id), "run": run_json(run)}


async def _activate(request: web.Request) -> dict[str, Any]:
    version_id = path_id(request, "version_id")
    run = await modelops(request).start_activation(version_id, current_staff(request).username)
    return {"message": ACTIVATING.format(id=version_id, run=run.id), "run": run_json(run)}


async def _rollback(request: web.Request) -> dict[str, Any]:
    run = await modelops(request).start_rollback(current_staff(request).username)
    return {"message": ROLLING_BACK.format(run=run.id), "run": run_json(run)}


Action = Callable[[web.Request], Awaitable[dict[str, Any]]]
ACTIONS: dict[str, tuple[str, Action]] = {
    "train": ("/train", _train),
    "check": ("/{version_id:\\d+}/check", _check),
    "activate": ("/{version_id:\\d+}/activate", _activate),
    "rollback": ("/rollback", _rollback),
}


def _refusal(error: Exception) -> tuple[int, str, Any]:
    if isinstance(error, TrainingBusy):
        return 409, error.message, None
    if isinstance(error, ModelRefused):
        return 409, error.message, error.comparison
    raise error


def _form_route(action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        _admin(request)

        async def message() -> str:
            return (await action(request))["message"]

        return await after_form(request, HOME, message(), (TrainingBusy, ModelRefused))
    return handler


def _json_route(action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        _admin(request)
        try:
            return json_response(await action(request))
        except (TrainingBusy, ModelRefused) as error:
            status, message, comparison = _refusal(error)
            return json_response({"error": message, "comparison": comparison}, status=status)
    return handler


for _name, (_path, _action) in ACTIONS.items():
    routes.post(HOME + _path)(_form_route(_action))
    routes.post("/api/staff/models" + _path)(_json_route(_action))
