# `make run` and `make test` do all the set-up on a fresh machine: the virtualenv, the trained
# model (only when its inputs changed) and the trial database.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false
MODEL := models/trialbot.tar.gz
RASA_INPUTS := config.yml domain.yml $(wildcard data/rasa/*.yml)

.PHONY: run test unit e2e validate bench trials clean

run: $(VENV)/.installed $(MODEL) trials
	$(BIN)/trialbot serve

test: $(VENV)/.installed $(MODEL) trials validate
	$(BIN)/python -m pytest -q -p no:cacheprovider

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

trials: $(VENV)/.installed
	$(BIN)/trialbot trials load

validate: $(VENV)/.installed
	$(BIN)/rasa data validate --data data/rasa --fail-on-warnings

bench: $(VENV)/.installed $(MODEL) trials
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) models var .rasa
