"""Sample reports for tests: one call gives a stored report, overrides say what differs."""
from __future__ import annotations

import itertools
from dataclasses import replace

from bot import statuses
from bot.storage.db import Database
from bot.storage.reports import ReportDraft, ReportView, submit_report

_keys = itertools.count(1)


def sample_draft(**changes: object) -> ReportDraft:
    n = next(_keys)
    draft = ReportDraft(
        draft_key=f"test-draft-{n}",
        category=statuses.SIDEWALK,
        description="Quán cà phê bày bàn ghế kín vỉa hè",
        citizen_text="quán cf số 12 phố khâm thiên bày bàn ghế hết vỉa hè",
        address_text="12 Khâm Thiên",
        ward_code="00226",
        channel="rest",
        sender_id=f"citizen-{n}",
    )
    return replace(draft, **changes)


async def stored_report(db: Database, **changes: object) -> ReportView:
    return await submit_report(db, sample_draft(**changes))
