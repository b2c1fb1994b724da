"""Statuses, labels and the transition table."""
from __future__ import annotations

import yaml

from bot import statuses
from bot.config import PROJECT_ROOT
from bot.intake import INTENT_CATEGORY


def test_every_status_has_labels_and_a_transition_row() -> None:
    for status in statuses.STATUSES:
        assert statuses.citizen_label(status)
        assert statuses.staff_label(status)
        assert status in statuses.TRANSITIONS


def test_citizens_see_one_word_per_status() -> None:
    assert dict(statuses.CITIZEN_LABELS) == {
        "new": "Chờ xử lý", "acknowledged": "Đã tiếp nhận", "in_progress": "Đang xử lý", "handled": "Đã xử lý",
        "rejected": "Từ chối", "duplicate": "Đã gộp"}
    assert len(set(statuses.CITIZEN_LABELS.values())) == len(statuses.STATUSES)


def test_transitions_stay_within_known_statuses() -> None:
    for source, targets in statuses.TRANSITIONS.items():
        assert source not in targets
        assert targets <= set(statuses.STATUSES)


def test_reopen_and_closing() -> None:
    assert statuses.can_transition(statuses.HANDLED, statuses.IN_PROGRESS)
    assert not statuses.can_transition(statuses.REJECTED, statuses.HANDLED)
    assert not statuses.can_transition(statuses.NEW, statuses.NEW)


def test_category_and_priority_labels() -> None:
    assert statuses.category_label(statuses.SIDEWALK) == "Lấn chiếm vỉa hè, lòng đường"
    assert statuses.category_label(statuses.CONSTRUCTION) == "Vi phạm trật tự xây dựng"
    assert set(statuses.PRIORITY_LABELS) == set(statuses.PRIORITIES)


def test_domain_buttons_use_the_category_labels() -> None:
    """Rasa's domain.yml cannot import the labels: its category buttons are held to them here."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    payloads = {f"/{intent}": category for intent, category in INTENT_CATEGORY.items()}
    buttons = [button for variants in domain["responses"].values() for variant in variants
               for button in variant.get("buttons") or () if button["payload"] in payloads]
    assert len(buttons) >= 2 * len(statuses.CATEGORIES)
    assert {(b["payload"], b["title"]) for b in buttons} == {
        (payload, statuses.category_label(category)) for payload, category in payloads.items()}
