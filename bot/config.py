"""Settings read from the environment, with development defaults.

`get_settings()` reads the environment once and caches the result for the life of the
process; tests that change environment variables call `reset_settings()` afterwards.

| variable          | default                                   |
| ----------------- | ----------------------------------------- |
| DATABASE_URL      | sqlite:///<project root>/var/phananh.db    |
| RASA_PORT         | 5005                                      |
| ACTION_PORT       | 5055                                      |
| CONSOLE_PORT      | 8080                                      |
| UPLOAD_DIR        | <project root>/var/uploads                |
| PUBLIC_BASE_URL   | http://localhost:8080                     |
| RASA_TOKEN        | phananh-dev-token                         |
| CONSOLE_SECRET_KEY| (unset: generated once into var/console_secret.key) |
| LOG_LEVEL         | INFO                                      |
| ZALO_APP_ID       | (unset: the Zalo channel is off)          |
| ZALO_APP_SECRET, ZALO_OA_SECRET_KEY | (required with ZALO_APP_ID) |
| ZALO_API_BASE     | https://openapi.zalo.me                   |
| ZALO_OAUTH_BASE   | https://oauth.zaloapp.com                 |
| ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN | initial tokens, used once when the database has none |
| MODELS_DIR        | <project root>/models                     |
| TRAINING_DATA_DIR, TRAINING_CONFIG, TRAINING_DOMAIN | data/, config.yml, domain.yml |
| HELDOUT_CASES     | <project root>/eval/heldout.jsonl         |
| RASA_INTERNAL_URLS| http://127.0.0.1:$RASA_PORT (comma-separated: every Rasa replica) |
| MODEL_TOLERANCE   | 0.01                                      |

Folders are not created here: the storage layer creates a SQLite file's folder when it
opens or migrates the database, and whoever writes uploads creates UPLOAD_DIR.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"


@dataclass(frozen=True)
class ZaloSettings:
    app_id: str
    app_secret: str
    oa_secret_key: str
    api_base: str
    oauth_base: str
    initial_access_token: str
    initial_refresh_token: str

    @property
    def enabled(self) -> bool:
        return bool(self.app_id)


@dataclass(frozen=True)
class ModelOpsSettings:
    """Where the admins' retraining loop finds its inputs and the Rasa servers it swaps."""

    models_dir: Path
    data_dir: Path
    config_file: Path
    domain_file: Path
    heldout_cases: Path
    rasa_urls: tuple[str, ...]
    rasa_token: str
    tolerance: float  # how far below the active model an accuracy may fall and still count as not worse

    @property
    def nlu_dir(self) -> Path:
        return self.data_dir / "nlu"

    @property
    def history_dir(self) -> Path:
        return self.models_dir / "history"


@dataclass(frozen=True)
class Settings:
    database_url: str
    rasa_port: int
    action_port: int
    console_port: int
    upload_dir: Path
    public_base_url: str
    rasa_token: str
    log_level: str
    rasa_public_url: str  # where the citizen's browser reaches Rasa's socket.io channel
    zalo: ZaloSettings
    modelops: ModelOpsSettings
    console_secret_key: str = ""  # encrypts the staff console's session cookie; see bot.web.console.secret


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def _str(env: Mapping[str, str], name: str, default: str) -> str:
    return env.get(name, "").strip() or default


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    path = Path(raw).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from `env` (default: `os.environ`), without caching."""
    env = os.environ if env is None else env
    return Settings(
        database_url=_str(env, "DATABASE_URL", f"sqlite:///{VAR_DIR / 'phananh.db'}"),
        rasa_port=_int(env, "RASA_PORT", 5005),
        action_port=_int(env, "ACTION_PORT", 5055),
        console_port=_int(env, "CONSOLE_PORT", 8080),
        upload_dir=_path(env, "UPLOAD_DIR", VAR_DIR / "uploads"),
        public_base_url=_str(env, "PUBLIC_BASE_URL", f"http://localhost:{_int(env, 'CONSOLE_PORT', 8080)}").rstrip("/"),
        rasa_token=_str(env, "RASA_TOKEN", "phananh-dev-token"),
        log_level=_str(env, "LOG_LEVEL", "INFO").upper(),
        rasa_public_url=_str(env, "RASA_PUBLIC_URL", f"http://localhost:{_int(env, 'RASA_PORT', 5005)}").rstrip("/"),
        zalo=_zalo_settings(env),
        console_secret_key=env.get("CONSOLE_SECRET_KEY", "").strip(),
        modelops=_modelops_settings(env),
    )


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def _modelops_settings(env: Mapping[str, str]) -> ModelOpsSettings:
    rasa_port = _int(env, "RASA_PORT", 5005)
    urls = [u.strip().rstrip("/") for u in env.get("RASA_INTERNAL_URLS", "").split(",") if u.strip()]
    return ModelOpsSettings(
        models_dir=_path(env, "MODELS_DIR", PROJECT_ROOT / "models"),
        data_dir=_path(env, "TRAINING_DATA_DIR", PROJECT_ROOT / "data"),
        config_file=_path(env, "TRAINING_CONFIG", PROJECT_ROOT / "config.yml"),
        domain_file=_path(env, "TRAINING_DOMAIN", PROJECT_ROOT / "domain.yml"),
        heldout_cases=_path(env, "HELDOUT_CASES", PROJECT_ROOT / "eval" / "heldout.jsonl"),
        rasa_urls=tuple(urls) or (f"http://127.0.0.1:{rasa_port}",),
        rasa_token=_str(env, "RASA_TOKEN", "phananh-dev-token"),
        tolerance=_float(env, "MODEL_TOLERANCE", 0.01),
    )


def _zalo_settings(env: Mapping[str, str]) -> ZaloSettings:
    zalo = ZaloSettings(
        app_id=_str(env, "ZALO_APP_ID", ""),
        app_secret=_str(env, "ZALO_APP_SECRET", ""),
        oa_secret_key=_str(env, "ZALO_OA_SECRET_KEY", ""),
        api_base=_str(env, "ZALO_API_BASE", "https://openapi.zalo.me").rstrip("/"),
        oauth_base=_str(env, "ZALO_OAUTH_BASE", "https://oauth.zaloapp.com").rstrip("/"),
        initial_access_token=_str(env, "ZALO_ACCESS_TOKEN", ""),
        initial_refresh_token=_str(env, "ZALO_REFRESH_TOKEN", ""),
    )
    if zalo.enabled and not (zalo.app_secret and zalo.oa_secret_key):
        raise ValueError("ZALO_APP_ID is set: ZALO_APP_SECRET and ZALO_OA_SECRET_KEY are required too")
    return zalo


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings so the next `get_settings()` re-reads the environment."""
    get_settings.cache_clear()
