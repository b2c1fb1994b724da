"""A citizen talking to the bot over Zalo: signed webhook events in, the fake Zalo's log out."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from tests.helpers import zalo_webhook
from tests.helpers.fake_zalo_process import OA_SECRET_KEY, FakeZaloProcess, buttons_of, text_of, wait_for

SETTLE_SECONDS = 1.0  # replies are done when nothing new arrived for this long


def post_event(rasa_url: str, body: Dict[str, Any], app_id: str, secret: str = OA_SECRET_KEY,
               headers: Dict[str, str] | None = None) -> Tuple[int, Dict[str, Any]]:
    raw, signed_headers = zalo_webhook.signed(body, app_id, secret)
    request = urllib.request.Request(f"{rasa_url}/webhooks/zalo/webhook", raw, {**signed_headers, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@dataclass
class ZaloChat:
    rasa_url: str
    fake: FakeZaloProcess
    user_id: str = field(default_factory=lambda: f"zalo-{uuid.uuid4().hex[:10]}")
    last: List[Dict[str, Any]] = field(default_factory=list)

    def send(self, body: Dict[str, Any], expect_reply: bool = True, timeout: float = 60.0) -> List[Dict[str, Any]]:
        before = len(self.fake.delivered_to(self.user_id))
        status, _ = post_event(self.rasa_url, body, self.fake.app_id)
        assert status == 200, status
        if not expect_reply:
            return []
        wait_for(lambda: len(self.fake.delivered_to(self.user_id)) > before, timeout=timeout)
        count = -1
        while count != len(self.fake.delivered_to(self.user_id)):
            count = len(self.fake.delivered_to(self.user_id))
            time.sleep(SETTLE_SECONDS)
        self.last = self.fake.delivered_to(self.user_id)[before:]
        return self.last

    def say(self, text: str, **kw: Any) -> List[Dict[str, Any]]:
        return self.send(zalo_webhook.text_event(self.user_id, text, app_id=self.fake.app_id), **kw)

    @property
    def text(self) -> str:
        return "\n".join(text_of(m) for m in self.last)

    @property
    def buttons(self) -> Dict[str, str]:
        return {title: payload for m in self.last for title, payload in buttons_of(m)}

    def tap(self, title: str) -> List[Dict[str, Any]]:
        """A tap on an `oa.query.hide` button: Zalo sends its payload back as the user's text."""
        assert title in self.buttons, f"no button {title!r} in {self.last}"
        return self.say(self.buttons[title])
