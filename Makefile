# One task runner. `make demo` runs Gardien on SQLite with demo data; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed
TUNE_STAMP := $(VENV)/.finetune-installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo run test lint typecheck pytest bench models clean chromium poppler

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(STAMP)

$(DEV_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP) $(DEV_STAMP)

demo: $(STAMP)
	$(BIN)/gardien demo

run: $(STAMP)
	$(BIN)/gardien serve

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's Chromium (never a downloaded browser build).
chromium:
	command -v chromium || (apt-get update && apt-get install -y chromium)

# The report tests view PDFs as PNG pages with Debian's poppler-utils (pdftoppm, pdftotext);
# WeasyPrint renders the PDFs with Debian's Pango (libpango-1.0-0) and subsets their fonts with
# HarfBuzz-Subset (without it WeasyPrint warns, and the tests treat warnings as errors).
poppler:
	(command -v pdftoppm && ldconfig -p | grep -q libharfbuzz-subset) || (apt-get update && apt-get install -y poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)

pytest: $(DEV_STAMP) chromium poppler
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

# torch is for building models only: the CPU wheel on disk first, so nothing pulls a CUDA build.
$(TUNE_STAMP): $(DEV_STAMP)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,finetune]'
	touch $(TUNE_STAMP)

# Every shipped model: the fast tier, the e5 heads, then the fine-tuned MiniLM heads (~25 min each).
models: $(TUNE_STAMP)
	$(BIN)/gardien train --data ../shared/data --accurate --finetune

clean:
	rm -rf $(VENV) gardien-data .mypy_cache .ruff_cache .pytest_cache
