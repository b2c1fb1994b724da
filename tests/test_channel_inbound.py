"""What every channel does before Rasa sees a message, identities, and client addresses."""
from __future__ import annotations

import ipaddress
from datetime import timedelta
from types import SimpleNamespace

import pytest

from bot import identity
from bot.channels.inbound import bound_message, clean_text, safe_payload
from bot.media.links import signed_link, upload_name, valid_signature
from bot.web.client_ip import client_ip
from bot.zalo.events import ZaloEvent
from bot.zalo.inbound import within_window
from bot.storage.models import utcnow


def test_messages_are_cut_on_characters_with_no_lone_surrogate() -> None:
    assert bound_message("xin chào", 2000).text == "xin chào"
    text = "vỉa hè " * 1000
    cut = bound_message(text, 2000)
    assert cut.cut and len(cut.text) <= 2000 and not cut.text.endswith(" ")
    emoji = "🙂" * 3000  # astral characters: one character, two UTF-16 units
    assert len(bound_message(emoji, 2000).text) == 2000
    assert clean_text("a\ud800b\udfffc") == "abc" and clean_text(None) == "" and clean_text(5) == ""
    assert clean_text("hoa\u0300") == "hoà"  # NFC


@pytest.mark.parametrize("given, expected", [
    ('/inform{"latitude": 21.0, "longitude": 105.8}', '/inform{"latitude": 21.0, "longitude": 105.8}'),
    ('/inform{"a": {"b": 1}}', "/inform"),
    ("/inform" + "[" * 5000, "/inform"),
    ('/inform{"x": "' + "y" * 600 + '"}', "/inform"),
    ('/greet@0.99{"a": 1}', "/greet"),
    ("/restart", "/restart"),
    ("/inform abc", "/inform abc"),
    ("không phải payload", "không phải payload"),
])
def test_payloads_keep_only_small_flat_entities(given: str, expected: str) -> None:
    assert safe_payload(given) == expected


def test_identities_and_their_conversations() -> None:
    secret = "s" * 40
    me = identity.new_citizen(secret)
    assert identity.verified(secret, me.id, me.key) == me.id
    tampered = me.key[:-1] + ("B" if me.key.endswith("A") else "A")  # "…A" + "A" was the key itself 1 time in 64
    assert identity.verified(secret, me.id, tampered) is None
    assert identity.verified("other-secret-" * 3, me.id, me.key) is None
    assert identity.verified(secret, None, me.key) is None and identity.verified(secret, "<x>", me.key) is None
    conversation = identity.new_conversation_id(me.id)
    assert identity.conversation_of(me.id, conversation) == conversation
    other = identity.new_citizen(secret)
    assert identity.conversation_of(other.id, conversation) is None
    assert identity.citizen_of("socketio", conversation) == me.id
    assert identity.citizen_of("rest", conversation) == conversation
    assert identity.citizen_of("socketio", "0123456789abcdef0123456789abcdef") == "0123456789abcdef0123456789abcdef"


def test_photo_links_are_ours_signed_and_expiring() -> None:
    base, secret = "https://phananh.example", "k" * 40
    name = "0" * 32 + ".jpg"
    assert upload_name(f"{base}/uploads/{name}", base) == name
    for foreign in (f"https://evil.example/uploads/{name}", "javascript:alert(1)", f"{base}/uploads/../x.jpg",
                    f"{base}/static/{name}", 42, None):
        assert upload_name(foreign, base) is None
    link = signed_link(f"{base}/uploads/{name}", base, secret, ttl=60, now=1000)
    expires, signature = link.split("?e=")[1].split("&s=")
    assert valid_signature(secret, name, expires, signature, now=1000)
    assert not valid_signature(secret, name, expires, signature, now=2000)  # expired
    assert not valid_signature(secret, "1" * 32 + ".jpg", expires, signature, now=1000)
    assert signed_link("https://evil.example/x.png", base, secret) == "https://evil.example/x.png"


def _request(remote: str, *forwarded: str) -> SimpleNamespace:
    from multidict import CIMultiDict

    return SimpleNamespace(remote=remote, headers=CIMultiDict(("X-Forwarded-For", f) for f in forwarded))


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    proxies = (ipaddress.ip_network("10.0.0.0/8"),)
    assert client_ip(_request("10.0.0.5", "198.51.100.7"), proxies) == "198.51.100.7"  # type: ignore[arg-type]
    assert client_ip(_request("10.0.0.5", "6.6.6.6, 198.51.100.7, 10.0.0.9"), proxies) == "198.51.100.7"  # type: ignore[arg-type]
    assert client_ip(_request("203.0.113.1", "198.51.100.7"), proxies) == "203.0.113.1"  # type: ignore[arg-type]
    assert client_ip(_request("10.0.0.5", "not-an-ip"), proxies) == "10.0.0.5"  # type: ignore[arg-type]
    assert client_ip(_request("10.0.0.5", "198.51.100.7"), ()) == "10.0.0.5"  # type: ignore[arg-type]
    # HAProxy (option forwardfor) appends a header of its own after the one the client wrote
    assert client_ip(_request("10.0.0.5", "6.6.6.6", "198.51.100.7"), proxies) == "198.51.100.7"  # type: ignore[arg-type]


def test_zalo_events_outside_the_window_are_refused() -> None:
    now = utcnow()
    def event(seconds_ago: float) -> ZaloEvent:
        return ZaloEvent("user_send_text", "u1", "m1", int((now.timestamp() - seconds_ago) * 1000))
    window = timedelta(minutes=15)
    assert within_window(event(60), window, now) and within_window(event(-60), window, now)
    assert not within_window(event(400 * 86400), window, now) and not within_window(event(-3600), window, now)
    assert not within_window(ZaloEvent("user_send_text", "u1", "m1", 0), window, now)
