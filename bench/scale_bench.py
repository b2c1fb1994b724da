"""Throughput and latency with one and with two Rasa replicas (`make bench-scale`).

    PYTHONPATH=. .venv/bin/python -m bench.scale_bench [--levels 20:160,40:240] [--time-limit 120]

Production mode (PostgreSQL for reports and conversations, Redis locks, the REST channel behind
its token), one system at a time, on a throw-away PostgreSQL database each:
- "1 replica": what `python -m bot run` starts by default (one of each server, no HAProxy);
- "2 replicas": `bot run --rasa-replicas 2` (two Rasa servers behind HAProxy, sticky by sender).
Each runs the full report conversations of `bench.rest_bench` at 20 and 40 concurrent citizens.
Printed: messages/s, p50/p95/p99 per message, the CPU seconds of each server and of the load
generator during each phase (PostgreSQL and Redis are not counted); the ratios 2 replicas / 1. Aim (issue 17,
a 2-core machine): at 40 users, throughput ≥ 1.6× and median latency ≤ 0.7× one replica's.
Results also go to var/bench/scale_bench.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bench.rest_bench import BENCH_DIR, OUR_SCRIPT, cpu_seconds, machine, parse_levels, run_load
from bot.modelops.agent import newest_model
from bot.secret_files import generate
from bot.stack import Replicas, Stack, free_port
from bot.storage.setup import prepare_database
from tests.helpers.db import create_pg_database, drop_pg_database, pg_available

RESULTS_PATH = BENCH_DIR / "scale_bench.json"
REDIS_BENCH_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
AIM_THROUGHPUT_RATIO_MIN, AIM_MEDIAN_RATIO_MAX = 1.6, 0.7


def production_stack(tmp: Path, database_url: str, replicas: Replicas) -> Stack:
    asyncio.run(prepare_database(database_url))
    return Stack(database_url, free_port(), free_port(), free_port(), newest_model(), log_dir=tmp / "log",
                 replicas=replicas, extra_env={
                     "APP_ENV": "production", "REST_CHANNEL_TOKEN": generate(), "REDIS_URL": REDIS_BENCH_URL,
                     "UPLOAD_DIR": str(tmp / "uploads"), "MODELS_DIR": str(tmp / "models"),
                     "CORS_ORIGINS": "https://phananh.example"})


def bench_layout(name: str, replicas: Replicas, levels: List[tuple], warmup: int, time_limit: float,
                 request_timeout: float) -> Dict[str, object]:
    url = create_pg_database("phananh_scale")
    try:
        with tempfile.TemporaryDirectory(prefix="phananh-scale-") as folder:
            stack = production_stack(Path(folder), url, replicas)
            stack.start()
            try:
                headers = {"Authorization": f"Bearer {stack.extra_env['REST_CHANNEL_TOKEN']}"}
                asyncio.run(run_load(stack.rasa_url, OUR_SCRIPT, min(warmup, 10), warmup, 300.0,
                                     request_timeout, first_index=10**6, headers=headers))
                phases = {}
                for users, conversations in levels:
                    print(f"{name}: {users} users, {conversations} conversations…", flush=True)
                    before = cpu_by_server(stack)
                    result = asyncio.run(run_load(stack.rasa_url, OUR_SCRIPT, users, conversations, time_limit,
                                                  request_timeout, first_index=users * 10**4, headers=headers))
                    phases[str(users)] = {**result.summary(), "cpu_s": cpu_used(before, cpu_by_server(stack))}
                return {"replicas": replicas.__dict__, "levels": phases}
            finally:
                stack.stop()
    finally:
        drop_pg_database(url)


def cpu_by_server(stack: Stack) -> Dict[str, float]:
    """CPU seconds so far of each server (with its children) and of this load generator."""
    used = {s.name: cpu_seconds(s.process.pid) for s in stack.services if s.process}
    me = resource.getrusage(resource.RUSAGE_SELF)
    return {**used, "load generator": me.ru_utime + me.ru_stime}


def cpu_used(before: Dict[str, float], after: Dict[str, float]) -> Dict[str, float]:
    return {name: round(after[name] - before.get(name, 0.0), 1) for name in after}


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def compare(one: Dict, two: Dict) -> Dict[str, Dict[str, Optional[float]]]:
    return {users: {"throughput_ratio": _ratio(two["levels"][users]["messages_per_s"], level["messages_per_s"]),
                    "median_ratio": _ratio(two["levels"][users]["p50_ms"], level["p50_ms"]),
                    "p99_ratio": _ratio(two["levels"][users]["p99_ms"], level["p99_ms"])}
            for users, level in one["levels"].items() if users in two["levels"]}


def render(results: Dict) -> str:
    lines = [f"bench-scale {results['date']} ({results['command']})",
             f"{'layout':<12}{'users':>6}{'conv':>6}{'failed':>8}{'msg/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"]
    for name, layout in results["layouts"].items():
        for users, level in layout["levels"].items():
            lines.append(f"{name:<12}{users:>6}{level['conversations']:>6}{level['conversations_failed']:>8}"
                         f"{level['messages_per_s']:>9}{level['p50_ms']:>9}{level['p95_ms']:>9}{level['p99_ms']:>9}")
    for name, layout in results["layouts"].items():
        for users, level in layout["levels"].items():
            cores = sum(level["cpu_s"].values()) / level["wall_s"] if level["wall_s"] else 0.0
            lines.append(f"CPU s, {name}, {users} users ({cores:.2f} cores busy of {os.cpu_count()}): "
                         + ", ".join(f"{server} {seconds}" for server, seconds in level["cpu_s"].items()))
    for users, ratios in results["comparison"].items():
        lines.append(f"{users} users, 2 replicas / 1: throughput ×{ratios['throughput_ratio']} "
                     f"(aim ≥ {AIM_THROUGHPUT_RATIO_MIN}), median ×{ratios['median_ratio']} "
                     f"(aim ≤ {AIM_MEDIAN_RATIO_MAX}), p99 ×{ratios['p99_ratio']}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", type=parse_levels, default=parse_levels("20:160,40:240"),
                        help="USERS:CONVERSATIONS pairs (default 20:160,40:240)")
    parser.add_argument("--warmup", type=int, default=10, help="warm-up conversations (default 10)")
    parser.add_argument("--time-limit", type=float, default=180.0, help="seconds per load phase (default 180)")
    parser.add_argument("--request-timeout", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=RESULTS_PATH)
    args = parser.parse_args(argv)
    if not pg_available():
        print("PostgreSQL is not reachable (127.0.0.1:5432): bench-scale runs in production mode", file=sys.stderr)
        return 2
    started = datetime.now().astimezone()
    layouts = {}
    for name, replicas in (("1 replica", Replicas()), ("2 replicas", Replicas(rasa=2))):
        layouts[name] = bench_layout(name, replicas, args.levels, args.warmup, args.time_limit, args.request_timeout)
    results = {"date": started.isoformat(timespec="seconds"),
               "command": "PYTHONPATH=. .venv/bin/python -m bench.scale_bench " + " ".join(sys.argv[1:]),
               "machine": machine(), "model": str(newest_model()), "layouts": layouts}
    results["comparison"] = compare(layouts["1 replica"], layouts["2 replicas"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print("\n" + render(results) + f"\nJSON: {args.out}")
    failed = sum(level["conversations_failed"] for layout in layouts.values() for level in layout["levels"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
