"""HAProxy's configuration from deploy/haproxy/haproxy.cfg.j2: valid for HAProxy itself,
sticky by sender on the Rasa side, every replica listed with its health check."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot import haproxy
from bot.cli.run import chosen_replicas, replica_problems
from bot.config import PROJECT_ROOT, load_settings
from bot.stack import Replicas

LAYOUT = haproxy.Layout(rasa_bind="127.0.0.1:5005", action_bind="127.0.0.1:5055", web_bind="127.0.0.1:8080",
                        monitor_bind="127.0.0.1:8404", rasa=["10.0.0.11:5005", "10.0.0.12:5005"],
                        action=["10.0.0.11:5055"], web=["10.0.0.10:8081", "10.0.0.11:8081"])


def test_the_rendered_configuration_is_valid_for_haproxy(tmp_path: Path) -> None:
    if haproxy.binary() is None:
        pytest.fail("HAProxy is not installed: `make test` installs Debian's haproxy (make haproxy)")
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy.render(LAYOUT))
    assert haproxy.check(config) == ""
    config.write_text(haproxy.render(LAYOUT) + "\nbackend broken\n    balance no-such-algorithm\n")
    assert "balance only supports" in haproxy.check(config)


def test_rasa_is_sticky_by_sender_and_every_replica_is_checked() -> None:
    text = haproxy.render(LAYOUT)
    rasa = text.split("backend rasa_replicas", 1)[1].split("frontend", 1)[0]
    assert "hash-type consistent" in rasa and "balance hash var(txn.sticky)" in rasa
    assert "http-request set-header" not in text  # a sender id (JSON, may hold CR LF) is never written into a header
    for needle in ("json_query('$.sender')", "json_query('$.sender.id')", "url_param(sticky)"):
        assert needle in text
    assert rasa.count(" check\n") == 2 and "server rasa2 10.0.0.12:5005 check" in rasa
    assert "server web2 10.0.0.11:8081 check" in text and "bind 127.0.0.1:5005" in text


def test_a_layout_without_servers_is_refused() -> None:
    with pytest.raises(ValueError, match="no action server"):
        haproxy.render(haproxy.Layout("a:1", "a:2", "a:3", "a:4", rasa=["b:1"], action=[], web=["c:1"]))


def test_several_rasa_replicas_need_shared_conversations_and_locks() -> None:
    development = load_settings({"APP_ENV": "development"})
    assert replica_problems(Replicas(), development) == []
    assert replica_problems(Replicas(rasa=0), development) == ["--rasa-replicas must be at least 1"]
    problems = replica_problems(Replicas(rasa=2), development)
    assert any("Redis" in p for p in problems), problems
    production_endpoints = load_settings({"RASA_ENDPOINTS": str(PROJECT_ROOT / "endpoints.production.yml")})
    assert replica_problems(Replicas(rasa=2, web=3), production_endpoints) == []
    assert replica_problems(Replicas(rasa=2, action=0), production_endpoints) == ["--action-replicas must be at least 1"]


def test_production_runs_two_rasa_servers_unless_told() -> None:
    unset = argparse.Namespace(rasa_replicas=None, action_replicas=None, web_replicas=None)
    assert chosen_replicas(unset, load_settings({"APP_ENV": "development"}), True) == Replicas()
    production = load_settings({"APP_ENV": "production"})
    assert chosen_replicas(unset, production, True) == Replicas(rasa=2)
    assert chosen_replicas(unset, production, False) == Replicas()  # without HAProxy: one, not a refusal
    one = argparse.Namespace(rasa_replicas=1, action_replicas=None, web_replicas=3)
    assert chosen_replicas(one, production, True) == Replicas(rasa=1, web=3)
    zero = argparse.Namespace(rasa_replicas=0, action_replicas=None, web_replicas=None)
    assert chosen_replicas(zero, production, True) == Replicas(rasa=0)  # refused by replica_problems, not replaced
