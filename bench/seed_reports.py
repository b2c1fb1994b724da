"""Fill a database with many realistic reports, fast, for benchmarks.

    PYTHONPATH=. .venv/bin/python -m bench.seed_reports --url sqlite:///var/bench/big.db --count 100000

Rows go in with bulk INSERTs of 5,000 (no ORM objects). Reports spread over the past year
and over all 126 wards, with a third of them in one busy ward (00226, the officer's ward in
the console benchmark); statuses, categories, ratings and deadlines vary as in real queues.
"""
from __future__ import annotations

import argparse
import asyncio
import random
from datetime import datetime, timedelta, timezone
from typing import Iterator

from sqlalchemy import create_engine, insert, select

from bot import statuses
from bot.codes import ALPHABET, BODY_LENGTH
from bot.storage.db import sync_url
from bot.storage.models import Report, Ward, search_text_for
from bot.storage.setup import prepare_database

BUSY_WARD = "00226"
BATCH = 5000
STREETS = ["Khâm Thiên", "Tôn Đức Thắng", "Xã Đàn", "Hàng Bông", "Phố Huế", "Bạch Mai", "Giải Phóng", "Láng", "Thái Hà", "Kim Mã"]
WHAT = {
    statuses.SIDEWALK: ["Quán cà phê bày bàn ghế chiếm hết vỉa hè", "Trông giữ xe máy trái phép trên vỉa hè",
                        "Hàng rong họp chợ tràn xuống lòng đường", "Cửa hàng để hàng hóa lấn chiếm vỉa hè"],
    statuses.CONSTRUCTION: ["Nhà xây thêm tầng không phép", "Cơi nới ban công lấn ra ngõ",
                            "Công trình thi công ban đêm gây ồn", "Xây dựng trên đất nông nghiệp"],
}
STATUS_WEIGHTS = {statuses.NEW: 10, statuses.ACKNOWLEDGED: 8, statuses.IN_PROGRESS: 12, statuses.HANDLED: 60,
                  statuses.REJECTED: 7, statuses.DUPLICATE: 3}


def code_for(n: int) -> str:
    digits = []
    for _ in range(BODY_LENGTH):
        n, r = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[r])
    return "PA-" + "".join(reversed(digits))


def rows(count: int, wards: list[str], seed: int, start_number: int) -> Iterator[dict]:
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    status_names, weights = zip(*STATUS_WEIGHTS.items())
    for i in range(count):
        n = start_number + i
        category = rng.choice(statuses.CATEGORIES)
        created = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        status = rng.choices(status_names, weights)[0]
        due = created + timedelta(days=3 if category == statuses.SIDEWALK else 7)
        acknowledged = created + timedelta(hours=rng.uniform(1, 30)) if status != statuses.NEW else None
        handled = created + timedelta(days=rng.uniform(0.5, 12)) if status == statuses.HANDLED else None
        street = rng.choice(STREETS)
        what = rng.choice(WHAT[category])
        address = f"số {rng.randint(1, 300)} phố {street}"
        yield {
            "code": code_for(n), "draft_key": f"bench-{n}", "category": category, "priority": statuses.NORMAL,
            "description": f"{what} tại {address}", "citizen_text": f"{what.lower()} ở {address}",
            "address_text": address,
            "search_text": search_text_for(code_for(n), f"{what} tại {address}", address, f"{what.lower()} ở {address}"),
            "ward_code": BUSY_WARD if rng.random() < 0.33 else rng.choice(wards),
            "channel": rng.choice(["zalo", "socketio"]), "sender_id": f"bench-citizen-{rng.randint(1, 30000)}",
            "phone": None, "anonymous": rng.random() < 0.3, "status": status,
            "created_at": created, "updated_at": handled or acknowledged or created, "due_at": due,
            "acknowledged_at": acknowledged, "handled_at": handled,
            "satisfaction": rng.choice(["satisfied", "acceptable", "unsatisfied", None, None]) if handled else None,
            "reopen_count": 0,
        }


def seed(url: str, count: int, seed_value: int = 7) -> int:
    """Add `count` reports; returns how many reports the database holds afterwards."""
    asyncio.run(prepare_database(url))
    engine = create_engine(sync_url(url), future=True)
    try:
        with engine.begin() as connection:
            wards = list(connection.scalars(select(Ward.code)))
            start = connection.execute(select(Report.id).order_by(Report.id.desc()).limit(1)).scalar() or 0
        batch: list[dict] = []
        for row in rows(count, wards, seed_value, start + 1):
            batch.append(row)
            if len(batch) == BATCH:
                with engine.begin() as connection:
                    connection.execute(insert(Report), batch)
                batch = []
        if batch:
            with engine.begin() as connection:
                connection.execute(insert(Report), batch)
        with engine.connect() as connection:
            return connection.execute(select(Report.id).order_by(Report.id.desc()).limit(1)).scalar() or 0
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    print(f"{seed(args.url, args.count)} reports in {args.url}")


if __name__ == "__main__":
    main()
