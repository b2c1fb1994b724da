"""Settings from the environment."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from bot.config import (
    PROJECT_ROOT,
    endpoints_file,
    endpoints_section,
    get_settings,
    load_settings,
    python_path,
    read_endpoints,
    reset_settings,
)


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


def test_the_endpoints_file_and_its_sections(tmp_path: Path) -> None:
    assert load_settings({}).rasa_endpoints == PROJECT_ROOT / "endpoints.yml"
    assert load_settings({"APP_ENV": "production"}).rasa_endpoints == PROJECT_ROOT / "endpoints.production.yml"
    assert endpoints_file({"RASA_ENDPOINTS": "mine.yml"}, tmp_path) == tmp_path / "mine.yml"
    assert endpoints_section(PROJECT_ROOT / "endpoints.production.yml", "models")["url"] == "${MODEL_SERVER_URL}"
    assert endpoints_section(PROJECT_ROOT / "endpoints.yml", "models") == {}
    assert endpoints_section(tmp_path / "missing.yml", "tracker_store") == {}
    broken = tmp_path / "broken.yml"
    broken.write_text("tracker_store: [", encoding="utf-8")
    assert endpoints_section(broken, "tracker_store") == {}
    with pytest.raises(yaml.YAMLError):
        read_endpoints(broken)


def test_processes_we_start_import_the_project_first() -> None:
    assert python_path({}) == str(PROJECT_ROOT)
    assert python_path({"PYTHONPATH": "/opt/lib"}) == f"{PROJECT_ROOT}{os.pathsep}/opt/lib"
