# Conseiller externalisation IT — every command a person or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(PY) -m rasa
PYTEST := $(PY) -m pytest
MODEL := models/advisor.tar.gz
TRAIN_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)
# The widget: npm packages pinned by package-lock.json, bundled by esbuild into bot/widget/dist/.
WIDGET_JS := bot/widget/dist/widget.js
NODE_STAMP := node_modules/.installed
# pip's output goes to a log; on failure it is shown without the local mirrors' noise.
PIP_LOG := $(VENV)/pip.log
PIP_FAILED := { grep -v "is ignored: it is neither a file nor a directory" $(PIP_LOG); exit 1; }

.PHONY: help install system-packages train run shell purge test lint validate unit e2e stories nlu-report stats bench bench-nlu clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: $(VENV)/.installed $(WIDGET_JS) ## Create .venv (Python 3.10) with every pinned dependency; build the widget (npm)

$(VENV)/.installed: requirements.lock
	@PY310=$$(scripts/find_python310.sh) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
		echo "Création de $(VENV) avec $$PY310"; rm -rf $(VENV); $$PY310 -m venv $(VENV) || exit 1; \
	fi
	@echo "Installation des dépendances (requirements.lock)…"
	@$(PY) -m pip install --quiet --upgrade pip > $(PIP_LOG) 2>&1 || $(PIP_FAILED)
	@$(PY) -m pip install --quiet -r requirements.lock > $(PIP_LOG) 2>&1 || $(PIP_FAILED)
	@$(PY) -m pip check
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm > /dev/null || { echo "npm est introuvable : installez Node.js 20 et npm."; exit 1; }
	@echo "Installation des paquets npm du widget (package-lock.json)…"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WIDGET_JS): $(NODE_STAMP) $(wildcard bot/widget/src/*.js)
	@npm run --silent build

system-packages: ## Debian packages for the PDF report and browser tests (apt-get when missing)
	@scripts/system_packages.sh

train: $(MODEL) ## Train models/ if data, domain or config changed since the last model

$(MODEL): $(TRAIN_INPUTS) | $(VENV)/.installed
	@echo "Entraînement du modèle…"
	@$(RASA) train --config config.yml --domain domain.yml --data data --out models \
		--fixed-model-name advisor
	@touch $@

.env:
	@cp .env.example .env && echo "Fichier .env créé à partir de .env.example."

run: $(VENV)/.installed system-packages $(WIDGET_JS) $(MODEL) .env ## Start actions, Rasa and the widget page (Ctrl-C stops)
	@$(PY) -m bot.launcher run

shell: $(VENV)/.installed $(MODEL) .env ## Chat with the bot in the terminal
	@$(PY) -m bot.launcher shell

purge: $(VENV)/.installed .env ## Delete conversations older than RETENTION_DAYS (and old logs)
	@$(PY) -m bot.purge

lint: $(VENV)/.installed ## Ruff lint and format check, mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .

validate: $(VENV)/.installed ## Check training data, domain and knowledge content
	$(RASA) data validate --config config.yml --domain domain.yml --data data --quiet
	$(PY) -m knowledge check

unit: $(VENV)/.installed system-packages ## Unit tests (knowledge, actions, settings), no trained model needed
	$(PYTEST) -m "not e2e"

stories: $(MODEL) ## Test stories with --fail-on-prediction-errors
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors \
		--out var/results/core

e2e: $(MODEL) $(WIDGET_JS) system-packages ## End-to-end tests against the running servers (and headless Chromium)
	$(PYTEST) -m e2e -rP  # -rP: the figures each e2e test prints (counts, timings)

test: lint validate unit stories e2e ## Install what is missing and run the whole test suite

nlu-report: $(VENV)/.installed ## NLU cross-validation and held-out scores (var/results/nlu*)
	$(RASA) test nlu --nlu data --config config.yml --cross-validation --folds 3 \
		--out var/results/nlu-cv
	$(RASA) train nlu --config config.yml --nlu data --out var/nlu-model --fixed-model-name nlu
	$(RASA) test nlu --nlu tests/nlu/holdout.yml --model var/nlu-model/nlu.tar.gz \
		--out var/results/nlu-holdout
	$(PY) scripts/nlu_report.py var/results/nlu-cv var/results/nlu-holdout > var/results/nlu-report.md
	@cat var/results/nlu-report.md

stats: $(VENV)/.installed ## Weekly usage figures for the consultants (no personal data) + var/stats/stats.png
	$(PY) -m knowledge stats

bench: $(VENV)/.installed ## Benchmark vs stock Rasa -> bench/results/ (BENCH_QUICK=1: short run)
	@if [ "$(BENCH_QUICK)" = 1 ]; then $(MAKE) --no-print-directory train; fi
	BENCH_QUICK=$(BENCH_QUICK) $(PY) -m bench

bench-nlu: $(VENV)/.installed ## French NLU benchmark (Wikit): train, score -> bench/results/nlu.json
	$(PY) -m bench.nlu

clean: ## Remove models, results and local databases (keeps .venv and .env)
	rm -rf models var
