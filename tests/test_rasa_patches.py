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
