"""`python -m bot route`: the model's intent and the resolver's ward for texts, as JSON lines."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List

from bot.config import PROJECT_ROOT
from bot.intake import category_for
from bot.resolver import Resolution, resolve_text


def register(commands: Any) -> None:
    p = commands.add_parser("route", help="classify texts and route them to a ward")
    p.add_argument("text", nargs="?", help="one text to route")
    p.add_argument("--jsonl", type=Path, help="a file with one JSON object per line, each with a `text` field")
    p.add_argument("--model", type=Path, default=None, help="model file (default: newest in models/)")
    p.set_defaults(handler=_run)


FALLBACK_INTENT = "nlu_fallback"


def top_intent(parsed: Dict[str, Any]) -> Dict[str, Any]:
    """The model's best real intent; when FallbackClassifier fired it is the first in the ranking."""
    intent = parsed.get("intent") or {}
    if intent.get("name") != FALLBACK_INTENT:
        return intent
    ranked = [i for i in parsed.get("intent_ranking") or [] if i.get("name") != FALLBACK_INTENT]
    return ranked[0] if ranked else intent


def route_result(text: str, parsed: Dict[str, Any]) -> Dict[str, Any]:
    """`intent` is the model's best guess; `fallback` says the bot would ask to confirm it first."""
    intent = top_intent(parsed)
    carried = parsed.get("address")  # the model's address parser (bot.nlu.address) already decided
    resolution = Resolution.from_dict(carried) if isinstance(carried, dict) and carried else resolve_text(text)
    return {
        "text": text,
        "intent": intent.get("name"),
        "intent_confidence": round(float(intent.get("confidence") or 0.0), 4),
        "fallback": (parsed.get("intent") or {}).get("name") == FALLBACK_INTENT,
        "category": category_for(intent.get("name"), text),
        "entities": [{"entity": e.get("entity"), "value": e.get("value")} for e in parsed.get("entities") or []],
        "route": {
            "status": resolution.status,
            "reason": resolution.reason,
            "ward_code": resolution.ward_code,
            "ward_name": resolution.ward_name,
            "candidates": [{"ward_code": c.ward_code, "ward_name": c.ward_name} for c in resolution.candidates],
        },
        "address": resolution.address.to_dict(),
        "address_text": resolution.address.display(resolution.ward_name or ""),
    }


def newest_model(models_dir: Path = PROJECT_ROOT / "models") -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit(f"No trained model in {models_dir}: run `make model` first.")
    return models[-1]


def load_agent(model: Path) -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from rasa.core.agent import Agent  # heavy: import only when needed
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # unconfigured, structlog writes debug lines to stdout
    return Agent.load(str(model))


async def route_texts(agent: Any, texts: Iterable[str]) -> List[Dict[str, Any]]:
    return [route_result(text, await agent.parse_message(text)) for text in texts]


def _texts(args: argparse.Namespace) -> Iterator[str]:
    if args.jsonl:
        with args.jsonl.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield str(json.loads(line).get("text") or "")
    elif args.text is not None:
        yield args.text
    else:
        raise SystemExit("Give a text or --jsonl FILE.")


def _run(args: argparse.Namespace) -> int:
    texts = list(_texts(args))
    agent = load_agent(args.model or newest_model())
    for result in asyncio.run(route_texts(agent, texts)):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0
