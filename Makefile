# `make run` and `make test` do all the set-up on a fresh machine: the virtualenv, the trained
# model (only when its inputs changed) and the trial database.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false
MODEL := models/trialbot.tar.gz
RASA_INPUTS := config.yml domain.yml $(wildcard data/rasa/*.yml)

# Read-only data every developer has beside the project (see ../shared/README.md).
SHARED ?= ../shared
# The website chat's tests drive Debian's Chromium (through Playwright's Python package; no browser
# is downloaded: never `playwright install`).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# `make cluster`: N Rasa servers behind Debian's nginx (run by `trialbot serve` as its child, with a
# generated configuration), on the PostgreSQL server and the Redis server of this machine.
NGINX := /usr/sbin/nginx
RASA_SERVERS ?= 2
CLUSTER_ENV := TRIALBOT_TRACKER_STORE_URL=postgresql://postgres@127.0.0.1:5432/trialbot \
	TRIALBOT_LOCK_STORE_URL=redis://127.0.0.1:6379/1

.PHONY: run cluster cluster-test load test unit web-test screenshot validate bench trials import-covid import-ctgov clean review review-test review-bench bench-matching

run: $(VENV)/.installed $(MODEL) trials
	$(BIN)/trialbot serve

cluster: $(VENV)/.installed $(MODEL) trials $(NGINX)
	$(CLUSTER_ENV) $(BIN)/trialbot serve --rasa-servers $(RASA_SERVERS)

# A Rasa server killed under load behind the real nginx (tests/e2e/test_cluster.py), and the load
# benchmark (benchmarks/load.py, Locust): one server, N behind nginx, the starter bot.
cluster-test: $(VENV)/.installed $(MODEL) $(NGINX)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e/test_cluster.py

load: $(VENV)/.installed $(MODEL) trials $(NGINX)
	$(BIN)/python -m benchmarks.load

# The slowest tests are listed at the end, to keep the whole run within its half hour.
test: $(VENV)/.installed $(MODEL) trials validate $(CHROMIUM) $(NGINX)
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=25

web-test: $(VENV)/.installed $(MODEL) $(CHROMIUM)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/web

# The verdict card the browser test photographed last, for the README.
screenshot: var/screenshots/verdict-card.png
	cp $< docs/verdict-card.png

# Transcript review (review/): `make run` starts it beside the bot; these run it alone, its tests
# (SQLite and the PostgreSQL server on 127.0.0.1:5432; Chromium) and its inbox benchmark.
review: $(VENV)/.installed
	$(BIN)/trialbot review serve

review-test: $(VENV)/.installed $(MODEL) $(CHROMIUM)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/review

review-bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.review_inbox

unit: $(VENV)/.installed
	$(BIN)/python -m pytest -q -m "not e2e"

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || { python=$$(scripts/find-python) && $$python -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade "pip<25" wheel
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

$(MODEL): $(VENV)/.installed $(RASA_INPUTS)
	$(BIN)/rasa train --data data/rasa --out models --fixed-model-name trialbot --quiet
	touch $@

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(NGINX):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx

trials: $(VENV)/.installed
	$(BIN)/trialbot trials load

# Imported trials, kept out of `make run`/`make test` (the corpus adds ~4 s to import and ~2 s to
# every catalogue load): the 736 screenable trials of the OMOP-coded COVID-19 corpus, and the
# ClinicalTrials.gov records under $(SHARED)/data/ctgov. Curated data/trials/*.yml always win.
import-covid: trials
	$(BIN)/trialbot trials import $(SHARED)/data/covid19-structured-trials

import-ctgov: trials
	$(BIN)/trialbot trials import $(SHARED)/data/ctgov

validate: $(VENV)/.installed
	$(BIN)/rasa data validate --data data/rasa --fail-on-warnings

# Each writes benchmarks/results/<name>.{json,md}; `make bench` runs them all.
bench: $(VENV)/.installed $(MODEL) trials
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.matching
	$(BIN)/python -m benchmarks.review_inbox
	$(BIN)/python -m benchmarks.understanding
	$(BIN)/python -m benchmarks.conversations
	$(BIN)/python -m benchmarks.turn_cost
	$(BIN)/python -m benchmarks.languages

bench-matching: $(VENV)/.installed
	$(BIN)/python -m benchmarks.matching

clean:
	rm -rf $(VENV) models var .rasa
