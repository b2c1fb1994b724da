"""`python -m bot model …`: retrain, check, list, activate and roll back models.

    python -m bot model train [--config FILE] [--activate]
    python -m bot model check ID
    python -m bot model list
    python -m bot model activate ID
    python -m bot model rollback

Activation goes through the running Rasa servers' HTTP API (RASA_INTERNAL_URLS, RASA_TOKEN);
servers that are not running load the active model when `bot run` starts them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import get_settings
from bot.modelops import registry, runs
from bot.modelops.checking import METRICS, CheckFailed, Figures
from bot.modelops.progress import Progress
from bot.modelops.runs import TrainingBusy
from bot.modelops.service import ModelOps, ModelRefused, Swapped
from bot.modelops.training import TrainingFailed
from bot.staff.localtime import format_datetime
from bot.storage.db import Database
from bot.cli.common import Command, run_with_database

REFUSALS = (ModelRefused, TrainingBusy, TrainingFailed, CheckFailed)


def register(commands: Any) -> None:
    p = commands.add_parser("model", help="retrain, check, list, activate and roll back NLU models")
    sub = p.add_subparsers(dest="model_command", required=True)
    train = sub.add_parser("train", help="train on the current data, then score on the held-out set")
    train.add_argument("--config", type=Path, default=None, help="Rasa config (default: TRAINING_CONFIG)")
    train.add_argument("--activate", action="store_true", help="activate the new model if it is not worse")
    train.set_defaults(handler=lambda a: _run(_train, a))
    check = sub.add_parser("check", help="score a model on the held-out set")
    check.add_argument("id", type=int)
    check.set_defaults(handler=lambda a: _run(_check, a))
    sub.add_parser("list", help="models, newest first, with their figures").set_defaults(handler=lambda a: _run(_list, a))
    activate = sub.add_parser("activate", help="activate a model that is not worse than the active one")
    activate.add_argument("id", type=int)
    activate.set_defaults(handler=lambda a: _run(_activate, a))
    sub.add_parser("rollback", help="go back to the previously active model").set_defaults(
        handler=lambda a: _run(_rollback, a))


def _ops(db: Database) -> ModelOps:
    return ModelOps(db, get_settings().modelops)


def _figures(figures: Figures | None) -> str:
    if figures is None:
        return "not scored"
    parts = []
    for field, _label, higher_better in METRICS:
        value = getattr(figures, field)
        parts.append(f"{field}={'-' if value is None else (f'{value:.3f}' if higher_better else value)}")
    return " ".join(parts)


def _print_progress(progress: Progress) -> None:
    print(f"  … {progress.describe()}", file=sys.stderr, flush=True)


async def _train(db: Database, args: argparse.Namespace) -> int:
    ops = _ops(db)
    print("Training (one at a time; progress below, full log in var/log/training/)…", flush=True)
    version = await ops.train(None, registry.CLI, args.config, _print_progress)
    print(f"Model #{version.id}: {version.file}\n  {_figures(version.figures)}")
    current = await registry.active(db)
    comparison = ops.comparison(version, current)
    if comparison and current:
        print(f"Compared with the active model #{current.id}: {'not worse' if comparison.not_worse else 'WORSE'}")
        for row in comparison.rows:
            print(f"  {row.field:<22} {row.candidate} vs {row.active}{'  <- worse' if row.worse else ''}")
    if args.activate:
        return _swapped(await ops.activate(version.id, None))
    print(f"Activate it with: python -m bot model activate {version.id}")
    return 0


async def _check(db: Database, args: argparse.Namespace) -> int:
    version = await _ops(db).check(args.id, None)
    print(f"Model #{version.id}: {_figures(version.figures)}")
    return 0


async def _list(db: Database, args: argparse.Namespace) -> int:
    current = await registry.active(db)
    for version in await registry.versions(db):
        mark = "*" if current and current.id == version.id else " "
        print(f"{mark} #{version.id:<4} {format_datetime(version.created_at)}  {version.source:<7} "
              f"{version.name}\n        {_figures(version.figures)}")
    running = await runs.current(db)
    if running:
        print(f"Training run #{running.id} is running: {running.phase}")
    print("(* = active)")
    return 0


async def _activate(db: Database, args: argparse.Namespace) -> int:
    return _swapped(await _ops(db).activate(args.id, None))


async def _rollback(db: Database, args: argparse.Namespace) -> int:
    return _swapped(await _ops(db).rollback(None))


def _swapped(done: Swapped) -> int:
    print(f"Model #{done.version.id} is active ({done.kind}): {done.version.file}")
    for url in done.unreachable:
        print(f"  Rasa at {url} is not running; it will load this model when `bot run` starts it.")
    return 0


def _run(command: Command, args: argparse.Namespace) -> int:
    return run_with_database(command, args, REFUSALS)
