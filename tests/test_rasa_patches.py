"""Our changes to how Rasa runs remote actions keep Rasa's validation of their answers."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches

rasa_patches.apply()


def test_valid_answer_passes() -> None:
    answer = {"events": [{"event": "slot", "name": "ward_code", "value": "00226"}], "responses": [{"text": "ok"}]}
    assert RemoteAction("action_x", None)._validate_action_result(answer)


@pytest.mark.parametrize("answer", [
    {"events": [{"event": "slot", "value": 1}]},  # a slot event without a name
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
])
def test_invalid_answer_raises_rasas_error(answer: dict) -> None:
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_x", None)._validate_action_result(answer)


def _event_variants() -> list:
    """Every event type bare, with each of its own fields of a wrong type, and with Rasa's usual
    values: valid and invalid answers of every branch of the schema's oneOf."""
    items = RemoteAction.action_response_format_spec()["properties"]["events"]["items"]
    wrong = {"string": 7, "number": "x", "integer": 1.5, "object": [], "array": {}, "boolean": "yes", "null": 3}
    events: list = [{"event": "no_such_event"}, {"name": "x"}, {"event": 3}, "slot"]
    for branch in items["oneOf"]:
        kind = branch["properties"]["event"]["const"]
        events.append({"event": kind})
        for field, spec in branch["properties"].items():
            types = spec.get("type", "string")
            first = types[0] if isinstance(types, list) else types
            if field != "event" and first in wrong:
                events.append({"event": kind, field: wrong[first]})
        events.append({"event": kind, "name": "ward_code", "value": "00226", "text": "ok", "timestamp": 1.0})
    return events


def test_per_type_validation_agrees_with_the_whole_schema() -> None:
    schema = RemoteAction.action_response_format_spec()
    whole = jsonschema.validators.validator_for(schema)(schema)
    answers = [{"events": [event]} for event in _event_variants()]
    answers += [{"events": [{"event": "action", "name": "x"}, event]} for event in _event_variants()[:10]]
    answers += [{"events": []}, {"responses": "no"}, {"responses": [{"text": 1}]}, [], {"events": None}]
    verdicts = [(whole.is_valid(answer), rasa_patches._answer_error(answer) is None) for answer in answers]
    assert all(theirs == ours for theirs, ours in verdicts), [a for a, v in zip(answers, verdicts) if v[0] != v[1]]
    assert sum(valid for valid, _ours in verdicts) >= 23 and sum(not valid for valid, _ours in verdicts) >= 23


def test_apply_checks_the_rasa_version() -> None:
    with pytest.raises(rasa_patches.IncompatibleRasa, match="written for Rasa 3.6.21"):
        rasa_patches.check_compatible("3.7.0")
    rasa_patches.check_compatible()  # the installed one


def test_apply_is_idempotent_and_names_its_patches() -> None:
    assert rasa_patches.apply() == rasa_patches.apply() == rasa_patches.PATCHES


class FakeAgent:
    def __init__(self) -> None:
        self.fingerprint = "old"
        self.loaded: list = []

    def load_model(self, path: str, fingerprint: str | None = None) -> None:
        import threading

        self.loaded.append((path, fingerprint, threading.current_thread() is threading.main_thread()))
        self.fingerprint = fingerprint


async def test_a_pulled_model_is_loaded_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.agent

    async def pulled(server: object, fingerprint: str, directory: str) -> str | None:
        assert fingerprint == "old"  # what the agent holds goes as If-None-Match
        return '"new"'

    monkeypatch.setattr(rasa.core.agent, "_pull_model_and_fingerprint", pulled)
    agent = FakeAgent()
    await rasa_patches._update_model_from_server(object(), agent)
    [(path, fingerprint, on_main_thread)] = agent.loaded
    assert fingerprint == '"new"' and not on_main_thread

    async def nothing_new(server: object, fingerprint: str, directory: str) -> str | None:
        return None

    monkeypatch.setattr(rasa.core.agent, "_pull_model_and_fingerprint", nothing_new)
    await rasa_patches._update_model_from_server(object(), agent)
    assert len(agent.loaded) == 1  # a 304: nothing loaded


async def test_a_local_model_is_fingerprinted_as_the_model_server_would(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.modelops.delivery import etag
    from bot.modelops.registry import file_sha256

    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"model bytes")
    assert await rasa_patches._fingerprint(str(model)) == etag(file_sha256(model))


async def test_the_agent_starts_from_its_file_then_asks_the_model_server_once(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A replica started again after an activation: the local file first (its ETag as the
    fingerprint), then one poll that brings the active model; pulling is then scheduled.
    A directory (Rasa's default `models/`) is no local model: the model server alone."""
    import rasa.core.agent
    from types import SimpleNamespace

    calls: list = []
    agent = FakeAgent()

    async def original(*args: object) -> FakeAgent:
        calls.append(("stores", args[0]))
        return agent

    async def update(server: object, the_agent: object) -> None:
        calls.append(("poll", server))

    async def schedule(server: object, seconds: int, the_agent: object) -> None:
        calls.append(("schedule", seconds))

    monkeypatch.setattr(rasa_patches, "_ORIGINAL_LOAD_AGENT", original)
    monkeypatch.setattr(rasa_patches, "_update_model_from_server", update)
    monkeypatch.setattr(rasa.core.agent, "_schedule_model_pulling", schedule)
    server = SimpleNamespace(kwargs={"wait_time_between_pulls": 10}, url="http://web/internal/model")
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"model bytes")
    assert await rasa_patches._load_agent(str(model), endpoints=SimpleNamespace(model=server)) is agent
    assert calls == [("stores", None), ("poll", server), ("schedule", 10)]
    assert agent.loaded[0][0] == str(model) and agent.loaded[0][1] == await rasa_patches._fingerprint(str(model))

    calls.clear()
    agent.loaded.clear()
    await rasa_patches._load_agent(str(tmp_path), endpoints=SimpleNamespace(model=server))
    assert calls == [("stores", None), ("poll", server), ("schedule", 10)] and agent.loaded == []


# One test per patch, named after it (bot.rasa_patches.PATCHES), on the patched Rasa objects.

def _tracker(*events: object) -> "DialogueStateTracker":
    from rasa.shared.core.trackers import DialogueStateTracker

    return DialogueStateTracker.from_events("citizen-1", list(events))


@pytest.mark.parametrize("action, expected", [
    ("action_lookup_status", "SERVICE_UNAVAILABLE"), ("action_submit_report", "SUBMIT_NOT_SENT")])
async def test_polite_action_failure(action: str, expected: str) -> None:
    """An action server that does not answer: a Vietnamese message, not silence."""
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    from bot import messages_vi
    from bot.stack import free_port

    unreachable = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    events = await RemoteAction(action, unreachable).run(None, None, _tracker(), Domain.empty())
    said = [e for e in events if e.type_name == "bot"]
    assert [e.text for e in said] == [getattr(messages_vi, expected)]
    assert said[0].metadata == {"error": "action_server_unavailable"}


def test_action_response_validator_is_built_once() -> None:
    assert rasa_patches._response_validator() is rasa_patches._response_validator()
    assert len(rasa_patches._response_validator()[1]) == 23  # one validator per event type
    assert RemoteAction._validate_action_result is rasa_patches._validate_action_result


async def test_nlu_off_the_loop() -> None:
    """The NLU graph runs in the one NLU thread; the loop stays free meanwhile."""
    import threading
    from types import SimpleNamespace

    from rasa.core.channels import UserMessage
    from rasa.core.processor import MessageProcessor

    threads: list = []
    checked: list = []

    def graph(message: object, tracker: object, only_output_properties: bool) -> dict:
        threads.append(threading.current_thread().name)
        return {"text": "xin chào", "intent": {"name": "greet"}}

    processor = SimpleNamespace(http_interpreter=None, _parse_message_with_graph=graph,
                                _update_full_retrieval_intent=checked.append, _check_for_unseen_features=checked.append)
    parsed = await MessageProcessor.parse_message(processor, UserMessage("xin chào", sender_id="c1"))
    assert parsed["intent"]["name"] == "greet" and len(checked) == 2
    assert threads and threads[0].startswith("phananh-nlu")


async def test_model_load_off_the_loop(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A model file given at start (no model server) is loaded in a worker thread."""
    import rasa.core.agent

    agent = FakeAgent()

    async def stores_only(*args: object) -> FakeAgent:
        assert args[0] is None  # Rasa builds the stores; the model is ours to load
        return agent

    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"model bytes")
    original, rasa_patches._ORIGINAL_LOAD_AGENT = rasa_patches._ORIGINAL_LOAD_AGENT, stores_only
    try:
        assert await rasa.core.agent.load_agent(str(model)) is agent
    finally:
        rasa_patches._ORIGINAL_LOAD_AGENT = original
    [(path, fingerprint, on_main_thread)] = agent.loaded
    assert path == str(model) and fingerprint is None and not on_main_thread


def test_draft_kept_on_failed_submit() -> None:
    """A failed submit puts the form back at its summary with the buttons; a failed validation
    keeps the form at its question (rejected, so Rasa asks nothing on its own)."""
    from rasa.shared.core.events import ActionExecutionRejected, ActiveLoop, BotUttered, SlotSet

    submit = rasa_patches.failure_events("action_submit_report")
    assert ActiveLoop("report_form") in submit and SlotSet("requested_slot", "confirmed") in submit
    assert SlotSet("confirmed", None) in submit
    [said] = [e for e in submit if isinstance(e, BotUttered)]
    assert [b["payload"] for b in said.data["buttons"]] == [p for _, p in rasa_patches.CONFIRM_BUTTONS]
    validation = rasa_patches.failure_events("validate_report_form", "location")
    assert ActionExecutionRejected("validate_report_form") in validation
    assert not any(isinstance(e, (ActiveLoop, SlotSet)) for e in validation)  # slots and draft untouched


def test_tracker_store_retries() -> None:
    """Rasa's agent wraps its conversation store in ours, never in the in-memory fallback."""
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.rasa_stores import RetryingTrackerStore

    for given in (None, InMemoryTrackerStore(Domain.empty())):
        store = Agent._create_tracker_store(given, Domain.empty())
        assert isinstance(store, RetryingTrackerStore) and not isinstance(store, FailSafeTrackerStore)
