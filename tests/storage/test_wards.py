"""Ward seeding (upsert) and lookup."""
from __future__ import annotations

from dataclasses import replace

from bot.storage.db import Database
from bot.storage.wards import WardRow, get_ward, seed_wards
from tests.helpers.db import SAMPLE_WARDS


async def test_seeded_ward_can_be_read_back(db: Database) -> None:
    ward = await get_ward(db, "00229")
    assert ward == SAMPLE_WARDS[1]


async def test_unknown_ward_is_none(db: Database) -> None:
    assert await get_ward(db, "99999") is None


async def test_seeding_again_updates_and_inserts(db: Database) -> None:
    renamed = replace(SAMPLE_WARDS[0], short_name="VMQTG", active=False)
    new = WardRow("09999", "Xã Thử Nghiệm", "Thử Nghiệm", "xa")
    assert await seed_wards(db, [renamed, new]) == 2
    assert await get_ward(db, renamed.code) == renamed
    assert await get_ward(db, new.code) == new


async def test_seeding_many_wards_in_batches(db: Database) -> None:
    rows = [WardRow(f"1{i:04d}", f"Xã Số {i}", f"Số {i}", "xa", 21.0, 105.8) for i in range(250)]
    assert await seed_wards(db, rows) == 250
    assert await get_ward(db, "10249") == rows[-1]
