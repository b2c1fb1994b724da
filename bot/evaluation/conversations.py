"""A goal-driven simulated citizen: whole conversations over REST against the running system.

Each goal (tests/fixtures/conversation_goals.jsonl, written apart from the training data) says
what the citizen wants and how they talk: the opener, their answers, the details and corrections
they send in the middle of other steps, photos, and how they confirm the summary. The simulator
reads what the bot asks from its replies, answers like the citizen would, then checks the stored
report in the database. `strict` (the default) never rescues a typed confirmation with the button.

    python -m bot eval-conversations [--goals FILE] [--lenient] [--show-failures]

(the command, which starts the whole system on a scratch database, is `bot.cli.conversations`)
"""
from __future__ import annotations

import asyncio
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp
from sqlalchemy import select

from bot import statuses
from bot.config import PROJECT_ROOT
from bot.intake import INTENT_CATEGORY
from bot.media.links import photo_url
from bot.text import fold, normalize

GOALS = PROJECT_ROOT / "tests" / "fixtures" / "conversation_goals.jsonl"
CODE = re.compile(r"ghi nhận với mã (PA-[2-9A-HJ-NP-Z]{6})")
ANY_CODE = re.compile(r"PA-[2-9A-HJ-NP-Z]{6}")
MAX_TURNS = 30
CATEGORY_INTENT = {category: intent for intent, category in INTENT_CATEGORY.items()}
STEP_CUES = (  # (step, words of the bot's question); the first that matches wins
    ("location_detail", "số nhà, tên ngõ, phố hoặc một điểm mốc"),
    ("description", "mô tả"),
    ("photo", "ảnh chụp hiện trường"),
    ("location", "ở đâu"),
    ("location", "chưa xác định được phường"),
    ("location", "cho mình biết thêm phường"),
    ("location", "nằm ngoài thành phố"),
    ("location", "tên phố, số nhà hoặc một điểm mốc"),
    ("reopen_reason", "hiện trạng còn vi phạm"),
)


@dataclass
class Services:
    rasa_url: str
    database_url: str
    public_base_url: str


@dataclass
class Outcome:
    goal: Dict[str, Any]
    success: bool = False
    wrong_ward: bool = False
    details_kept: Optional[bool] = None
    corrections_applied: Optional[bool] = None
    typed_confirmation: Optional[bool] = None
    photos_kept: Optional[bool] = None
    problems: List[str] = field(default_factory=list)
    transcript: List[str] = field(default_factory=list)


def folded(text: str) -> str:
    return " ".join(fold(normalize(text)).split())


def step_of(messages: List[Dict[str, Any]]) -> str:
    """What the bot's latest replies ask for."""
    text = "\n".join(m.get("text") or "" for m in messages)
    payloads = [b.get("payload", "") for m in messages for b in m.get("buttons") or []]
    titles = [b.get("title", "") for m in messages for b in m.get("buttons") or []]
    if CODE.search(text):
        return "done"
    if "Gửi phản ánh" in titles:
        return "confirm"
    if "Đúng vậy" in titles:
        return "fallback"
    if any(p.startswith('/inform{"ward_code"') for p in payloads):
        return "candidates"
    if any(p.startswith("/reopen_report{") for p in payloads):
        return "reopen_choice"
    if "Ẩn danh" in titles:
        return "contact"
    for step, cue in STEP_CUES:
        if cue in text:
            return step
    if "/report_sidewalk" in payloads:
        return "category"
    return "other"


class Citizen:
    """One simulated citizen talking to the bot over REST."""

    def __init__(self, http: aiohttp.ClientSession, services: Services, db: Any) -> None:
        self.http, self.services, self.db = http, services, db
        self.sender = f"sim-{uuid.uuid4().hex[:12]}"
        self.last: List[Dict[str, Any]] = []
        self.transcript: List[str] = []

    async def say(self, text: str) -> List[Dict[str, Any]]:
        self.transcript.append(f"> {text}")
        async with self.http.post(f"{self.services.rasa_url}/webhooks/rest/webhook",
                                  json={"sender": self.sender, "message": text}) as answer:
            answer.raise_for_status()
            self.last = await answer.json()
        for m in self.last:
            buttons = " ".join(f"[{b.get('title')}]" for b in m.get("buttons") or [])
            self.transcript.append(f"< {m.get('text') or ''} {buttons}".rstrip())
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.last)

    def button(self, title: str) -> Optional[str]:
        for m in self.last:
            for b in m.get("buttons") or []:
                if folded(b.get("title", "")) == folded(title):
                    return b.get("payload")
        return None

    async def send_photo(self) -> None:
        """A photo as the web chat sends one: uploaded by this citizen, then its link."""
        from bot.storage.uploads import record_upload

        name = f"{secrets.token_hex(16)}.jpg"
        await record_upload(self.db, name, self.sender, "127.0.0.1")
        await self.say('/inform{"photo_url": "%s"}' % photo_url(self.services.public_base_url, name))


async def _report(db: Any, code: str) -> Optional[Dict[str, Any]]:
    from bot.storage.models import Attachment, Report, Ward

    async with db.session() as session:
        row = (await session.execute(
            select(Report, Ward.name).join(Ward, Ward.code == Report.ward_code).where(Report.code == code))).first()
        if row is None:
            return None
        report, ward = row
        photos = len((await session.execute(select(Attachment.id).where(Attachment.report_id == report.id))).all())
        return {"ward": ward, "category": report.category, "description": report.description or "",
                "address": report.address_text or "", "photos": photos, "status": report.status,
                "uncertain": bool(getattr(report, "ward_candidates", None))}


async def confirm_fallback(citizen: Citizen, *wanted: str) -> None:
    """"Có phải bạn muốn …?": yes if the bot guessed what the citizen means, else no."""
    from bot.messages_vi import INTENT_DESCRIPTIONS

    right = any(INTENT_DESCRIPTIONS.get(intent, "\0") in citizen.text for intent in wanted)
    await citizen.say(citizen.button("Đúng vậy" if right else "Không phải") or "")


async def _answer(citizen: Citizen, goal: Dict[str, Any], step: str, seen: Dict[str, int], strict: bool,
                  outcome: Outcome) -> bool:
    """Answer the bot's question; False when the citizen has nothing sensible to say."""
    answers = goal.get("answers") or {}
    expect = goal.get("expect") or {}
    count = seen.get(step, 0)
    if step == "fallback":
        await confirm_fallback(citizen, CATEGORY_INTENT.get(expect.get("category") or "", "inform"), "inform",
                               "ask_capabilities")
    elif step == "category":
        if count >= 2:
            return False
        await citizen.say(f"/{CATEGORY_INTENT.get(expect.get('category') or '', 'report_construction')}")
    elif step == "location":
        if count >= 2 or not answers.get("location"):
            return False
        await citizen.say(answers["location"] if count == 0 else answers.get("location_detail") or answers["location"])
    elif step == "candidates":
        if answers.get("location") and not seen.get("location"):  # the address they meant to give
            seen["location"] = 1
            await citizen.say(answers["location"])
            return True
        choice = answers.get("ward_choice") or expect.get("ward") or ""
        payload = citizen.button(choice)
        if count >= 3:
            return False
        await citizen.say(payload or choice)
    elif step == "location_detail":
        await citizen.say(answers.get("location_detail") or "bỏ qua")
    elif step == "description":
        if count >= 2:
            return False
        await citizen.say(answers.get("description") or "họ lấn chiếm suốt cả ngày, rất mất trật tự")
    elif step == "photo":
        photos = int(answers.get("photos") or 0)
        if photos and count == 0:
            for _ in range(photos):
                await citizen.send_photo()
        elif count >= 2:
            return False
        else:
            await citizen.say("không có ảnh")
    elif step == "contact":
        if count >= 2:
            return False
        await citizen.say(answers.get("contact") or "ẩn danh")
    elif step == "confirm":
        photos = int(answers.get("photos") or 0)
        if count == 0 and photos and not seen.get("photo"):  # never asked (a photo came earlier): sent now
            seen["photo"] = 1
            for _ in range(photos):
                await citizen.send_photo()
            return True
        if count == 0:
            await citizen.say(goal.get("confirm") or "gửi")
            outcome.typed_confirmation = step_of(citizen.last) == "done"
        elif strict or count >= 3:  # strict: a typed confirmation is never rescued by the button
            return False
        else:
            await citizen.say(citizen.button("Gửi phản ánh") or "/affirm")
    else:
        return False
    seen[step] = count + 1
    return True


async def run_report(citizen: Citizen, goal: Dict[str, Any], strict: bool) -> Outcome:
    outcome = Outcome(goal)
    inserts = list(goal.get("inserts") or [])
    seen: Dict[str, int] = {}
    await citizen.say(goal["opener"])
    interrupted: List[str] = []
    for _ in range(MAX_TURNS):
        step = step_of(citizen.last)
        if step == "done":
            break
        owed = [x for x in interrupted if x != step and not seen.get(x)]
        if owed:  # the citizen still sends what they meant to say at a step the bot moved past
            interrupted.remove(owed[0])
            await _answer(citizen, goal, owed[0], seen, strict, outcome)
            continue
        due = [i for i in inserts if i.get("at") == {"candidates": "location"}.get(step, step)]
        if due:
            insert = due[0]
            inserts.remove(insert)
            if step in ("description", "photo") and step not in interrupted:
                interrupted.append(step)
            if insert.get("kind") == "photo":
                await citizen.send_photo()
            else:
                await citizen.say(insert["say"])
            continue
        if not await _answer(citizen, goal, step, seen, strict, outcome):
            outcome.problems.append(f"stuck at {step}")
            break
    match = CODE.search(citizen.text)
    if not match:
        outcome.problems.append("no report code")
        return outcome
    report = await _report(citizen.db, match.group(1))
    if report is None:
        outcome.problems.append("report code given but nothing stored")
        return outcome
    return judge(outcome, report)


def judge(outcome: Outcome, report: Dict[str, Any]) -> Outcome:
    goal, expect = outcome.goal, outcome.goal.get("expect") or {}
    ward_ok = folded(report["ward"]) == folded(expect.get("ward", ""))
    category_ok = report["category"] == expect.get("category")
    outcome.wrong_ward = not ward_ok and not expect.get("uncertain")
    if not ward_ok:
        outcome.problems.append(f"ward {report['ward']!r}, expected {expect.get('ward')!r}")
    if not category_ok:
        outcome.problems.append(f"category {report['category']}, expected {expect.get('category')}")
    missing = [d for d in expect.get("details") or [] if folded(d) not in folded(report["description"])]
    outcome.details_kept = not missing if expect.get("details") else None
    if missing:
        outcome.problems.append(f"details lost: {missing} (stored {report['description']!r})")
    lost = [a for a in expect.get("address") or [] if folded(a) not in folded(report["address"])]
    if lost:
        outcome.problems.append(f"address parts lost: {lost} (stored {report['address']!r})")
    if any(i.get("kind") in ("location_correction", "category_correction") for i in goal.get("inserts") or []):
        outcome.corrections_applied = ward_ok and category_ok
    if "photos" in expect:
        outcome.photos_kept = report["photos"] == expect["photos"]
        if not outcome.photos_kept:
            outcome.problems.append(f"{report['photos']} photos stored, expected {expect['photos']}")
    if expect.get("uncertain") and not report["uncertain"]:
        outcome.problems.append("ward not marked uncertain")
    outcome.success = ward_ok and category_ok and not missing and not lost and \
        outcome.photos_kept is not False and (report["uncertain"] == bool(expect.get("uncertain")))
    return outcome


async def handled_report(citizen: Citizen) -> str:
    """A report of this citizen, already handled by its ward (for status and reopen goals)."""
    from bot.storage.reports import ReportDraft, change_status, submit_report

    draft = ReportDraft(draft_key=uuid.uuid4().hex, category=statuses.SIDEWALK,
                        description="Quán bày bàn ghế ra vỉa hè",
                        citizen_text="Quán bày bàn ghế ra vỉa hè", address_text="Số 12 phố Hàng Bông",
                        ward_code="00070", channel="rest", sender_id=citizen.sender)
    report = await submit_report(citizen.db, draft)
    await change_status(citizen.db, report.code, statuses.HANDLED, "staff", note="Đã yêu cầu dọn bàn ghế")
    return report.code


async def run_followup(citizen: Citizen, goal: Dict[str, Any]) -> Outcome:
    """"status" and "reopen" goals: a handled report, then the citizen's messages about it."""
    outcome = Outcome(goal)
    code = await handled_report(citizen)
    for text in goal.get("say") or []:
        await citizen.say(text.replace("{code}", code))
    for _ in range(4):
        step = step_of(citizen.last)
        if step == "reopen_choice":
            await citizen.say(citizen.button(next(b["title"] for m in citizen.last for b in m.get("buttons") or []
                                                  if code in b.get("title", ""))) or "")
        elif step == "reopen_reason":
            await citizen.say(goal.get("reason") or "quán vẫn bày bàn ghế như cũ")
        elif step == "fallback":
            await confirm_fallback(citizen, "reopen_report" if goal["kind"] == "reopen" else "check_status")
        else:
            break
    report = await _report(citizen.db, code)
    reopened = report is not None and report["status"] == statuses.IN_PROGRESS
    wanted = bool((goal.get("expect") or {}).get("reopened"))
    outcome.success = reopened == wanted
    if not outcome.success:
        outcome.problems.append("reopened" if reopened else "not reopened")
    if goal["kind"] == "status" and code not in citizen.text and not ANY_CODE.search(citizen.text):
        outcome.success = False
        outcome.problems.append("the status answer names no report")
    return outcome


async def run_not_ours(citizen: Citizen, goal: Dict[str, Any]) -> Outcome:
    outcome = Outcome(goal)
    for text in goal.get("say") or []:
        await citizen.say(text)
    step = step_of(citizen.last)
    if step == "fallback":
        await confirm_fallback(citizen, "report_other", "out_of_scope")
        step = step_of(citizen.last)
    started = step in ("location", "description", "photo", "contact", "confirm", "candidates", "category")
    outcome.success = not started
    if started:
        outcome.problems.append(f"a report was started (bot asks {step})")
    return outcome


async def simulate(goal: Dict[str, Any], services: Services, http: aiohttp.ClientSession, db: Any,
                   strict: bool = True) -> Outcome:
    citizen = Citizen(http, services, db)
    kind = goal.get("kind", "report")
    try:
        if kind == "report":
            outcome = await run_report(citizen, goal, strict)
        elif kind in ("status", "reopen"):
            outcome = await run_followup(citizen, goal)
        else:
            outcome = await run_not_ours(citizen, goal)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        outcome = Outcome(goal, problems=[f"HTTP error: {error}"])
    outcome.transcript = citizen.transcript
    return outcome


@dataclass
class Figures:
    outcomes: List[Outcome]

    @staticmethod
    def _share(values: List[Optional[bool]]) -> Optional[float]:
        known = [v for v in values if v is not None]
        return sum(known) / len(known) if known else None

    def as_dict(self) -> Dict[str, Any]:
        o = self.outcomes
        return {
            "goals": len(o),
            "task_success": self._share([x.success for x in o]),
            "wrong_ward_commits": sum(x.wrong_ward for x in o),
            "details_kept": self._share([x.details_kept for x in o]),
            "corrections_applied": self._share([x.corrections_applied for x in o]),
            "typed_confirmations": self._share([x.typed_confirmation for x in o]),
            "photos_kept": self._share([x.photos_kept for x in o]),
            "by_kind": {kind: self._share([x.success for x in o if x.goal.get("kind", "report") == kind])
                        for kind in sorted({x.goal.get("kind", "report") for x in o})},
        }


def load_goals(path: Path = GOALS) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def run_goals(goals: List[Dict[str, Any]], services: Services, strict: bool = True,
                    concurrency: int = 4) -> Figures:
    from bot.storage.db import Database

    db = Database(services.database_url)
    limit = asyncio.Semaphore(concurrency)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
            async def one(goal: Dict[str, Any]) -> Outcome:
                async with limit:
                    return await simulate(goal, services, http, db, strict)
            return Figures(list(await asyncio.gather(*(one(g) for g in goals))))
    finally:
        await db.dispose()


def print_figures(figures: Figures, show_failures: bool) -> None:
    print(json.dumps(figures.as_dict(), ensure_ascii=False, indent=2))
    for outcome in figures.outcomes:
        if outcome.success and outcome.typed_confirmation is not False:
            continue
        print(f"\n--- {outcome.goal.get('id')}: {'; '.join(outcome.problems) or 'typed confirmation not understood'}")
        if show_failures:
            print("\n".join(outcome.transcript))
