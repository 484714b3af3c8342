# The two commands a newcomer needs (see README.md):
#   make run    set up, index seeds/ (incrementally) and serve at http://127.0.0.1:5000
#   make test   set up (Python packages + Debian chromium) and run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: run test setup browser groonga bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(STAMP)

# Debian's chromium for the Playwright browser tests, CJK fonts for readable screenshots.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    chromium fonts-noto-cjk >/dev/null; }

run: $(STAMP)
	$(BIN)/newsearch index seeds
	$(BIN)/newsearch serve --host $(HOST) --port $(PORT)

test: $(STAMP) browser
	$(BIN)/python -m pytest

# Debian's groonga-bin for the benchmark's Groonga peer (benchmarks/peers.py).
groonga:
	@command -v groonga >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    groonga-bin >/dev/null; }

bench: $(STAMP) groonga
	$(BIN)/pip install --quiet -e '.[bench]'
	PYTHON=$(BIN)/python benchmarks/run $(BENCH_ARGS)
