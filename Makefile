# The few commands a person runs. `make report` and `make test` set everything up on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# JupyterLab lives in its own environment (same checkout, same library): installed beside the renderer it
# doubles the kernel start of every papermill run (3.8 s -> 7.4 s measured on a two-cell notebook).
LAB_VENV ?= .venv-lab
LAB_STAMP := $(LAB_VENV)/.installed
# Debian packages the reports need: Chromium prints the PDF and runs the browser checks, poppler-utils
# turns PDFs into text and images, and the fonts draw text and emoji.
SYSTEM_PACKAGES := chromium poppler-utils fonts-liberation fonts-dejavu-core fonts-noto-color-emoji
CLIENT ?= demo
PERIOD ?=

.PHONY: help setup system report test lab lint bench demo clean

help:
	@echo "make report   render the demo client's report into reports/demo/<period>/ (sets up on first use)"
	@echo "make test     run the whole test suite"
	@echo "make lab      open JupyterLab on the notebooks"
	@echo "make lint     ruff over the library and tests"
	@echo "make bench    run the performance harness (benchmarks/results/)"
	@echo "make demo     regenerate data/demo from its seeded generator"

setup: $(STAMP) system

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Installs the missing Debian packages when run as root; otherwise prints the exact command to run.
system:
	@missing=""; for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "missing system packages:$$missing"; \
	    echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

report: setup
	$(BIN)/community-health render --client $(CLIENT) $(if $(PERIOD),--period $(PERIOD),)

test: setup
	$(BIN)/python -m pytest

$(LAB_STAMP): pyproject.toml
	$(PYTHON) -m venv $(LAB_VENV)
	$(LAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LAB_VENV)/bin/python -m pip install --quiet -e ".[lab]"
	touch $(LAB_STAMP)

lab: $(LAB_STAMP) system
	cd notebooks && ../$(LAB_VENV)/bin/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) community_health_report.ipynb

lint: setup
	$(BIN)/ruff check lib tests benchmarks

bench: setup
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/metrics_baseline.py
	$(BIN)/python benchmarks/ingest.py

demo: setup
	$(BIN)/community-health demo --out data/demo

clean:
	rm -rf $(VENV) $(LAB_VENV) data/*/normalised reports/*/ .pytest_cache
