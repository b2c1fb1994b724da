"""The fake Zalo server in a child process, driven over HTTP like the real one would be."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from bot.stack import kill_group

ROOT = Path(__file__).resolve().parents[2]
OA_SECRET_KEY = "fake-oa-secret-key"


@dataclass
class FakeZaloProcess:
    url: str
    app_id: str
    app_secret: str
    access_token: str
    refresh_token: str
    process: subprocess.Popen

    @classmethod
    @contextmanager
    def start(cls) -> Iterator["FakeZaloProcess"]:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.fake_zalo"], cwd=ROOT, stdout=subprocess.PIPE,
            text=True, start_new_session=True,
        )
        try:
            info = json.loads(process.stdout.readline())  # type: ignore[union-attr]
            yield cls(info["url"], info["app_id"], info["app_secret"], info["access_token"], info["refresh_token"], process)
        finally:
            kill_group(process)

    def env(self) -> Dict[str, str]:
        return {
            "ZALO_APP_ID": self.app_id, "ZALO_APP_SECRET": self.app_secret, "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
            "ZALO_API_BASE": self.url, "ZALO_OAUTH_BASE": self.url,
            "ZALO_ACCESS_TOKEN": self.access_token, "ZALO_REFRESH_TOKEN": self.refresh_token,
        }

    def state(self) -> Dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/_fake/state", timeout=10) as answer:
            return json.loads(answer.read())

    def control(self, knob: str, **query: Any) -> None:
        params = "&".join(f"{k}={v}" for k, v in query.items())
        request = urllib.request.Request(f"{self.url}/_fake/{knob}?{params}", data=b"", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def delivered_to(self, user_id: str) -> List[Dict[str, Any]]:
        return [d for d in self.state()["delivered"] if d["recipient"]["user_id"] == user_id]


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, step: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        time.sleep(step)


def text_of(message: Dict[str, Any]) -> str:
    return message["message"].get("text") or ""


def buttons_of(message: Dict[str, Any]) -> List[Tuple[str, str]]:
    payload = ((message["message"].get("attachment") or {}).get("payload") or {})
    return [(b["title"], b["payload"]) for b in payload.get("buttons") or []]


def image_of(message: Dict[str, Any]) -> Optional[str]:
    payload = ((message["message"].get("attachment") or {}).get("payload") or {})
    elements = payload.get("elements") or []
    return elements[0]["url"] if elements else None
