"""Settings from the environment."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, get_settings, load_settings, reset_settings


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'phananh.db'}"
    assert (settings.rasa_port, settings.action_port, settings.console_port) == (5005, 5055, 8080)
    assert settings.upload_dir == PROJECT_ROOT / "var" / "uploads"
    assert settings.public_base_url == "http://localhost:8080"
    assert settings.log_level == "INFO"
    assert settings.app_env == "development" and not settings.production
    assert (settings.rasa_host, settings.action_host, settings.console_host) == ("127.0.0.1",) * 3
    assert settings.cors_origins == ("http://localhost:8080", "http://127.0.0.1:8080")


def test_environment_overrides() -> None:
    settings = load_settings({
        "DATABASE_URL": "postgresql://postgres@127.0.0.1/phananh",
        "RASA_PORT": "6005",
        "UPLOAD_DIR": "data/up",
        "PUBLIC_BASE_URL": "https://phananh.example/",
        "LOG_LEVEL": "debug",
    })
    assert settings.database_url == "postgresql://postgres@127.0.0.1/phananh"
    assert settings.rasa_port == 6005
    assert settings.upload_dir == PROJECT_ROOT / "data" / "up"
    assert settings.public_base_url == "https://phananh.example"
    assert settings.log_level == "DEBUG"


def test_bad_port_names_the_variable() -> None:
    with pytest.raises(ValueError, match="ACTION_PORT"):
        load_settings({"ACTION_PORT": "abc"})


def test_get_settings_is_cached_until_reset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    reset_settings()
    monkeypatch.setenv("RASA_TOKEN", "first")
    assert get_settings().rasa_token == "first"
    monkeypatch.setenv("RASA_TOKEN", "second")
    assert get_settings().rasa_token == "first"
    reset_settings()
    assert get_settings().rasa_token == "second"
    monkeypatch.delenv("RASA_TOKEN")
    reset_settings()


ZALO = {"ZALO_APP_ID": "app", "ZALO_APP_SECRET": "s", "ZALO_OA_SECRET_KEY": "k"}


def test_zns_is_off_without_a_template_and_configured_with_one() -> None:
    assert not load_settings({}).zns.enabled
    zns = load_settings({**ZALO, "ZNS_TEMPLATE_ID": "245678", "ZNS_PRICE_VND": "330", "ZNS_DAILY_CAP": "80"}).zns
    assert (zns.enabled, zns.template_id, zns.price_vnd, zns.daily_cap) == (True, "245678", 330, 80)
    assert zns.api_base == "https://business.openapi.zalo.me"


@pytest.mark.parametrize(("env", "says"), [
    ({"ZNS_TEMPLATE_ID": "245678", "ZNS_PRICE_VND": "330"}, "Zalo OA"),  # ZNS needs the OA's tokens
    ({**ZALO, "ZNS_TEMPLATE_ID": "245678"}, "ZNS_PRICE_VND"),  # the price is never guessed
    ({**ZALO, "ZNS_TEMPLATE_ID": "245678", "ZNS_PRICE_VND": "330", "ZNS_DAILY_CAP": "-1"}, "ZNS_DAILY_CAP"),
])
def test_incomplete_zns_settings_are_refused(env: dict, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        load_settings(env)
