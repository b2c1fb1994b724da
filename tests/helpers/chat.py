"""Talking to a running Rasa server over its REST channel, as a citizen would."""
from __future__ import annotations

import json
import re
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Dict, List

CODE_RE = re.compile(r"PA-[2-9A-HJ-NP-Z]{6}")


@dataclass
class Conversation:
    rasa_url: str
    sender: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:10]}")
    last: List[Dict] = field(default_factory=list)
    token: str = ""  # the REST channel's token (production)
    served_by: str = ""  # behind HAProxy: the Rasa replica that answered last

    def say(self, text: str, timeout: float = 60.0) -> List[Dict]:
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(f"{self.rasa_url}/webhooks/rest/webhook", body, headers)
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            self.last = json.loads(answer.read())
            self.served_by = answer.headers.get("X-Served-By", "")
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.last)

    @property
    def buttons(self) -> Dict[str, str]:
        return {b["title"]: b["payload"] for m in self.last for b in m.get("buttons") or []}

    def click(self, title: str) -> List[Dict]:
        assert title in self.buttons, f"no button {title!r} in {self.last}"
        return self.say(self.buttons[title])

    def code(self) -> str:
        match = CODE_RE.search(self.text)
        assert match, f"no report code in {self.last}"
        return match.group(0)
