# Set-up and checks of ros2_rtgraph. A fresh machine needs two commands:
#   make demo   - a simulated robot plus the bridge; open the URL it prints
#   make test   - the whole test suite (installs what it needs first)
PYTHON ?= python3
VENV ?= .venv
REQUIREMENTS ?= requirements.txt
BIN := $(VENV)/bin
SYSTEM_PACKAGES := chromium nginx-light

.PHONY: venv demo test lint bench sysdeps clean

venv: $(VENV)/.installed

$(VENV)/.installed: $(REQUIREMENTS) requirements-common.txt setup.py setup.cfg package.xml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Debian packages the browser and reverse-proxy tests drive (chromium, nginx).
sysdeps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages: $$missing (sudo apt-get install $$missing)"; exit 1; \
	  fi; \
	fi

demo: venv
	$(BIN)/python -m ros2_rtgraph.demo --with-bridge

test: venv sysdeps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .

bench: venv
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts *.egg-info
