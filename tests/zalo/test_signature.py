import hashlib
import json

from bot.zalo.signature import sign, verify

APP_ID, KEY = "123456", "oa-secret"
BODY = json.dumps({"app_id": APP_ID, "event_name": "user_send_text", "timestamp": "1700000000000",
                   "sender": {"id": "u1"}, "message": {"text": "Đèn đường hỏng"}}, ensure_ascii=False).encode()


def good() -> str:
    return sign(APP_ID, BODY, "1700000000000", KEY)


def test_sign_is_sha256_of_the_concatenation() -> None:
    expected = hashlib.sha256(APP_ID.encode() + BODY + b"1700000000000" + KEY.encode()).hexdigest()
    assert good() == expected


def test_valid_with_and_without_prefix() -> None:
    assert verify(good(), APP_ID, BODY, KEY)
    assert verify("mac=" + good(), APP_ID, BODY, KEY)
    assert verify(" mac=" + good().upper() + " ", APP_ID, BODY, KEY)


def test_wrong_key_or_app_id() -> None:
    assert not verify(good(), APP_ID, BODY, "other-secret")
    assert not verify(good(), "654321", BODY, KEY)


def test_tampered_body() -> None:
    tampered = BODY.replace("hỏng".encode(), "tốt".encode())
    assert not verify(good(), APP_ID, tampered, KEY)


def test_missing_or_malformed_inputs() -> None:
    assert not verify(None, APP_ID, BODY, KEY)
    assert not verify("", APP_ID, BODY, KEY)
    assert not verify("mac=", APP_ID, BODY, KEY)
    assert not verify("chữ ký", APP_ID, BODY, KEY)
    assert not verify(good(), APP_ID, b"not json", KEY)
    assert not verify(good(), APP_ID, b"[1, 2]", KEY)
    assert not verify(good(), APP_ID, BODY, "")
    no_timestamp = json.dumps({"app_id": APP_ID}).encode()
    assert not verify(sign(APP_ID, no_timestamp, "", KEY), APP_ID, no_timestamp, KEY)


def test_numeric_timestamp_is_read_as_a_string() -> None:
    body = b'{"event_name": "follow", "timestamp": 1700000000000}'
    assert verify(sign(APP_ID, body, "1700000000000", KEY), APP_ID, body, KEY)
