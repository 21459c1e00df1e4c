# Set-up and checks of ros2_rtgraph. A fresh machine needs two commands:
#   make demo   - a simulated robot plus the bridge; open the URL it prints
#   make test   - the whole test suite on every supported ROS 2 distribution and Python
#                 (the matrix below; installs what it needs first)
PYTHON ?= python3
VENV ?= .venv
REQUIREMENTS ?= requirements.txt
BIN := $(VENV)/bin
SYSTEM_PACKAGES := chromium nginx-light

# The test matrix. Each environment is a venv built from pinned requirements, the package
# installed editable. Browser tests (marker `browser`) run in the default environment only.
#   default       .venv               Kilted wheels on the machine's python3 (3.11)
#   jazzy-py310   .venv-jazzy-py310   Jazzy wheels on Python 3.10 (Humble's interpreter)
#   kilted-py312  .venv-kilted-py312  Kilted wheels on Python 3.12
MATRIX := default jazzy-py310 kilted-py312
ENV ?= default

# The first interpreter of version $(1) that runs: on PATH, else pyenv's, else Debian's.
find_python = $(shell for p in python$(1) $$HOME/.pyenv/versions/$(1).*/bin/python$(1) \
  /usr/bin/python$(1); do "$$p" -c 'import sys; print(sys.executable)' 2>/dev/null && break; done)

VENV_default := .venv
PYTHON_default = $(PYTHON)
REQUIREMENTS_default := requirements.txt
PYTEST_ARGS_default :=

VENV_jazzy-py310 := .venv-jazzy-py310
PYTHON_jazzy-py310 = $(call find_python,3.10)
REQUIREMENTS_jazzy-py310 := requirements-jazzy-py310.txt
PYTEST_ARGS_jazzy-py310 := -m 'not browser'

VENV_kilted-py312 := .venv-kilted-py312
PYTHON_kilted-py312 = $(call find_python,3.12)
REQUIREMENTS_kilted-py312 := requirements.txt
PYTEST_ARGS_kilted-py312 := -m 'not browser'

.PHONY: venv demo test matrix test-env lint bench sysdeps clean

venv: $(VENV)/.installed

# --use-pep517: the same editable install on every pip (pip 23.0 would otherwise run
# `setup.py develop`, which follows setup.cfg and hides the console scripts from bin/).
$(VENV)/.installed: $(REQUIREMENTS) requirements-common.txt setup.py setup.cfg package.xml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --use-pep517 -e .
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

# ARGS go to rtgraph_demo, and its ROS arguments on to the bridge, e.g.
#   make demo ARGS='--ros-args -p port:=8081'
demo: venv
	$(BIN)/python -m ros2_rtgraph.demo --with-bridge $(ARGS)

test: matrix

# Every environment in turn, even after a failure, then the time each took and the test
# counts of all of them; fails when any environment failed (pytest's exit 5, no test, too).
matrix: sysdeps
	@rm -f test-artifacts/junit-*.xml; status=0; report=''; \
	for env in $(MATRIX); do \
	  start=$$(date +%s); \
	  if $(MAKE) --no-print-directory test-env ENV=$$env; then result=passed; else result=FAILED; status=1; fi; \
	  report="$$report$$(printf 'matrix: %-12s %-6s in %4d s' $$env $$result $$(( $$(date +%s) - start )))\n"; \
	done; \
	printf "\n$$report"; \
	$(PYTHON) -c "$$JUNIT_TOTALS"; \
	exit $$status

# One environment of the matrix: make test-env ENV=jazzy-py310 (default: the default one).
test-env: sysdeps
	@test -n "$(PYTHON_$(ENV))" || { echo "$(ENV): no Python interpreter for it found"; exit 1; }
	@$(MAKE) --no-print-directory venv VENV=$(VENV_$(ENV)) PYTHON=$(PYTHON_$(ENV)) \
	  REQUIREMENTS=$(REQUIREMENTS_$(ENV))
	@echo "== $(ENV): $$($(VENV_$(ENV))/bin/python -c 'import sys; from importlib.metadata import version; \
	  print("Python", sys.version.split()[0], "rclpy", version("ros-rclpy"))')"
	$(VENV_$(ENV))/bin/python -m pytest $(PYTEST_ARGS_$(ENV)) --junitxml=test-artifacts/junit-$(ENV).xml

# Sum of the JUnit reports, as one closing line CI can read.
define JUNIT_TOTALS
from glob import glob
import xml.etree.ElementTree as ET
n = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
for path in glob('test-artifacts/junit-*.xml'):
    for suite in ET.parse(path).getroot().iter('testsuite'):
        for key in n:
            n[key] += int(suite.get(key, 0))
failed = n['failures'] + n['errors']
print(f"matrix: {n['tests'] - failed - n['skipped']} passed, {failed} failed, {n['skipped']} skipped")
endef
export JUNIT_TOTALS

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: venv
	$(BIN)/python -m bench.run

clean:
	rm -rf $(foreach env,$(MATRIX),$(VENV_$(env))) .pytest_cache .ruff_cache .mypy_cache .hypothesis \
	  test-artifacts *.egg-info
