"""Reading `rasa train`'s output: phases, components and DIET's epoch bar."""
from __future__ import annotations

from bot.modelops.progress import Progress, advance, clock_seconds, split_redraws

# As `rasa train` writes them (the bar is redrawn with carriage returns).
OUTPUT = (
    "2026-11-26 11:40:01 INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.\n"
    "Epochs:   0%|          | 0/80 [00:00<?, ?it/s]\r"
    "Epochs:  45%|████▌     | 36/80 [00:20<00:24,  1.81it/s, t_loss=1.2, i_acc=0.99]\r"
    "Epochs: 100%|██████████| 80/80 [00:44<00:00,  1.80it/s, t_loss=0.4, i_acc=1]\n"
    "2026-11-26 11:41:01 INFO     rasa.engine.training.hooks  - Starting to train component 'RulePolicy'.\n"
    "Your Rasa model is trained and saved at 'models/candidate.tar.gz'.\n"
)


def run(text: str) -> list[Progress]:
    lines, rest = split_redraws(text)
    assert rest == ""
    states, progress = [], Progress()
    for line in lines:
        progress = advance(progress, line)
        states.append(progress)
    return states


def test_epochs_components_and_phases_are_followed() -> None:
    states = run(OUTPUT)
    assert states[0].component == "DIETClassifier" and states[0].epochs is None
    assert (states[1].epoch, states[1].epochs, states[1].eta_seconds) == (0, 80, None)
    assert (states[2].epoch, states[2].epochs, states[2].eta_seconds) == (36, 80, 24.0)
    assert (states[3].epoch, states[3].eta_seconds) == (80, 0.0)
    assert states[4].component == "RulePolicy" and states[4].epochs is None  # a new component resets the bar
    assert states[5].phase == "saved"
    assert "epoch 36/80" in states[2].describe()


def test_an_unfinished_redraw_waits_for_the_rest() -> None:
    lines, rest = split_redraws("Epochs:  45%|████▌     | 36/80 [00:2")
    assert lines == [] and rest.startswith("Epochs")
    lines, rest = split_redraws(rest + "0<00:24,  1.81it/s]\r")
    assert advance(Progress(), lines[0]).epoch == 36


def test_other_lines_change_nothing() -> None:
    progress = Progress(phase="training", epoch=3, epochs=10)
    assert advance(progress, "WARNING: something about TensorFlow") == progress


def test_clock_seconds() -> None:
    assert clock_seconds("01:23") == 83.0
    assert clock_seconds("1:02:03") == 3723.0
    assert clock_seconds("?") is None
