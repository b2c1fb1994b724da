"""Per-intent precision and recall on eval/intents.jsonl, a set written apart from the training data.

    python -m bot eval-intents [--model PATH] [--errors]

The intent is the model's top intent; `nlu_fallback` counts as a miss (the bot would ask).
"""
from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from bot.config import PROJECT_ROOT

INTENT_CASES = PROJECT_ROOT / "eval" / "intents.jsonl"


@dataclass(frozen=True)
class IntentScores:
    accuracy: float
    per_intent: Dict[str, Dict[str, float]]  # intent → precision, recall, f1, support
    errors: List[Tuple[str, str, str]]  # text, expected, predicted


def score_intents(expected: Sequence[str], predicted: Sequence[str], texts: Sequence[str]) -> IntentScores:
    support = Counter(expected)
    said = Counter(predicted)
    right = Counter(e for e, p in zip(expected, predicted) if e == p)
    per_intent = {}
    for intent in sorted(support):
        precision = right[intent] / said[intent] if said[intent] else 0.0
        recall = right[intent] / support[intent]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                              "support": support[intent]}
    errors = [(t, e, p) for t, e, p in zip(texts, expected, predicted) if e != p]
    return IntentScores(round(sum(right.values()) / len(expected), 3) if expected else 0.0, per_intent, errors)


def load_cases(path: Path = INTENT_CASES) -> List[Dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(model: Path, texts: Sequence[str]) -> List[str]:
    from bot.modelops.agent import load_agent

    agent = load_agent(model)

    async def run() -> List[str]:
        return [((await agent.parse_message(t)).get("intent") or {}).get("name") or "" for t in texts]
    return asyncio.run(run())


def _command(args: argparse.Namespace) -> int:
    from bot.modelops.agent import newest_model

    cases = load_cases(Path(args.cases))
    texts = [c["text"] for c in cases]
    scores = score_intents([c["intent"] for c in cases], predict(Path(args.model) if args.model else newest_model(), texts),
                           texts)
    print(f"cases: {len(cases)}  accuracy: {scores.accuracy:.3f}")
    print(f"{'intent':<22}{'precision':>10}{'recall':>8}{'f1':>8}{'n':>5}")
    for intent, s in scores.per_intent.items():
        print(f"{intent:<22}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}{s['support']:>5}")
    if args.errors:
        for text, expected, predicted in scores.errors:
            print(f"  {expected} → {predicted}: {text}")
    return 0


def register(commands: Any) -> None:
    parser = commands.add_parser("eval-intents", help="per-intent precision/recall on eval/intents.jsonl")
    parser.add_argument("--cases", default=str(INTENT_CASES))
    parser.add_argument("--model", default="")
    parser.add_argument("--errors", action="store_true", help="print every misclassified case")
    parser.set_defaults(handler=_command)
