"""Conversations while the model is swapped: does a `PUT /model` drop any message?

Run from the project root (this is what `make bench-swap` does):

    PYTHONPATH=. .venv/bin/python -m bench.model_swap_bench [--users 10] [--swaps 4]

It starts the whole system (`bot.stack`) on free loopback ports with a throw-away SQLite
database, then runs full report conversations (the REST benchmark's script: first message,
skip the photo, phone number, confirm → report code) with `--users` concurrent citizens,
back to back, while the model is swapped `--swaps` times through Rasa's HTTP API with the
same client the console uses (`bot.modelops.rasa_api`), alternating between the build model
and a copy of it under another name (loading costs the same; the swap is real: Rasa builds
a new agent and the reported model file changes).

A conversation counts as dropped if any message gets an error, a time-out or an empty
answer, or if the last answer has no report code. At the end every report code the users
received must be in the database. Figures go to stdout and var/bench/model_swap_bench.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import tempfile
import time
from datetime import datetime
from pathlib import Path

import aiohttp

from bench.rest_bench import OUR_SCRIPT, percentile, run_load
from bot.config import PROJECT_ROOT
from bot.modelops.agent import newest_model
from bot.modelops.rasa_api import RasaServer
from bot.stack import Stack, free_port
from bot.storage.setup import prepare_database

RESULTS_PATH = PROJECT_ROOT / "var" / "bench" / "model_swap_bench.json"
LOG_DIR = PROJECT_ROOT / "var" / "bench" / "model_swap_logs"  # the three servers' logs of the last run
REQUEST_TIMEOUT_S = 300.0


async def swap_repeatedly(server: RasaServer, models: list[Path], swaps: int, pause: float) -> list[dict]:
    """Alternate between the models; each swap's duration and the model the server then reports."""
    done = []
    async with aiohttp.ClientSession() as session:
        for n in range(swaps):
            await asyncio.sleep(pause)
            target = models[(n + 1) % len(models)]
            started = time.perf_counter()
            await server.load(session, target)
            seconds = time.perf_counter() - started
            serving = await server.model_file(session)
            done.append({"to": target.name, "seconds": round(seconds, 2), "serving": serving,
                         "ok": serving == target.name})
    return done


def stored_codes(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM reports").fetchone()[0]


async def bench(users: int, swaps: int, pause: float, tmp: Path) -> dict:
    build = newest_model()
    copy = tmp / f"swap-copy-{build.name}"
    shutil.copy2(build, copy)
    url = f"sqlite:///{tmp / 'phananh.db'}"
    await prepare_database(url)
    stack = Stack(url, free_port(), free_port(), free_port(), build, log_dir=LOG_DIR,
                  extra_env={"TRACKER_SQLITE_PATH": str(tmp / "tracker.db"), "UPLOAD_DIR": str(tmp / "uploads")})
    await asyncio.to_thread(stack.start)
    try:
        server = RasaServer(stack.rasa_url, stack.token)
        await run_load(stack.rasa_url, OUR_SCRIPT, 2, 4, 120, REQUEST_TIMEOUT_S)  # warm-up
        before = stored_codes(tmp / "phananh.db")
        stop = asyncio.Event()
        load = asyncio.create_task(run_load(stack.rasa_url, OUR_SCRIPT, users, 1_000_000, 1e9, REQUEST_TIMEOUT_S,
                                            first_index=1000, stop=stop))
        swapped = await swap_repeatedly(server, [build, copy], swaps, pause)
        await asyncio.sleep(pause)  # conversations after the last swap too
        stop.set()  # no new conversations; those under way finish
        result = await load
        stored = stored_codes(tmp / "phananh.db") - before
    finally:
        stack.stop()
    ms = sorted(x * 1000 for x in result.latencies)
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "users": users, "swaps": swapped, "conversations": result.conversations,
        "dropped": result.failed, "failures": [str(f) for f in result.failures][:20],
        "messages": result.messages, "reports_stored": stored,
        "p50_ms": round(percentile(ms, 50) or 0, 1), "p99_ms": round(percentile(ms, 99) or 0, 1),
        "max_ms": round(ms[-1], 1) if ms else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--swaps", type=int, default=4)
    parser.add_argument("--pause", type=float, default=15.0, help="seconds between swaps")
    args = parser.parse_args()
    shutil.rmtree(LOG_DIR, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="phananh-swap-") as folder:
        figures = asyncio.run(bench(args.users, args.swaps, args.pause, Path(folder)))
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
