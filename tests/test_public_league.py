"""The league table's months, sorting and cache (in-process, with a TTL, one computation at a
time, stale answers while refreshing), on a real database."""
from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.public import league as league_module
from bot.public.league import (
    BAD_MONTH, BAD_ORDER, BAD_SORT, EARLY_MONTH, LeagueCache, Month, default_month, offered_months, parse_month,
    parse_sort,
)
from bot.storage.db import Database
from tests.helpers.public import in_month
from tests.helpers.figures import report
from tests.helpers.staff import WARD_A


def test_months() -> None:
    assert default_month(date(2026, 1, 15)) == Month(2025, 12)
    assert default_month(date(2026, 3, 1)) == Month(2026, 2)
    assert Month(2028, 2).period.first_day == date(2028, 2, 1) and Month(2028, 2).period.last_day == date(2028, 2, 29)
    assert Month(2025, 12).period.last_day == date(2025, 12, 31) and Month(2025, 12).next == Month(2026, 1)
    assert (Month(2025, 10).key, Month(2025, 10).label) == ("2025-10", "tháng 10/2025")
    offered = offered_months(date(2025, 9, 2))
    assert offered == [Month(2025, 9), Month(2025, 8), Month(2025, 7)]  # not before the new wards
    assert len(offered_months(date(2030, 1, 1))) == 24


@pytest.mark.parametrize("text, month, error", [
    (None, Month(2026, 10), None), ("", Month(2026, 10), None), ("2026-03", Month(2026, 3), None),
    (" 2026-11 ", Month(2026, 11), None), ("2026-3", Month(2026, 10), BAD_MONTH), ("2026-00", Month(2026, 10), BAD_MONTH),
    ("2026-12", Month(2026, 10), "chưa đến"), ("2025-06", Month(2026, 10), EARLY_MONTH), ("١٢٣٤-٠٥", Month(2026, 10), BAD_MONTH),
])
def test_parse_month(text: str | None, month: Month, error: str | None) -> None:
    errors: list[str] = []
    assert parse_month(text, date(2026, 11, 20), errors) == month
    assert (errors[0] if errors else None) is None if error is None else error in errors[0]


def test_parse_sort() -> None:
    errors: list[str] = []
    assert (parse_sort(None, None, errors).column.key, parse_sort(None, None, errors).descending) == ("dung_han", True)
    assert parse_sort("thoi_gian", None, errors).descending is False  # shortest first by default
    assert parse_sort("nhan", "tang", errors).descending is False and not errors
    parse_sort("sdt", "ngang", errors)
    assert errors == [BAD_SORT, BAD_ORDER]


async def test_the_cache_computes_once_and_refreshes_in_the_background(db: Database,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    month = Month(2026, 3)
    await report(db, in_month(month, 10), WARD_A, "5 Tôn Đức Thắng", handled_hours=24)
    computed: list[Month] = []
    real = league_module.compute_league

    async def counting(database: Database, asked: Month, now: object = None) -> object:
        computed.append(asked)
        await asyncio.sleep(0.05)  # long enough for the other requests to arrive meanwhile
        return await real(database, asked)

    monkeypatch.setattr(league_module, "compute_league", counting)
    clock = [0.0]
    cache = LeagueCache(db, ttl=300, clock=lambda: clock[0])
    first = await asyncio.gather(*(cache.get(month) for _ in range(5)))
    assert computed == [month] and all(table is first[0] for table in first) and first[0].total.received == 1

    await report(db, in_month(month, 11), WARD_A, "7 Tôn Đức Thắng")
    clock[0] = 299.0
    assert (await cache.get(month)) is first[0] and len(computed) == 1  # fresh: nothing computed
    clock[0] = 301.0
    stale = await cache.get(month)
    await asyncio.sleep(0)  # the refresh starts
    assert stale is first[0] and len(computed) == 2  # stale: answered at once, a new table on its way
    await asyncio.sleep(0.2)
    fresh = await cache.get(month)
    assert fresh.total.received == 2 and len(computed) == 2
    await cache.get(Month(2026, 4))
    assert computed[-1] == Month(2026, 4)  # each month its own table


async def test_parallel_first_attempts_get_exactly_the_limit(db: Database) -> None:
    """Forty parallel attempts on a key nobody used yet: exactly thirty places, none refused
    because a concurrent first attempt created the counter meanwhile."""
    from datetime import timedelta

    from bot.storage.limits import Limit, LimitReached, reserve

    limit = Limit("lookup:ip:192.0.2.1", 30, timedelta(minutes=10))
    results = await asyncio.gather(*(reserve(db, limit) for _ in range(40)), return_exceptions=True)
    assert sum(r is None for r in results) == 30 and sum(isinstance(r, LimitReached) for r in results) == 10
