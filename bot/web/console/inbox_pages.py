"""The admins' NLU inbox: messages the bot may have misunderstood, labelled into training data
or discarded (`bot.review`). Pages under /console/review, JSON under /api/staff/review."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from bot import messages_vi
from bot.review import inbox, labels
from bot.staff import access
from bot.staff.errors import ActionRefused
from bot.storage.models import utcnow
from bot.web.console.context import INBOX_KEY, current_staff, modelops_settings
from bot.web.console.inputs import request_fields, text_field
from bot.web.console.render import after_form, json_response, page

routes = web.RouteTableDef()

HOME = "/console/review"
DAYS = 30
REASON_LABELS = {inbox.FALLBACK: "Bot phải hỏi lại", inbox.LOW_CONFIDENCE: "Độ tin cậy thấp",
                 inbox.DENIED: "Người dân nói “không phải”"}
ENTITY_LABELS = {"ward": "Phường, xã", "district": "Quận, huyện cũ", "street": "Đường, phố",
                 "house_number": "Số nhà, ngõ, ngách", "landmark": "Địa danh gần đó"}
LABELLED = "Đã lưu nhãn “{intent}” cho tin nhắn. Mô hình sẽ học khi được huấn luyện lại."
ALREADY_KNOWN = "Câu này đã có trong dữ liệu huấn luyện (ý định “{intent}”), không thêm lần nữa."
DISCARDED = "Đã bỏ qua {count} tin nhắn; chúng sẽ không hiện lại trong hộp thư."
NO_TEXT = "Thiếu nội dung tin nhắn."


def intent_choices(domain: Path) -> list[tuple[str, str]]:
    """(intent, Vietnamese description) for every intent an admin may pick."""
    known = labels.known_intents(domain)
    described = [(name, text) for name, text in messages_vi.INTENT_DESCRIPTIONS.items() if name in known]
    rest = sorted(known - {name for name, _ in described})
    return described + [(name, name) for name in rest]


async def _groups(request: web.Request) -> list[inbox.ReviewGroup]:
    settings = modelops_settings(request)
    threshold = await asyncio.to_thread(inbox.fallback_threshold, settings.config_file)
    return await request.app[INBOX_KEY].groups(since=utcnow() - timedelta(days=DAYS), nlu_dir=settings.nlu_dir,
                                               threshold=threshold)


@routes.get(HOME)
async def review_page(request: web.Request) -> web.Response:
    access.require_admin(current_staff(request))
    return await page(request, "review.html", groups=await _groups(request), days=DAYS,
                      reason_labels=REASON_LABELS, intents=intent_choices(modelops_settings(request).domain_file), entity_labels=ENTITY_LABELS)


@routes.get("/api/staff/review")
async def review_json(request: web.Request) -> web.Response:
    access.require_admin(current_staff(request))
    return json_response({"groups": [{"text": g.text, "messages": g.messages} for g in await _groups(request)]})


async def _label(request: web.Request) -> str:
    access.require_admin(current_staff(request))
    fields = await request_fields(request)
    text, example = text_field(fields, "text"), text_field(fields, "example")
    if not text:
        raise ActionRefused(NO_TEXT)
    settings = modelops_settings(request)
    nlu_dir = settings.nlu_dir
    try:
        plain, entities = labels.parse_markup(example or text, text)
        done = await asyncio.to_thread(labels.label, plain, text_field(fields, "intent"), entities, nlu_dir=nlu_dir,
                                       domain=settings.domain_file)
    except ValueError as error:
        raise ActionRefused(str(error)) from None
    look_alikes = [t for t in _list(fields, "similar") if t != text]
    if look_alikes:  # one verdict for the group: the look-alikes leave the inbox too
        await asyncio.to_thread(labels.discard, *look_alikes, nlu_dir=nlu_dir)
    return (LABELLED if done.added else ALREADY_KNOWN).format(intent=done.intent)


async def _discard(request: web.Request) -> str:
    access.require_admin(current_staff(request))
    texts = [t for t in _list(await request_fields(request), "text") if t.strip()]
    if not texts:
        raise ActionRefused(NO_TEXT)
    await asyncio.to_thread(labels.discard, *texts, nlu_dir=modelops_settings(request).nlu_dir)
    return DISCARDED.format(count=len(texts))


def _list(fields: object, name: str) -> list[str]:
    if hasattr(fields, "getall"):
        return [v for v in fields.getall(name, []) if isinstance(v, str)]
    value = fields.get(name) if isinstance(fields, dict) else None
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]


@routes.post(HOME + "/label")
async def label_form(request: web.Request) -> web.Response:
    return await after_form(request, HOME, _label(request), (ActionRefused,))


@routes.post(HOME + "/discard")
async def discard_form(request: web.Request) -> web.Response:
    return await after_form(request, HOME, _discard(request), (ActionRefused,))


@routes.post("/api/staff/review/label")
async def label_json(request: web.Request) -> web.Response:
    return json_response({"message": await _label(request)})


@routes.post("/api/staff/review/discard")
async def discard_json(request: web.Request) -> web.Response:
    return json_response({"message": await _discard(request)})
