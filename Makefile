# kawa — every target works on a fresh machine: it creates .venv and installs what it needs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO_HOME := .kawa-demo
# the web UI (ui/): npm installs from the lockfile, esbuild bundles into the package
UI_MODULES := ui/node_modules/.kawa-installed
UI_ASSETS  := src/kawa/server/ui_assets/index.html
UI_SOURCES := ui/build.mjs $(shell find ui/src -type f 2>/dev/null)

BENCH_PEERS   := bench/.venv-peers
BENCH_AIRFLOW := bench/.venv-airflow

.PHONY: install ui wheel demo demo-ml test lint typecheck contracts bench bench-env bench-peers
.PHONY: bench-flagship clean flagship-data compiled

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,flagship]'
	$(PY) -m compileall -q src >/dev/null
	$(PY) -c "from kawa.spec import schema; schema.warm_cache()"
	touch $(STAMP)

install: $(STAMP) ui

$(UI_MODULES): ui/package.json ui/package-lock.json scripts/setup-system.sh
	bash scripts/setup-system.sh
	cd ui && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# rebuilt only when a source of the UI or the lockfile changed
$(UI_ASSETS): $(UI_MODULES) $(UI_SOURCES)
	cd ui && npm run --silent build

ui: $(UI_ASSETS)

# the wheel, with the built UI in it (dist/kawa-*.whl)
wheel: $(STAMP) ui
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/*.whl

# the flagship: fan out over chunks of collider data, merge exactly, plot (examples/higgs4l)
demo: $(STAMP) flagship-data
	rm -rf $(DEMO_HOME)
	KAWA_HOME=$(CURDIR)/$(DEMO_HOME) $(VENV)/bin/kawa run examples/higgs4l/higgs4l.yaml \
	  --name higgs4l -p chunks=8 -p code-dir=$(CURDIR)/examples/higgs4l \
	  -p data-dir=$(CURDIR)/examples/higgs4l/data
	KAWA_HOME=$(CURDIR)/$(DEMO_HOME) $(VENV)/bin/kawa cp higgs4l $(DEMO_HOME)/output --node plot
	@cat $(DEMO_HOME)/output/plot/summary.txt
	@echo "the plot: $(DEMO_HOME)/output/plot/higgs4l.png"

# the ML-style example: fan-out over learning rates, a retried step, an exit handler
demo-ml: $(STAMP)
	rm -rf $(DEMO_HOME)
	KAWA_HOME=$(CURDIR)/$(DEMO_HOME) $(VENV)/bin/kawa run examples/ml-pipeline.yaml

# the flagship's two ROOT files (scikit-hep-testdata 0.3.12), verified, never committed
flagship-data: $(STAMP)
	$(PY) examples/higgs4l/fetch_data.py examples/higgs4l/data

test: $(STAMP) ui lint typecheck contracts
	$(PY) -m pytest -q -p no:cacheprovider tests

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench examples
	$(VENV)/bin/ruff format --check src tests bench examples

typecheck: $(STAMP)
	$(VENV)/bin/mypy

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

# the peer engines live in their own environments; kawa stays in .venv
$(BENCH_PEERS)/.installed: bench/requirements-peers.txt
	test -x $(BENCH_PEERS)/bin/python || $(PYTHON) -m venv $(BENCH_PEERS)
	$(BENCH_PEERS)/bin/python -m pip install --quiet -r bench/requirements-peers.txt
	touch $@

# Airflow is optional: if it does not install, bench/peers.py reports it and carries on
$(BENCH_AIRFLOW)/.installed: bench/requirements-airflow.txt
	test -x $(BENCH_AIRFLOW)/bin/python || $(PYTHON) -m venv $(BENCH_AIRFLOW)
	$(BENCH_AIRFLOW)/bin/python -m pip install --quiet -r bench/requirements-airflow.txt \
		|| echo "Airflow did not install; bench/peers.py will say so"
	touch $@

bench-env: $(BENCH_PEERS)/.installed $(BENCH_AIRFLOW)/.installed

# sources edited since install are byte-compiled first: with PYTHONDONTWRITEBYTECODE set,
# Python would otherwise compile them again in every `kawa` process a benchmark starts
compiled: $(STAMP)
	$(PY) -m compileall -q src >/dev/null

bench: compiled bench-env
	$(PY) bench/overhead.py
	$(PY) bench/chaos.py --runs 100
	$(PY) bench/api.py
	$(PY) bench/flagship.py --chunks 1000
	$(MAKE) --no-print-directory bench-peers

# the flagship at 1,000 chunks per sample against a multiprocessing.Pool
bench-flagship: compiled flagship-data
	$(PY) bench/flagship.py --chunks 1000

# kawa (from .venv) against Prefect, Luigi, Snakemake, Dask and Airflow; see bench/RESULTS.md
bench-peers: compiled bench-env
	$(BENCH_PEERS)/bin/python bench/peers.py --kawa $(CURDIR)/$(VENV)/bin/kawa \
		--airflow $(CURDIR)/$(BENCH_AIRFLOW)/bin/airflow

clean:
	rm -rf $(VENV) $(DEMO_HOME) .mypy_cache .ruff_cache .pytest_cache $(BENCH_PEERS) $(BENCH_AIRFLOW)
	rm -rf ui/node_modules src/kawa/server/ui_assets dist test-artifacts
