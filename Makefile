# Two user commands: `make run` (serve) and `make test` (the whole suite). Both set up .venv first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# make run HOST=... PORT=... overrides the settings' CHAYAN_HOST and CHAYAN_PORT (environment or .env)
HOST ?=
PORT ?=
FONTS := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
export ORT_DISABLE_TELEMETRY := 1
export YOLO_OFFLINE := 1
export YOLO_AUTOINSTALL := 0
export YOLO_CONFIG_DIR := $(CURDIR)/var/ultralytics
export MPLCONFIGDIR := $(CURDIR)/var/matplotlib
export OMP_WAIT_POLICY := PASSIVE

.PHONY: run test install install-train system-deps lint clean-venv bench-peers

run: install
	mkdir -p var
	$(BIN)/chayan serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: install install-train
	$(BIN)/ruff check models inference training datasets serving benchmarks tests
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The service and the test tools: runtime + dev extras (no training stack).
install: $(VENV)/.installed-runtime system-deps

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# The training stack (torch, torchvision, ultralytics, onnx): for training, parity and smoke-training tests.
install-train: $(VENV)/.installed-train

$(VENV)/.installed-train: pyproject.toml $(VENV)/.installed-runtime
	$(BIN)/pip install --quiet -e ".[dev,train]"
	touch $@

# CJK and Latin fonts for the data factory and rendered test inputs (Debian packages).
system-deps:
	@missing=0; for f in $(FONTS); do [ -f $$f ] || missing=1; done; \
	if [ $$missing = 1 ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-dejavu-core >/dev/null) \
	      || { echo "apt-get install fonts-noto-cjk fonts-dejavu-core failed" >&2; exit 1; }; \
	  else echo "fonts missing: run 'sudo apt-get install fonts-noto-cjk fonts-dejavu-core'" >&2; exit 1; fi; \
	fi

# Peer readers for `chayan bench realdev --reader ... agentclpr`: agentclpr declares opencv-python (GUI) and
# a web server stack, which would clash with the headless OpenCV; install it and the parts it imports only.
bench-peers: install
	$(BIN)/pip install --quiet --no-deps agentclpr==1.1.0 agentocr==2.0.0
	$(BIN)/pip install --quiet shapely pyclipper six wget

lint: install
	$(BIN)/ruff check models inference training datasets serving benchmarks tests

clean-venv:
	rm -rf $(VENV)
