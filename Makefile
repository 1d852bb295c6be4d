# Two commands: `make run` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run check test bench clean

# A new venv is made without pip, and the pip that makes it installs the newest pip into it: ~2.5 s, where
# `venv` with its own (older, compiled) pip and then an upgrade took ~11 s. The newer pip installs the
# project in about half the time the pip bundled with Python 3.11 takes. A Python whose pip cannot
# install into another interpreter (`--python`, pip 22.3 and newer) gets the plain `venv` and an upgrade.
NEW_VENV = if $(PYTHON) -m pip --python $(PYTHON) --version > /dev/null 2>&1; then \
	  $(PYTHON) -m venv --without-pip $(VENV) && \
	  $(PYTHON) -m pip --python $(BIN)/python install --quiet --no-compile --upgrade pip; \
	else $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet --upgrade pip; fi

# --no-compile: the modules are compiled as they are first imported (~3 s once, written to __pycache__),
# not every module of every dependency at install (~15 s of a clean clone's `make test`).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(NEW_VENV)
	$(BIN)/python -m pip install --quiet --no-compile -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/contractbot run

# Lint, the layers of docs/design.md (import-linter contracts in pyproject.toml) and types.
RUFF  := $(BIN)/ruff check bot handlers storage jobs tests bench
LAYERS := $(BIN)/lint-imports
MYPY  := $(BIN)/mypy bot handlers storage jobs

check: $(STAMP)
	$(RUFF)
	$(LAYERS)
	$(MYPY)

# One worker per CPU and one more (pytest-xdist): a worker waiting on a server, a sleep or PostgreSQL
# leaves its CPU to the extra one (two workers on 2 CPUs kept them 86 % busy; with three the suite took
# 250–263 s against 266–278 s). A test file stays on one worker, so each end-to-end module starts its
# server once. Modules go out in the order tests/conftest.py sorts them, the long ones first (not xdist's
# "most tests first"), so that the workers end on short modules.
# `make test PYTEST_ARGS="-n 0 tests/test_x.py"` runs serially.
WORKERS := $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PYTEST_ARGS ?= -n $(WORKERS) --dist loadfile --no-loadscope-reorder

# `make check`, then the suite. Ruff and the layers first (under a second: a wrong import fails at once);
# mypy (~20 s of CPU from cold) runs beside pytest, and its report is printed after pytest's. Either
# failing fails `make test`.
# Compiled bytecode is written and reused (__pycache__, git-ignored) even where the environment says not to:
# the suite starts hundreds of `contractbot` processes, each of which would compile our modules again.
test: $(STAMP)
	$(RUFF)
	$(LAYERS)
	@echo "$(MYPY) (beside pytest; its report follows pytest's)"
	@$(MYPY) > .mypy.log 2>&1 & types=$$!; \
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(PYTEST_ARGS); tests=$$?; \
	wait $$types; typed=$$?; cat .mypy.log; rm -f .mypy.log; \
	test $$tests -eq 0 -a $$typed -eq 0

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache contractbot.db
