"""Eight fixes to how Rasa 3.6 runs, applied on purpose by our Rasa entry point
(`bot.rasa_server`, which every way of starting the system uses) through `apply()`.

`apply()` first checks that Rasa is the version these patches were written against and that
every attribute they replace still exists; otherwise it raises `IncompatibleRasa` and the
server refuses to start. Nothing is patched on import.

1. An unreachable action server: Rasa logs the failure and carries on silently, so the citizen
   would see no answer at all. We wrap `RemoteAction.run` so that a connection failure (or a
   5xx) yields a polite Vietnamese message. Form rejections (`ActionExecutionRejection`) pass
   through unchanged.
2. Validating the action server's answer: Rasa calls `jsonschema.validate`, which re-checks the
   (large, constant) response schema on every call; profiling showed that re-check alone took
   about a sixth of the Rasa server's CPU per message. We validate against the same schema with
   validators built once, raising the same error class (`best_match`, with Rasa's hint
   appended). Each event is checked against its own type's branch of the schema's `oneOf`
   instead of all 23 (the same verdict: the branches differ in their constant `event`): the
   whole check had still been a tenth of a replica's time under load.
3. The NLU runs on the server's event loop: while DIET classifies one message, nothing else
   (a webhook's acknowledgement, another citizen's reply) can move. We run the NLU graph in a
   single worker thread instead (TensorFlow releases the GIL while it computes); one thread
   keeps the model's use serial, as it was.
4. Swapping the model (`PUT /model`): Rasa loads the new model on the event loop, which then
   stood still for the 30–40 s the load took (before patch 8); requests to the action server opened just
   before fail with "Cannot write to closing transport" and the citizen gets an error
   (found by `make bench-swap`). We build the agent's stores on the loop as before, then load
   the model in a worker thread, so conversations go on with the old model meanwhile.
5. A failed step keeps the draft: when the form's validation cannot reach the action server,
   Rasa's form would go on and ask its next question from the domain's list (a question the
   citizen never needed); when `action_submit_report` cannot, the form is closed and "Gửi
   phản ánh" means nothing any more. Now the form stays at (or goes back to) its question,
   with the same slots and `draft_key`; at the summary the citizen is told the report is NOT
   sent and gets the buttons again: a retry stores it once (a report stored just before the
   failure is answered with its code).
6. A failing conversation store: Rasa wraps it in `FailSafeTrackerStore`, which falls back to
   an in-memory store, so a database blip silently restarts conversations and loses their
   turns. We wrap it in `bot.rasa_stores.RetryingTrackerStore` instead: a few retries, then an
   error the channel answers politely.
7. Pulling models from a model server (`models:` in the endpoints, how replicas get the active
   model: bot.modelops.delivery): Rasa loads a pulled model on the event loop too (the same
   30–40 s standstill on every replica at each activation), and with a model server it ignores
   the model file it was started with, downloading it again before it answers anyone. We load
   the local file (when there is one) off the loop with its ETag as fingerprint, so the first
   poll is a 304, then poll as Rasa does; a newer model is downloaded on the loop (aiohttp) and
   loaded in a worker thread.
8. Loading DIET: to give the model's weights their shapes before reading them from the file,
   Rasa runs one *training step* (`RasaModel.load` calls `fit` on one example), and tracing
   that step with its gradients took about three quarters of a Rasa server's start (27 s of
   36 here) — the time a restarted or new replica cannot answer, and a model swap's load. One
   forward pass of the same loss, run eagerly without gradients, creates the same weights in
   a fraction of that; the trained weights are then read and the prediction is traced as
   before. The predictions are the same, to the last digit (`tests/nlu/test_model_load.py`).
   Fine-tuning (`rasa train --finetune`) keeps Rasa's own load, which needs the optimizer.

Why patches and not Rasa's extension points: where 3.6 has one we use it — our own channels
(`bot.channels`), NLU components (`bot.nlu`), the conversation and lock stores named in the
endpoints file (`bot.rasa_stores`), the model server endpoint (`models:`). What is patched has
no such point: how `RemoteAction` reports a failure and validates answers (no hook in 3.6),
where the processor runs the NLU graph and where the agent loads a model (fixed in
`MessageProcessor` and `rasa.core.agent`), how a TensorFlow model is rebuilt before its weights
are read (`RasaModel.load`), and the in-memory fallback `Agent` wraps around
*any* tracker store, ours included.
"""
from __future__ import annotations

import asyncio
import copy
import functools
import logging
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import rasa.core.agent
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.exceptions import ModelNotFound
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import ActionExecutionRejected, ActiveLoop, BotUttered, FollowupAction, SlotSet
from rasa.shared.exceptions import RasaException

from bot.messages_vi import CONFIRM_BUTTONS, SERVICE_UNAVAILABLE, SUBMIT_NOT_SENT

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _response_validator() -> Tuple[Any, Dict[str, Any]]:
    """Rasa's answer schema split in two, built once: the answer without the events' `oneOf`,
    and one validator per event type. Each of the `oneOf`'s 23 branches fixes `event` to a
    constant of its own, so an event is valid under exactly one branch iff it is valid under
    the branch of its own type: the same verdict, for a twentieth of the work."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    cls = validator_for(schema)
    cls.check_schema(schema)
    items = schema["properties"]["events"]["items"]
    by_type = {branch["properties"]["event"]["const"]: cls(branch) for branch in items.pop("oneOf")}
    return cls(schema), by_type


def _answer_error(result: Dict[str, Any]) -> Optional[ValidationError]:
    answer, by_type = _response_validator()
    error = best_match(answer.iter_errors(result))
    if error is not None or not isinstance(result, dict):
        return error
    for event in result.get("events") or ():
        branch = by_type.get(event["event"])
        if branch is None:
            return ValidationError(f"{event!r} is not valid under any of the given schemas")
        error = best_match(branch.iter_errors(event))
        if error is not None:
            return error
    return None


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    error = _answer_error(result)
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_NLU_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="phananh-nlu")


async def _parse_message(self: MessageProcessor, message: Any, tracker: Optional[Any] = None,
                         only_output_properties: bool = True) -> Dict[str, Any]:
    """`MessageProcessor.parse_message` with the graph run off the event loop."""
    if self.http_interpreter:
        parse_data = await self.http_interpreter.parse(message)
    else:
        from rasa.shared.core.trackers import DialogueStateTracker

        tracker = tracker or DialogueStateTracker.from_events(message.sender_id, [])
        parse_data = await asyncio.get_running_loop().run_in_executor(
            _NLU_THREAD, self._parse_message_with_graph, message, tracker, only_output_properties)
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


_NO_MODEL_WARNING = "No valid configuration given to load agent"


async def _load_agent(model_path: Optional[str] = None, model_server: Any = None, remote_storage: Optional[str] = None,
                      endpoints: Any = None, loop: Any = None) -> Any:
    """`rasa.core.agent.load_agent` with a model file loaded off the event loop, and then, if
    a model server is configured, polled for newer models."""
    server = model_server or (endpoints.model if endpoints else None)
    local = bool(model_path) and os.path.isfile(str(model_path))  # Rasa's default `models/` is no model
    if remote_storage is not None or (not local and server is None):
        return await _ORIGINAL_LOAD_AGENT(model_path, model_server, remote_storage, endpoints, loop)
    if endpoints is not None:
        endpoints.model = None  # the stores and the broker only: the model comes below
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_NO_MODEL_WARNING)
            agent = await _ORIGINAL_LOAD_AGENT(None, None, None, endpoints, loop)  # stores, broker: on this loop
    finally:
        if endpoints is not None:
            endpoints.model = server
    agent.model_server = server
    if local:
        await _load_local(agent, str(model_path), fingerprint=await _fingerprint(str(model_path)) if server else None)
    if server is not None:  # a newer model than the file (activated while this server was down): now
        await _update_model_from_server(server, agent)
    if server is not None:
        pulls = int(server.kwargs.get("wait_time_between_pulls", 100) or 0)
        if pulls:
            await rasa.core.agent._schedule_model_pulling(server, pulls, agent)
    return agent


async def _load_local(agent: Any, model_path: str, fingerprint: Optional[str]) -> None:
    try:
        await asyncio.get_running_loop().run_in_executor(None, agent.load_model, model_path, fingerprint)
    except ModelNotFound:  # as Rasa does: an agent without a model, which the caller refuses
        logger.warning("No valid model found at %s", model_path)


async def _fingerprint(model_path: str) -> str:
    """The ETag the model server gives this file (bot.modelops.delivery)."""
    from bot.modelops.delivery import etag
    from bot.modelops.registry import file_sha256

    return etag(await asyncio.to_thread(file_sha256, Path(model_path)))


async def _update_model_from_server(model_server: Any, agent: Any) -> None:
    """`rasa.core.agent._update_model_from_server`, loading the new model in a worker thread."""
    from rasa.utils.common import TempDirectoryPath, get_temp_dir_name

    with TempDirectoryPath(get_temp_dir_name()) as directory:
        try:
            fingerprint = await rasa.core.agent._pull_model_and_fingerprint(model_server, agent.fingerprint, directory)
            if fingerprint:
                logger.info("Loading the model %s from the model server", fingerprint)
                await asyncio.get_running_loop().run_in_executor(None, agent.load_model, directory, fingerprint)
                logger.info("Serving the model %s", fingerprint)
        except Exception:  # as Rasa: the previous model stays
            logger.exception("Failed to update the model from %s; the previous model stays", model_server.url)


_ORIGINAL_LOAD_AGENT = rasa.core.agent.load_agent


def _tensorflow_models() -> Any:
    """Rasa's TensorFlow model module, imported only where TensorFlow is wanted: the action
    and web servers never import it (tests/e2e/test_no_tensorflow.py)."""
    from rasa.utils.tensorflow import models

    return models


def _load_without_training_step(original: Any, cls: Any, model_file_name: str, model_data_example: Any,
                                predict_data_example: Any = None, finetune_mode: bool = False,
                                *args: Any, **kwargs: Any) -> Any:
    """`RasaModel.load` with the weights built by one eager forward pass instead of `fit`."""
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

    if finetune_mode or predict_data_example is None:
        return original(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                        *args, **kwargs)
    model = cls(*args, **kwargs)
    config = kwargs.get("config", {})
    model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
                  run_eagerly=config.get(RUN_EAGERLY))
    batch, _target = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
    model._training = True  # the training graph's layers, as fit's step would build them
    model.batch_loss(tuple(tf.convert_to_tensor(part) for part in batch))
    model._training = False
    model.load_weights(model_file_name).expect_partial()  # the optimizer's slots are not needed
    model.run_inference(predict_data_example)  # label embeddings from the loaded weights, traced once
    return model


RASA_VERSION = "3.6.21"
TARGETS = (
    (RemoteAction, "run"),
    (RemoteAction, "_validate_action_result"),
    (RemoteAction, "action_response_format_spec"),
    (MessageProcessor, "parse_message"),
    (MessageProcessor, "_parse_message_with_graph"),
    (MessageProcessor, "_update_full_retrieval_intent"),
    (MessageProcessor, "_check_for_unseen_features"),
    (rasa.core.agent, "load_agent"),
    (rasa.core.agent, "_update_model_from_server"),
    (rasa.core.agent, "_pull_model_and_fingerprint"),
    (rasa.core.agent, "_schedule_model_pulling"),
    (rasa.core.agent.Agent, "load_model"),
    (rasa.core.agent.Agent, "_create_tracker_store"),
)
PATCHES = ("polite_action_failure", "action_response_validator", "nlu_off_the_loop", "model_load_off_the_loop",
           "draft_kept_on_failed_submit", "tracker_store_retries", "model_pull_off_the_loop",
           "model_built_without_training_step")
SUBMIT_ACTION, REPORT_FORM = "action_submit_report", "report_form"


def failure_events(action_name: str, requested_slot: Optional[str] = None) -> list:
    """What the citizen gets when a custom action could not run.

    - The form's validation: the form stays where it was (the rejection keeps Rasa's form from
      asking the next question on its own), so the same answer works once the server is back.
    - The submit: the form is put back at its summary question, with everything entered.
    At the summary, the citizen is told the report is NOT sent and gets the buttons again."""
    failed = {"error": "action_server_unavailable"}
    at_summary = action_name == SUBMIT_ACTION or requested_slot == "confirmed"
    buttons = [{"title": title, "payload": payload} for title, payload in CONFIRM_BUTTONS]
    said = BotUttered(text=SUBMIT_NOT_SENT, data={"buttons": buttons}, metadata=failed) if at_summary else \
        BotUttered(text=SERVICE_UNAVAILABLE, metadata=failed)
    if action_name == SUBMIT_ACTION:
        return [said, ActiveLoop(REPORT_FORM), SlotSet("requested_slot", "confirmed"), SlotSet("confirmed", None),
                FollowupAction("action_listen")]
    if action_name.startswith("validate_"):  # the form asks nothing more now; the citizen's next message decides
        return [said, ActionExecutionRejected(action_name), FollowupAction("action_listen")]
    return [said]


def _create_tracker_store(store: Any, domain: Any) -> Any:
    """`Agent._create_tracker_store` with retries instead of an in-memory fallback."""
    from rasa.core.tracker_store import InMemoryTrackerStore

    from bot.rasa_stores import RetryingTrackerStore

    if store is None:
        return RetryingTrackerStore(InMemoryTrackerStore(domain))
    store.domain = domain
    return RetryingTrackerStore(store)


class IncompatibleRasa(RuntimeError):
    """The installed Rasa is not the one the patches were written for."""


def check_compatible(version: str | None = None) -> None:
    import rasa

    installed = version or rasa.__version__
    if installed != RASA_VERSION:
        raise IncompatibleRasa(f"bot.rasa_patches was written for Rasa {RASA_VERSION}, found {installed}")
    targets = (*TARGETS, (_tensorflow_models().RasaModel, "load"))
    missing = [f"{getattr(owner, '__name__', owner)}.{name}" for owner, name in targets if not hasattr(owner, name)]
    if missing:
        raise IncompatibleRasa(f"Rasa {installed} lacks what bot.rasa_patches replaces: {', '.join(missing)}")


def apply() -> tuple[str, ...]:
    """Apply every patch once (again is a no-op); the names of the patches in force."""
    check_compatible()
    original = RemoteAction.run
    if getattr(original, "_phananh_patched", False):
        return PATCHES

    @functools.wraps(original)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except RasaException as error:
            logger.error("Custom action %s failed for sender %s: %s", self.name(), tracker.sender_id, error)
            return failure_events(self.name(), tracker.get_slot("requested_slot"))

    run._phananh_patched = True  # type: ignore[attr-defined]
    RemoteAction.run = run
    RemoteAction._validate_action_result = _validate_action_result
    MessageProcessor.parse_message = _parse_message
    rasa.core.agent.load_agent = _load_agent
    rasa.core.agent._update_model_from_server = _update_model_from_server
    rasa.core.agent.Agent._create_tracker_store = staticmethod(_create_tracker_store)
    _patch_model_load()
    return PATCHES


def _patch_model_load() -> None:
    rasa_model = _tensorflow_models().RasaModel
    rasa_model.load = classmethod(functools.partial(_load_without_training_step, rasa_model.load.__func__))
