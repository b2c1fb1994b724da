"""How long a huge message takes, and whether it slows other citizens down.

Starts the whole system (bot.stack, throw-away SQLite) and measures, over the REST channel:
1. the latency of a normal message ("xin chào") sent alone, N times (the baseline);
2. the latency of one message of CHARS characters (cut by the channels to MAX_MESSAGE_CHARS);
3. the latency of normal messages sent by another citizen while huge messages keep coming.

    PYTHONPATH=. .venv/bin/python -m bench.long_message_bench [--chars 200000] [--normal 20]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Optional, Sequence

import aiohttp

from bot.modelops.agent import newest_model
from bot.stack import Stack, free_port
from bot.storage.setup import prepare_database


async def say(http: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with http.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as answer:
        body = await answer.json()
        assert answer.status == 200 and body, (answer.status, body)
    return (time.perf_counter() - started) * 1000


def describe(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    return (f"{name:<44} n={len(values):<3} p50 {statistics.median(ordered):7.0f} ms   "
            f"max {ordered[-1]:7.0f} ms")


async def measure(url: str, chars: int, normal: int) -> list[str]:
    huge = ("quán bày bàn ghế chiếm vỉa hè " * (chars // 30 + 1))[:chars]
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        for n in range(3):
            await say(http, url, f"warm-{n}", "xin chào")
        alone = [await say(http, url, f"alone-{n}", "xin chào") for n in range(normal)]
        huge_alone = [await say(http, url, f"huge-{n}", huge) for n in range(3)]
        stop = asyncio.Event()

        async def flood() -> list[float]:
            times = []
            n = 0
            while not stop.is_set():
                times.append(await say(http, url, f"flood-{n}", huge))
                n += 1
            return times

        flooding = asyncio.create_task(flood())
        await asyncio.sleep(0.2)
        during = [await say(http, url, f"during-{n}", "xin chào") for n in range(normal)]
        stop.set()
        huge_during = await flooding
    return [describe("normal message, alone", alone),
            describe(f"{chars:,}-character message, alone", huge_alone),
            describe(f"{chars:,}-character messages, back to back", huge_during),
            describe("normal message, during that flood", during),
            f"ratio of medians, normal during flood / alone: {statistics.median(during) / statistics.median(alone):.2f}"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--normal", type=int, default=20, help="normal messages per phase")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="phananh-long-") as folder:
        tmp = Path(folder)
        url = f"sqlite:///{tmp / 'phananh.db'}"
        asyncio.run(prepare_database(url))
        stack = Stack(url, free_port(), free_port(), free_port(), newest_model(), log_dir=tmp / "log",
                      extra_env={"TRACKER_SQLITE_PATH": str(tmp / "tracker.db"), "UPLOAD_DIR": str(tmp / "uploads")})
        stack.start()
        try:
            lines = asyncio.run(measure(stack.rasa_url, args.chars, args.normal))
        finally:
            stack.stop()
    print(f"{datetime.now().astimezone().isoformat(timespec='seconds')}  "
          f"PYTHONPATH=. .venv/bin/python -m bench.long_message_bench --chars {args.chars} --normal {args.normal}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
