"""`python -m bot route`: the model's intent and the resolver's ward for texts, as JSON lines."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, Iterator

from bot.modelops.agent import load_agent, newest_model
from bot.modelops.routing import route_texts


def register(commands: Any) -> None:
    p = commands.add_parser("route", help="classify texts and route them to a ward")
    p.add_argument("text", nargs="?", help="one text to route")
    p.add_argument("--jsonl", type=Path, help="a file with one JSON object per line, each with a `text` field")
    p.add_argument("--model", type=Path, default=None, help="model file (default: newest in models/)")
    p.set_defaults(handler=_run)


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
