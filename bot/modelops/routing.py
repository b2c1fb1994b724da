"""What a model and the resolver make of a text: its intent, category, ward and address
(`python -m bot route`, the held-out evaluation, the fallback tuning)."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List

from bot.intake import category_for
from bot.resolver import Resolution, resolve_text

FALLBACK_INTENT = "nlu_fallback"


def top_intent(parsed: Dict[str, Any]) -> Dict[str, Any]:
    """The model's best real intent; when FallbackClassifier fired it is the first in the ranking."""
    intent = parsed.get("intent") or {}
    if intent.get("name") != FALLBACK_INTENT:
        return intent
    ranked = [i for i in parsed.get("intent_ranking") or [] if i.get("name") != FALLBACK_INTENT]
    return ranked[0] if ranked else intent


def route_result(text: str, parsed: Dict[str, Any]) -> Dict[str, Any]:
    """`intent` is the model's best guess; `fallback` says the bot would ask to confirm it first."""
    intent = top_intent(parsed)
    carried = parsed.get("address")  # the model's address parser (bot.nlu.address) already decided
    resolution = Resolution.from_dict(carried) if isinstance(carried, dict) and carried else resolve_text(text)
    return {
        "text": text,
        "intent": intent.get("name"),
        "intent_confidence": round(float(intent.get("confidence") or 0.0), 4),
        "fallback": (parsed.get("intent") or {}).get("name") == FALLBACK_INTENT,
        "category": category_for(intent.get("name"), text),
        "entities": [{"entity": e.get("entity"), "value": e.get("value")} for e in parsed.get("entities") or []],
        "route": {
            "status": resolution.status,
            "reason": resolution.reason,
            "ward_code": resolution.ward_code,
            "ward_name": resolution.ward_name,
            "candidates": [{"ward_code": c.ward_code, "ward_name": c.ward_name} for c in resolution.candidates],
        },
        "address": resolution.address.to_dict(),
        "address_text": resolution.address.display(resolution.ward_name or ""),
    }


async def route_texts(agent: Any, texts: Iterable[str]) -> List[Dict[str, Any]]:
    return [route_result(text, await agent.parse_message(text)) for text in texts]
