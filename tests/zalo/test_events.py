import dataclasses

import pytest

from bot.zalo.events import BadEvent, is_message, parse_event
from tests.helpers import zalo_webhook as hooks


def test_text() -> None:
    event = parse_event(hooks.text_event("u1", "Ổ gà ở đường Láng"))
    assert event.name == "user_send_text" and event.is_message
    assert event.user_id == "u1" and event.text == "Ổ gà ở đường Láng"
    assert event.msg_id and event.msg_id.startswith("zmsg-")
    assert event.timestamp_ms > 1_600_000_000_000
    assert event.image_urls == () and not event.has_location
    assert event.oa_id == "fake-oa-id"


def test_image_with_caption() -> None:
    event = parse_event(hooks.image_event("u1", "https://x/1.jpg", "https://x/2.jpg", caption="rác"))
    assert event.image_urls == ("https://x/1.jpg", "https://x/2.jpg")
    assert event.text == "rác"


def test_location_with_string_coordinates() -> None:
    event = parse_event(hooks.location_event("u1", "21.0285", "105.8542"))
    assert event.has_location
    assert (event.latitude, event.longitude) == (21.0285, 105.8542)


@pytest.mark.parametrize("latitude, longitude", [("abc", "105"), ("91", "105"), ("21", "nan"), (None, "1")])
def test_bad_coordinates_are_dropped(latitude: object, longitude: object) -> None:
    body = hooks.location_event("u1", 0, 0)
    body["message"]["attachments"][0]["payload"]["coordinates"] = {"latitude": latitude, "longitude": longitude}
    event = parse_event(body)
    assert event.latitude is None and event.longitude is None


def test_follow_and_unfollow() -> None:
    follow = parse_event(hooks.follow_event("u9"))
    assert follow.is_follow and not follow.is_message
    assert follow.user_id == "u9" and follow.msg_id is None and follow.oa_id == "fake-oa-id"
    assert parse_event(hooks.follow_event("u9", unfollow=True)).is_unfollow


def test_sticker() -> None:
    body = hooks.message_event("user_send_sticker", "u1", attachments=[
        {"type": "sticker", "payload": {"id": "abc", "url": "https://x/sticker.png"}}])
    event = parse_event(body)
    assert event.is_message and event.text is None and event.image_urls == ()


def test_missing_and_odd_fields_are_tolerated() -> None:
    event = parse_event({"event_name": "user_send_text", "sender": {"id": 42}, "timestamp": "soon",
                         "message": {"text": 5, "attachments": "none"}})
    assert event.user_id == "42" and event.timestamp_ms == 0 and event.text is None
    assert event.msg_id is None and event.image_urls == () and event.oa_id is None


@pytest.mark.parametrize("body", [None, [], "text", {}, {"event_name": "user_send_text"},
                                  {"event_name": "", "sender": {"id": "u1"}},
                                  {"event_name": "follow", "follower": {}}, {"sender": {"id": "u1"}}])
def test_garbage_raises_bad_event(body: object) -> None:
    with pytest.raises(BadEvent):
        parse_event(body)


def test_event_is_frozen_and_predicate() -> None:
    event = parse_event(hooks.text_event("u1", "a"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.text = "b"  # type: ignore[misc]
    assert is_message("user_send_gif") and not is_message("oa_send_text")
