# Two entry points: `make demo` runs the main job, `make test` runs every check.
# Both create their own virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Git does not keep empty directories, so a fresh clone may lack some of these.
CODE_DIRS := $(wildcard src tests benchmarks examples)

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/casefile demo $(if $(OUT),--out $(OUT),)

lint: $(STAMP)
	$(BIN)/ruff check $(CODE_DIRS)
	$(BIN)/ruff format --check $(CODE_DIRS)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy src

unit: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck unit

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
