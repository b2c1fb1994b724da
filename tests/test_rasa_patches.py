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
