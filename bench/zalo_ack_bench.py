"""How fast our Zalo webhook answers, under 50 concurrent events, whatever the NLU takes.

Run from the project root (`make bench-zalo`):

    PYTHONPATH=. .venv/bin/python -m bench.zalo_ack_bench [--events 500] [--concurrency 50] [--database-url URL]

It starts the whole system (action, Rasa and web servers) with the Zalo channel pointed at
the fake Zalo of the test suite, warms it up, then posts signed `user_send_text` events from
50 citizens, `--concurrency` at a time, each a real report sentence, so the NLU and the
dialogue run in the background while acknowledgements are measured. Latency is client-side,
from sending the request to reading Zalo's expected 200 answer.
The bot's own replies lag behind (they need the NLU); how many had reached the fake Zalo
when the load ended is reported too. Results are printed and written to var/bench/zalo_ack.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp

from bench.rest_bench import BENCH_DIR, machine, percentile
from bot.modelops.agent import newest_model
from bot.stack import Stack, free_port
from bot.storage.setup import prepare_database
from tests.helpers import zalo_webhook
from tests.helpers.fake_zalo_process import OA_SECRET_KEY, FakeZaloProcess

RESULTS_PATH = BENCH_DIR / "zalo_ack.json"
LOG_DIR = BENCH_DIR / "zalo_ack_logs"  # the servers' logs of the last run
AIM_P99_MS = 50.0
SENTENCES = [
    "Quán nhậu bày bàn ghế chiếm hết vỉa hè trước số 12 phố Hàng Bông, phường Hoàn Kiếm",
    "nha ben canh xay them 2 tang khong phep o ngo 5 kham thien p van mieu quoc tu giam",
    "xe máy đỗ kín vỉa hè phố Huế, người đi bộ phải xuống lòng đường",
    "phản ánh của tôi xử lý đến đâu rồi",
]


async def _post(session: aiohttp.ClientSession, url: str, body: Dict, app_id: str) -> float:
    raw, headers = zalo_webhook.signed(body, app_id, OA_SECRET_KEY)
    started = time.perf_counter()
    async with session.post(url, data=raw, headers=headers) as answer:
        await answer.read()
        if answer.status != 200:
            raise RuntimeError(f"webhook answered {answer.status}")
    return (time.perf_counter() - started) * 1000


async def load(webhook: str, app_id: str, events: int, concurrency: int, users: int) -> List[float]:
    bodies = [zalo_webhook.text_event(f"bench-user-{i % users}", SENTENCES[i % len(SENTENCES)], app_id=app_id)
              for i in range(events)]
    queue: asyncio.Queue = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: List[float] = []

    async def client(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            latencies.append(await _post(session, webhook, queue.get_nowait(), app_id))

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    return latencies


def summary(latencies: Sequence[float]) -> Dict[str, Optional[float]]:
    ordered = sorted(latencies)
    return {"n": len(ordered), **{f"p{q}": round(percentile(ordered, q) or 0, 1) for q in (50, 95, 99)},
            "max": round(ordered[-1], 1) if ordered else None}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="default: a throw-away SQLite file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, FakeZaloProcess.start() as fake:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'phananh.db'}"
        asyncio.run(prepare_database(url))
        env = {"TRACKER_SQLITE_PATH": str(Path(tmp) / "tracker.db"), "UPLOAD_DIR": str(Path(tmp) / "uploads"), **fake.env()}
        stack = Stack(url, free_port(), free_port(), free_port(), newest_model(), log_dir=LOG_DIR, extra_env=env)
        stack.start()
        try:
            webhook = f"{stack.rasa_url}/webhooks/zalo/webhook"
            asyncio.run(load(webhook, fake.app_id, 20, 5, 5))  # warm-up: first NLU calls, connections
            time.sleep(5)
            started = time.monotonic()
            latencies = asyncio.run(load(webhook, fake.app_id, args.events, args.concurrency, args.users))
            load_seconds = time.monotonic() - started
            replies = len(fake.state()["delivered"])  # the bot's answers lag behind the acknowledgements
        finally:
            stack.stop()
    result = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
        "database": "sqlite" if not args.database_url else args.database_url.split(":", 1)[0],
        "events": args.events, "concurrency": args.concurrency, "users": args.users,
        "ack_ms": summary(latencies), "load_seconds": round(load_seconds, 2),
        "events_per_second": round(args.events / load_seconds, 1),
        "aim_p99_ms": AIM_P99_MS, "replies_delivered_by_end_of_load": replies,
    }
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    ack = result["ack_ms"]
    print(f"Zalo webhook acknowledgements ({result['database']}): {ack['n']} events, {args.concurrency} concurrent, "
          f"{result['events_per_second']} events/s")
    print(f"  p50 {ack['p50']} ms, p95 {ack['p95']} ms, p99 {ack['p99']} ms, max {ack['max']} ms "
          f"(aim p99 < {AIM_P99_MS:.0f} ms: {'met' if ack['p99'] and ack['p99'] < AIM_P99_MS else 'NOT met'})")
    print(f"Written to {RESULTS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
