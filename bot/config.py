"""Settings read from the environment, with development defaults.

`get_settings()` reads the environment once and caches the result for the life of the
process; tests that change environment variables call `reset_settings()` afterwards.

| variable          | default                                   |
| ----------------- | ----------------------------------------- |
| APP_ENV           | development (`production`: secrets from the environment, checked; see production_problems) |
| DATABASE_URL      | sqlite:///<project root>/var/phananh.db    |
| RASA_HOST, ACTION_HOST, CONSOLE_HOST | 127.0.0.1 (the address each server listens on) |
| RASA_PORT         | 5005                                      |
| ACTION_PORT       | 5055                                      |
| CONSOLE_PORT      | 8080                                      |
| UPLOAD_DIR        | <project root>/var/uploads                |
| PUBLIC_BASE_URL   | http://localhost:8080                     |
| CORS_ORIGINS      | the origin of PUBLIC_BASE_URL (browsers that may call Rasa's socket.io) |
| TRUSTED_PROXIES   | (none: X-Forwarded-For is ignored)        |
| RASA_TOKEN, ACTION_SERVER_TOKEN, LINK_SECRET, CONSOLE_SECRET_KEY | (unset: generated once into var/secrets/ in development; required in production) |
| REST_CHANNEL_TOKEN| (unset: Rasa's REST channel is open on loopback in development, off in production) |
| MAX_MESSAGE_CHARS | 2000 (longer messages are cut before the NLU, with a note) |
| RASA_ENDPOINTS    | <project root>/endpoints.yml; endpoints.production.yml in production (PostgreSQL + Redis) |
| REDIS_URL         | redis://127.0.0.1:6379/1 (production: Rasa's lock store; rediss:// for TLS, password in the URL) |
| TRACKER_DATABASE_URL | DATABASE_URL (production: where Rasa keeps conversations; PostgreSQL) |
| SECRETS_DIR       | <project root>/var/secrets (development only) |
| LOG_LEVEL         | INFO                                      |
| ZALO_APP_ID       | (unset: the Zalo channel is off)          |
| ZALO_APP_SECRET, ZALO_OA_SECRET_KEY | (required with ZALO_APP_ID) |
| ZALO_API_BASE     | https://openapi.zalo.me                   |
| ZALO_OAUTH_BASE   | https://oauth.zaloapp.com                 |
| ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN | initial tokens, used once when the database has none |
| ZALO_EVENT_WINDOW_SECONDS | 900 (webhook events older or newer than this are refused) |
| ZNS_TEMPLATE_ID   | (unset: no ZNS; held news waits for the citizen to write again) |
| ZNS_PRICE_VND     | (required with ZNS_TEMPLATE_ID: the price of one ZNS message, recorded per message) |
| ZNS_DAILY_CAP     | 200 (ZNS messages per Hanoi day; beyond it news stays held until the next day) |
| ZNS_API_BASE      | https://business.openapi.zalo.me          |
| MODELS_DIR        | <project root>/models                     |
| TRAINING_DATA_DIR, TRAINING_CONFIG, TRAINING_DOMAIN | data/, config.yml, domain.yml |
| HELDOUT_CASES     | <project root>/eval/heldout.jsonl         |
| RASA_INTERNAL_URLS| http://127.0.0.1:$RASA_PORT (comma-separated: every Rasa replica) |
| MODEL_TOLERANCE   | 0.01                                      |

Folders are not created here: the storage layer creates a SQLite file's folder when it
opens or migrates the database, and whoever writes uploads creates UPLOAD_DIR. Secrets are
resolved on first use (`bot.secret_files`), so reading settings never writes a file.
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

import yaml
from yarl import URL

from bot.secret_files import (
    ACTION_SERVER_TOKEN,
    CONSOLE_SECRET_KEY,
    LINK_SECRET,
    RASA_TOKEN,
    REQUIRED,
    SecretSource,
    weakness,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
DEVELOPMENT, PRODUCTION = "development", "production"
LOOPBACK = "127.0.0.1"
DEFAULT_RASA_PORT, DEFAULT_ACTION_PORT, DEFAULT_CONSOLE_PORT = 5005, 5055, 8080
TRACKER_SQLITE = "var/rasa_tracker.db"  # Rasa's conversations in development, when TRACKER_SQLITE_PATH is unset
# Zalo's hosts (ZALO_API_BASE, ZALO_OAUTH_BASE, ZNS_API_BASE): tests point them at a fake.
ZALO_API_BASE = "https://openapi.zalo.me"
ZALO_OAUTH_BASE = "https://oauth.zaloapp.com"
ZNS_API_BASE = "https://business.openapi.zalo.me"
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


@dataclass(frozen=True)
class ZaloSettings:
    app_id: str
    app_secret: str
    oa_secret_key: str
    api_base: str
    oauth_base: str
    initial_access_token: str
    initial_refresh_token: str
    event_window_seconds: int = 900  # webhook events further from now than this are refused (replays)
    workers: int = 2  # events the Rasa server handles at once: more does not speed up a CPU-bound NLU

    @property
    def enabled(self) -> bool:
        return bool(self.app_id)


@dataclass(frozen=True)
class ZnsSettings:
    """Zalo Notification Service: an approved template sent to the citizen's phone number,
    billed per message, for news that Zalo's 48-hour reply window keeps from going out."""

    template_id: str
    price_vnd: int
    daily_cap: int
    api_base: str

    @property
    def enabled(self) -> bool:
        return bool(self.template_id)


@dataclass(frozen=True)
class ModelOpsSettings:
    """Where the admins' retraining loop finds its inputs and the Rasa servers it swaps."""

    models_dir: Path
    data_dir: Path
    config_file: Path
    domain_file: Path
    heldout_cases: Path
    rasa_urls: tuple[str, ...]
    secrets: SecretSource
    tolerance: float  # how far below the active model an accuracy may fall and still count as not worse
    pulls_models: bool = False  # the Rasa servers pull the active model from us (bot.modelops.delivery)

    @property
    def rasa_token(self) -> str:
        return self.secrets(RASA_TOKEN)

    @property
    def nlu_dir(self) -> Path:
        return self.data_dir / "nlu"

    @property
    def history_dir(self) -> Path:
        return self.models_dir / "history"


@dataclass(frozen=True)
class Settings:
    app_env: str
    database_url: str
    rasa_host: str
    rasa_port: int
    action_host: str
    action_port: int
    console_host: str
    console_port: int
    upload_dir: Path
    public_base_url: str
    log_level: str
    rasa_public_url: str  # where the citizen's browser reaches Rasa's socket.io channel
    cors_origins: tuple[str, ...]  # browser origins allowed to call Rasa (the web chat's)
    trusted_proxies: tuple[Network, ...]  # whose X-Forwarded-For is believed
    rest_channel_token: str  # "": the REST channel is open in development and off in production
    max_message_chars: int
    rasa_endpoints: Path  # Rasa's endpoints file: endpoints.yml, or endpoints.production.yml
    zalo: ZaloSettings
    modelops: ModelOpsSettings
    secrets: SecretSource
    zns: ZnsSettings = ZnsSettings("", 0, 0, ZNS_API_BASE)

    @property
    def production(self) -> bool:
        return self.app_env == PRODUCTION

    @property
    def rasa_token(self) -> str:
        return self.secrets(RASA_TOKEN)

    @property
    def action_server_token(self) -> str:
        return self.secrets(ACTION_SERVER_TOKEN)

    @property
    def link_secret(self) -> str:
        return self.secrets(LINK_SECRET)

    @property
    def console_secret_key(self) -> str:
        """Encrypts the staff console's session cookie; see bot.web.console.secret."""
        return self.secrets(CONSOLE_SECRET_KEY)


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


def _path(env: Mapping[str, str], name: str, default: Path, root: Path = PROJECT_ROOT) -> Path:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    path = Path(raw).expanduser()
    return path if path.is_absolute() else root / path


def _list(env: Mapping[str, str], name: str) -> list[str]:
    return [item.strip() for item in env.get(name, "").split(",") if item.strip()]


def _app_env(env: Mapping[str, str]) -> str:
    value = _str(env, "APP_ENV", DEVELOPMENT).lower()
    if value not in (DEVELOPMENT, PRODUCTION):
        raise ValueError(f"APP_ENV must be {DEVELOPMENT} or {PRODUCTION}, got {value!r}")
    return value


def _networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in _list(env, name))
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_level(env: Mapping[str, str]) -> str:
    """LOG_LEVEL, upper case as `logging` and Rasa want it (INFO when unset)."""
    level = _str(env, "LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {env.get('LOG_LEVEL')!r}")
    return level


def python_path(env: Mapping[str, str]) -> str:
    """PYTHONPATH for a process we start: the project root (bot, actions), then `env`'s own."""
    return os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))


def origin_of(url: str) -> str:
    return str(URL(url).origin())


def _cors_origins(env: Mapping[str, str], public_base_url: str) -> tuple[str, ...]:
    """The browser origins that may call Rasa: the configured list, else the web chat's own
    (with its localhost/127.0.0.1 twin in development)."""
    configured = _list(env, "CORS_ORIGINS")
    if configured:
        return tuple(configured)
    origin = URL(public_base_url).origin()
    origins = [str(origin)]
    twin = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}.get(origin.host or "")
    if twin:
        origins.append(str(origin.with_host(twin)))
    return tuple(origins)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from `env` (default: `os.environ`), without caching."""
    env = os.environ if env is None else env
    app_env = _app_env(env)
    secrets = SecretSource(env, _path(env, "SECRETS_DIR", VAR_DIR / "secrets"), app_env == PRODUCTION)
    rasa_port, console_port = _int(env, "RASA_PORT", DEFAULT_RASA_PORT), _int(env, "CONSOLE_PORT", DEFAULT_CONSOLE_PORT)
    public_base_url = _str(env, "PUBLIC_BASE_URL", f"http://localhost:{console_port}").rstrip("/")
    return Settings(
        app_env=app_env,
        database_url=_str(env, "DATABASE_URL", f"sqlite:///{VAR_DIR / 'phananh.db'}"),
        rasa_host=_str(env, "RASA_HOST", LOOPBACK),
        rasa_port=rasa_port,
        action_host=_str(env, "ACTION_HOST", LOOPBACK),
        action_port=_int(env, "ACTION_PORT", DEFAULT_ACTION_PORT),
        console_host=_str(env, "CONSOLE_HOST", LOOPBACK),
        console_port=console_port,
        upload_dir=_path(env, "UPLOAD_DIR", VAR_DIR / "uploads"),
        public_base_url=public_base_url,
        log_level=log_level(env),
        rasa_public_url=_str(env, "RASA_PUBLIC_URL", f"http://localhost:{rasa_port}").rstrip("/"),
        cors_origins=_cors_origins(env, public_base_url),
        trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
        rest_channel_token=env.get("REST_CHANNEL_TOKEN", "").strip(),
        max_message_chars=_int(env, "MAX_MESSAGE_CHARS", 2000),
        rasa_endpoints=endpoints_file(env),
        zalo=(zalo := _zalo_settings(env)),
        zns=_zns_settings(env, zalo),
        modelops=_modelops_settings(env, secrets),
        secrets=secrets,
    )


def production_problems(settings: Settings) -> list[str]:
    """What keeps the servers from starting in production mode (nothing in development)."""
    if not settings.production:
        return []
    problems = []
    for spec in REQUIRED:
        value = settings.secrets.given(spec)
        if not value:
            problems.append(f"{spec.env} is not set ({spec.purpose})")
        elif why := weakness(value):
            problems.append(f"{spec.env} is too weak: {why}")
    if settings.rest_channel_token and (why := weakness(settings.rest_channel_token)):
        problems.append(f"REST_CHANNEL_TOKEN is too weak: {why}")
    if "*" in settings.cors_origins:
        problems.append("CORS_ORIGINS must list the web chat's origins, not *")
    if not settings.database_url.startswith("postgresql"):
        problems.append("DATABASE_URL must be a PostgreSQL database (postgresql+asyncpg://…); SQLite is for development")
    problems += endpoint_problems(settings.rasa_endpoints)
    return problems


def default_endpoints(app_env: str) -> str:
    """Rasa's endpoints file when RASA_ENDPOINTS names none: PostgreSQL + Redis in production."""
    return "endpoints.production.yml" if app_env == PRODUCTION else "endpoints.yml"


def endpoints_file(env: Mapping[str, str], root: Path = PROJECT_ROOT) -> Path:
    """The endpoints file Rasa is started with: RASA_ENDPOINTS (relative to `root`), else the default."""
    return _path(env, "RASA_ENDPOINTS", root / default_endpoints(_app_env(env)), root)


def read_endpoints(path: Path) -> dict[str, Any]:
    """Rasa's endpoints file, its `${VAR}`s not substituted; OSError or yaml.YAMLError if unreadable.
    Every reader of the file (checks, model delivery, transcripts) goes through here."""
    endpoints = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return endpoints if isinstance(endpoints, dict) else {}


def endpoints_section(path: Path, name: str) -> dict[str, Any]:
    """One section of the endpoints file (`tracker_store`, `models`…); {} if it or the file is missing."""
    try:
        section = read_endpoints(path).get(name)
    except (OSError, yaml.YAMLError):
        return {}
    return section if isinstance(section, dict) else {}


def tracker_database_url(env: Mapping[str, str] | None = None) -> str:
    """Where Rasa keeps conversations in production: TRACKER_DATABASE_URL, else DATABASE_URL."""
    env = os.environ if env is None else env
    return env.get("TRACKER_DATABASE_URL") or env.get("DATABASE_URL") or ""


def endpoint_problems(path: Path) -> list[str]:
    """Production conversations live in PostgreSQL and locks in Redis, whatever file is named."""
    try:
        endpoints = read_endpoints(path)
    except (OSError, yaml.YAMLError) as error:
        return [f"RASA_ENDPOINTS ({path}) cannot be read: {error}"]
    tracker = endpoints.get("tracker_store") or {}
    lock = endpoints.get("lock_store") or {}
    problems = []
    if not (str(tracker.get("type", "")).endswith("PostgresTrackerStore")
            or tracker.get("type") == "SQL" and tracker.get("dialect") == "postgresql"):
        problems.append(f"{path.name}: the tracker store must be PostgreSQL (bot.rasa_stores.PostgresTrackerStore)")
    if not (str(lock.get("type", "")).endswith("UrlRedisLockStore") or lock.get("type") == "redis"):
        problems.append(f"{path.name}: the lock store must be Redis (bot.rasa_stores.UrlRedisLockStore)")
    return problems


def pulls_models(endpoints_file: Path) -> bool:
    """Do the Rasa servers of this endpoints file pull their model from a model server
    (a `models:` section; bot.modelops.delivery serves it)?"""
    return bool(endpoints_section(endpoints_file, "models"))


def listens_beyond_loopback(hosts: Sequence[str]) -> list[str]:
    """The configured hosts that are not loopback addresses (said aloud at start)."""
    loopback = {"127.0.0.1", "::1", "localhost"}
    return [host for host in hosts if host not in loopback]


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def _modelops_settings(env: Mapping[str, str], secrets: SecretSource) -> ModelOpsSettings:
    rasa_port = _int(env, "RASA_PORT", DEFAULT_RASA_PORT)
    urls = [u.strip().rstrip("/") for u in env.get("RASA_INTERNAL_URLS", "").split(",") if u.strip()]
    return ModelOpsSettings(
        models_dir=_path(env, "MODELS_DIR", PROJECT_ROOT / "models"),
        data_dir=_path(env, "TRAINING_DATA_DIR", PROJECT_ROOT / "data"),
        config_file=_path(env, "TRAINING_CONFIG", PROJECT_ROOT / "config.yml"),
        domain_file=_path(env, "TRAINING_DOMAIN", PROJECT_ROOT / "domain.yml"),
        heldout_cases=_path(env, "HELDOUT_CASES", PROJECT_ROOT / "eval" / "heldout.jsonl"),
        rasa_urls=tuple(urls) or (f"http://127.0.0.1:{rasa_port}",),
        secrets=secrets,
        tolerance=_float(env, "MODEL_TOLERANCE", 0.01),
        pulls_models=pulls_models(endpoints_file(env)),
    )


def _zalo_settings(env: Mapping[str, str]) -> ZaloSettings:
    zalo = ZaloSettings(
        app_id=_str(env, "ZALO_APP_ID", ""),
        app_secret=_str(env, "ZALO_APP_SECRET", ""),
        oa_secret_key=_str(env, "ZALO_OA_SECRET_KEY", ""),
        api_base=_str(env, "ZALO_API_BASE", ZALO_API_BASE).rstrip("/"),
        oauth_base=_str(env, "ZALO_OAUTH_BASE", ZALO_OAUTH_BASE).rstrip("/"),
        initial_access_token=_str(env, "ZALO_ACCESS_TOKEN", ""),
        initial_refresh_token=_str(env, "ZALO_REFRESH_TOKEN", ""),
        event_window_seconds=_int(env, "ZALO_EVENT_WINDOW_SECONDS", 900),
        workers=max(1, _int(env, "ZALO_WORKERS", 2)),
    )
    if zalo.enabled and not (zalo.app_secret and zalo.oa_secret_key):
        raise ValueError("ZALO_APP_ID is set: ZALO_APP_SECRET and ZALO_OA_SECRET_KEY are required too")
    return zalo


def _zns_settings(env: Mapping[str, str], zalo: ZaloSettings) -> ZnsSettings:
    zns = ZnsSettings(
        template_id=_str(env, "ZNS_TEMPLATE_ID", ""),
        price_vnd=_int(env, "ZNS_PRICE_VND", -1),
        daily_cap=_int(env, "ZNS_DAILY_CAP", 200),
        api_base=_str(env, "ZNS_API_BASE", ZNS_API_BASE).rstrip("/"),
    )
    if zns.enabled and not zalo.enabled:
        raise ValueError("ZNS_TEMPLATE_ID is set: the Zalo OA (ZALO_APP_ID …) must be configured too")
    if zns.enabled and zns.price_vnd < 0:
        raise ValueError("ZNS_TEMPLATE_ID is set: ZNS_PRICE_VND (the price of one message, VND) is required")
    if zns.daily_cap < 0:
        raise ValueError("ZNS_DAILY_CAP must be 0 or more")
    return replace(zns, price_vnd=max(zns.price_vnd, 0))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings so the next `get_settings()` re-reads the environment."""
    get_settings.cache_clear()
