"""The system's secrets: from the environment, or generated once into `var/secrets/`.

No secret has a documented default. In development a missing secret is generated on first use
into `var/secrets/<name>` (mode 0600, folder 0700) and reused by every process on this machine,
so `make run` works with nothing to configure and nothing guessable. In production
(`APP_ENV=production`) nothing is generated: every secret must come from the environment and
be strong (`check_strength`), or the servers refuse to start (`bot.config.production_problems`).

Files are created atomically (a complete file or none): several processes starting together
all end up with the same value.
"""
from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping

MIN_CHARS = 32
MIN_DISTINCT_CHARS = 12
# Values that were printed in earlier READMEs or are common placeholders: never accepted in production.
KNOWN_WEAK = frozenset({"phananh-dev-token", "changeme", "change-me", "secret", "password", "token", "<random>"})


@dataclass(frozen=True)
class SecretSpec:
    env: str  # the environment variable
    file: str  # the file under var/secrets/ in development
    purpose: str


RASA_TOKEN = SecretSpec("RASA_TOKEN", "rasa_token", "Rasa's HTTP API (model swaps, trackers)")
ACTION_SERVER_TOKEN = SecretSpec("ACTION_SERVER_TOKEN", "action_server_token", "calls from Rasa to the action server")
LINK_SECRET = SecretSpec("LINK_SECRET", "link_secret", "web-chat identities and signed photo links")
CONSOLE_SECRET_KEY = SecretSpec("CONSOLE_SECRET_KEY", "console_secret_key", "the staff console's session cookie")
REQUIRED = (RASA_TOKEN, ACTION_SERVER_TOKEN, LINK_SECRET, CONSOLE_SECRET_KEY)


class MissingSecret(RuntimeError):
    """Production mode and the secret is not in the environment."""


def weakness(value: str) -> str | None:
    """Why a secret is too weak for production, or None."""
    if value.strip().lower() in KNOWN_WEAK:
        return "a documented or placeholder value"
    if len(value) < MIN_CHARS:
        return f"shorter than {MIN_CHARS} characters"
    if len(set(value)) < MIN_DISTINCT_CHARS:
        return f"fewer than {MIN_DISTINCT_CHARS} different characters"
    return None


def generate() -> str:
    return secrets.token_urlsafe(32)


def _read(path: Path) -> str:
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise ValueError(f"{path} is empty: delete it to generate a new secret")
    return value


def read_or_create(path: Path) -> str:
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(generate() + "\n")
    try:
        os.link(partial, path)  # fails if another process was first: then its value wins
    except FileExistsError:
        pass
    finally:
        partial.unlink(missing_ok=True)
    return _read(path)


class SecretSource:
    """Resolves secrets on first use (so reading settings never writes a file)."""

    def __init__(self, env: Mapping[str, str], directory: Path, production: bool) -> None:
        self._given = {spec.env: env.get(spec.env, "").strip() for spec in REQUIRED}
        self.directory = directory
        self.production = production
        self._cache: Dict[str, str] = {}
        self._lock = threading.Lock()

    def given(self, spec: SecretSpec) -> str:
        """The value set in the environment ("" when unset)."""
        return self._given.get(spec.env, "")

    def __call__(self, spec: SecretSpec) -> str:
        with self._lock:
            if spec.env not in self._cache:
                self._cache[spec.env] = self._resolve(spec)
            return self._cache[spec.env]

    def _resolve(self, spec: SecretSpec) -> str:
        if value := self.given(spec):
            return value
        if self.production:
            raise MissingSecret(f"{spec.env} must be set in production ({spec.purpose})")
        return read_or_create(self.directory / spec.file)
