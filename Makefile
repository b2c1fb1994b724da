# phananh — `make run` starts everything, `make test` runs the tests. Both set up what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# make test's pytest processes; the tests that share the running system stay on one (tests/conftest.py).
TEST_WORKERS ?= 2
# Python 3.10: `python3.10` if it really runs (a pyenv shim may not), else pyenv's 3.10.13.
PY310 := $(shell for c in python3.10 "$$(pyenv prefix 3.10.13 2>/dev/null)/bin/python3.10"; do \
  "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo "$$c"; break; }; done)
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
# Nothing leaves the machine: no usage data to Rasa (rasa train and every Rasa we start).
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test test-slow lint lint-imports validate model venv chromium haproxy postgres bench bench-scale bench-faults bench-console bench-zalo bench-swap bench-long eval eval-fallback cross-validate clean-models

run: $(STAMP) model
	$(PY) -m bot run

# `make test`: the checks (lint, types, import contracts, `rasa data validate`), then every test
# except those marked slow (minutes each: real trainings, deployments of their own; pytest.ini),
# which `make test-slow` runs; CI runs both (.ci/run).
test: $(STAMP) lint validate model chromium haproxy postgres
	$(PY) -m pytest -m "not slow" -n $(TEST_WORKERS) --dist loadgroup

test-slow: $(STAMP) model haproxy postgres
	$(PY) -m pytest -m slow

# ruff and mypy on the application code (settings in pyproject.toml), then the import contracts.
lint: $(STAMP) lint-imports
	$(VENV)/bin/ruff check bot actions
	$(VENV)/bin/mypy

# The layers (core → storage → services → adapters) and the other import contracts of .importlinter.
lint-imports: $(STAMP)
	$(VENV)/bin/lint-imports

# Domain, NLU data, stories and rules agree (`rasa data validate --fail-on-warnings`), and every
# warning Rasa prints but never fails on is one bot/data/validation_expected.yml lists with its reason.
validate: $(STAMP)
	$(PY) -m bot validate-data

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -n "$(PY310)" || { echo "Python 3.10 not found: install it (e.g. pyenv install 3.10.13)"; exit 1; }
	test -x $(PY) || $(PY310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

# Rasa compares the data/config fingerprint with the newest model and retrains only on change.
model: $(STAMP)
	$(VENV)/bin/rasa train --out models --fixed-model-name phananh --quiet

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "WARNING: chromium missing and not root: browser tests will be skipped"; fi; }

# Debian's HAProxy, in front of replicas (`bot run --rasa-replicas N`; tests/e2e/test_replicas.py).
haproxy:
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; \
	  else echo "WARNING: haproxy missing and not root: the replica tests will fail"; fi; }

postgres:
	@bash scripts/ensure_postgres.sh

bench: $(STAMP) model
	$(PY) -m bench.rest_bench

# Staff console (queue page, /api/staff/reports) and the public page /tra-cuu with 100,000 reports, SQLite and PostgreSQL.
bench-console: $(STAMP)
	$(PY) -m bench.console_bench

# Zalo webhook acknowledgement latency under 50 concurrent events (docs/benchmarks.md).
bench-zalo: $(STAMP) model
	$(PY) -m bench.zalo_ack_bench

# Conversations while the model is swapped with PUT /model: none may be dropped (docs/benchmarks.md).
bench-swap: $(STAMP) model
	$(PY) -m bench.model_swap_bench

# A 200,000-character message: its answer time and what it does to other citizens (docs/benchmarks.md).
bench-long: $(STAMP) model
	$(PY) -m bench.long_message_bench

# NLU quality: our model, `rasa init`'s pipeline and vietnamadminunits' parser on eval/heldout.jsonl.
eval: $(STAMP) model
	$(PY) -m bot eval

# FallbackClassifier thresholds, chosen on an 80/20 split of the training data (never the held-out set).
eval-fallback: $(STAMP)
	$(PY) -m bot eval-fallback

cross-validate: $(STAMP)
	$(VENV)/bin/rasa test nlu --nlu data/nlu --config config.yml --cross-validation --folds 5 \
	  --out var/eval/cross-validation

clean-models:
	rm -f models/*.tar.gz models/eval/*.tar.gz

# 1 vs 2 Rasa replicas behind HAProxy at 20 and 40 users, production mode (docs/benchmarks.md).
bench-scale: $(STAMP) model haproxy
	$(PY) -m bench.scale_bench

# Citizens while a Rasa replica, an action server and PostgreSQL fail (docs/benchmarks.md).
bench-faults: $(STAMP) model haproxy
	$(PY) -m bench.faults_bench
