"""`python -m bot eval`: our model, Rasa's default pipeline and the address parser, side by side."""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Dict, List, Sequence

from bot.config import PROJECT_ROOT
from bot.evaluation import addresses, report
from bot.evaluation.baselines import DEFAULT_PIPELINE_CONFIG, EVAL_DIR, parser_predictions, train_nlu
from bot.evaluation.cases import Case, load_cases
from bot.evaluation.scoring import Prediction, Scores, score
from bot.modelops.agent import load_agent, newest_model
from bot.modelops.routing import route_texts

HELD_OUT = EVAL_DIR / "heldout.jsonl"
RESULTS = PROJECT_ROOT / "var" / "eval" / "latest.json"
OURS, DEFAULT_PIPELINE, PARSER = "phananh", "rasa-init", "parser"


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("eval", help="score the model and the baselines on the held-out cases")
    p.add_argument("--cases", type=Path, default=HELD_OUT, help="held-out cases (JSON lines)")
    p.add_argument("--model", type=Path, default=None, help="our model (default: newest in models/)")
    p.add_argument("--no-baselines", action="store_true", help="score our model only")
    p.add_argument("--json", type=Path, default=RESULTS, help="where to write every figure and error")
    p.add_argument("--addresses", type=Path, default=addresses.EVAL_FILE,
                   help="address cases: per-part precision/recall and wrong-ward commits (no model needed)")
    p.add_argument("--addresses-only", action="store_true", help="score the address cases only")
    p.set_defaults(handler=_run)


def model_predictions(model: Path, texts: Sequence[str]) -> List[Prediction]:
    agent = load_agent(model)
    return [Prediction.from_route(r) for r in asyncio.run(route_texts(agent, texts))]


def evaluate(cases: Sequence[Case], model: Path, baselines: bool) -> Dict[str, object]:
    texts = [c.text for c in cases]
    columns: Dict[str, Scores] = {OURS: score(cases, model_predictions(model, texts))}
    scored = {"intents": [OURS], "routing": [OURS]}
    timings: Dict[str, float] = {}
    if baselines:
        baseline_model, timings[DEFAULT_PIPELINE] = train_nlu(DEFAULT_PIPELINE_CONFIG, "baseline-default")
        columns[DEFAULT_PIPELINE] = score(cases, model_predictions(baseline_model, texts), routing=False)
        columns[PARSER] = score(cases, parser_predictions(texts), intents=False)
        scored["intents"].append(DEFAULT_PIPELINE)
        scored["routing"].append(PARSER)
    return {"columns": columns, "scored": scored, "training_seconds": timings}


def render(cases: Sequence[Case], result: Dict[str, object]) -> str:
    columns: Dict[str, Scores] = result["columns"]  # type: ignore[assignment]
    scored: Dict[str, List[str]] = result["scored"]  # type: ignore[assignment]
    ours = columns[OURS]
    with_marks = sum(c.with_diacritics for c in cases)
    parts = [
        f"Held-out cases: {len(cases)} ({with_marks} with diacritics, {len(cases) - with_marks} without)",
        report.summary_table(columns, scored),
        report.outcomes_table(columns, scored["routing"]),
        report.per_intent_table(columns, scored["intents"]),
        *(report.confusion_list(name, columns[name]) for name in scored["intents"]),
        report.error_list(f"Intent errors, {OURS}", ours.intent_errors, ["expected", "got", "fallback"]),
        report.error_list(f"Category errors, {OURS}", ours.category_errors, ["expected", "got"]),
        report.error_list(f"Routing errors, {OURS}", ours.routing_errors, ["outcome", "expected", "got"]),
    ]
    if PARSER in columns:
        wrong = [e for e in columns[PARSER].routing_errors if e["outcome"] in ("wrong_ward", "guessed")]
        parts.append(report.error_list(f"Wrong-ward commits, {PARSER}", wrong, ["expected", "got"], limit=15))
    return "\n\n".join(parts)


def _json_ready(result: Dict[str, object], cases: Sequence[Case], model: Path) -> dict:
    columns: Dict[str, Scores] = result["columns"]  # type: ignore[assignment]
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "model": str(model), "cases": len(cases),
        "training_seconds": result["training_seconds"],
        "columns": {name: dataclasses.asdict(s) for name, s in columns.items()},
    }


def _addresses(path: Path) -> dict:
    cases = addresses.load(path)
    scores = addresses.score(cases)
    sys.stdout.write("\n" + addresses.render(scores, cases) + "\n")
    return dataclasses.asdict(scores)


def _run(args: argparse.Namespace) -> int:
    if args.addresses_only:
        _addresses(args.addresses)
        return 0
    cases = load_cases(args.cases)
    model = args.model or newest_model()
    result = evaluate(cases, model, baselines=not args.no_baselines)
    sys.stdout.write(render(cases, result) + "\n")
    figures = {**_json_ready(result, cases, model), "addresses": _addresses(args.addresses)}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    sys.stdout.write(f"\nEvery figure and error: {args.json}\n")
    return 0
