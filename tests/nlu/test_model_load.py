"""Patch 8 of bot.rasa_patches: DIET is loaded without Rasa's training step, and predicts
exactly as when Rasa loads it its own way (the trained model of `make model`). Each load runs
in a fresh interpreter, so that nothing patched earlier in this process can mix in."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.modelops.agent import newest_model

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
ROOT = Path(__file__).parents[2]
MESSAGES = ROOT / "eval" / "intents.jsonl"

LOAD_AND_PARSE = """
import asyncio, json, sys
from rasa.utils.tensorflow.models import RasaModel
if sys.argv[1] == "patched":
    from bot import rasa_patches
    rasa_patches.apply()
    def no_training(*args, **kwargs):
        raise AssertionError("the patched load ran a training step")
    RasaModel.fit = no_training
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[2])
async def parse_all():
    return [await agent.parse_message(text) for text in json.load(sys.stdin)]
parsed = asyncio.run(parse_all())
print(json.dumps([[[(i["name"], i["confidence"]) for i in p["intent_ranking"]],
                   [(e["entity"], e.get("value"), e["start"], e["end"]) for e in p["entities"]]] for p in parsed]))
"""


def _predictions(how: str, model: Path, texts: list) -> Any:
    done = subprocess.run([sys.executable, "-c", LOAD_AND_PARSE, how, str(model)], input=json.dumps(texts),
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_diet_predicts_as_with_rasas_own_load() -> None:
    model = newest_model()
    assert model is not None, "make model first"
    texts = [json.loads(line)["text"] for line in MESSAGES.read_text(encoding="utf-8").splitlines()[:80]]
    rasas = _predictions("rasa", model, texts)
    assert len(rasas) == len(texts) and any(entities for _intents, entities in rasas)
    assert _predictions("patched", model, texts) == rasas
