# kawa — every target works on a fresh machine: it creates .venv and installs what it needs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO_HOME := .kawa-demo

BENCH_PEERS   := bench/.venv-peers
BENCH_AIRFLOW := bench/.venv-airflow

.PHONY: install demo test lint typecheck contracts bench bench-env bench-peers clean

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m compileall -q src >/dev/null
	$(PY) -c "from kawa.spec import schema; schema.warm_cache()"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO_HOME)
	KAWA_HOME=$(CURDIR)/$(DEMO_HOME) $(VENV)/bin/kawa run examples/ml-pipeline.yaml

test: $(STAMP) lint typecheck contracts
	$(PY) -m pytest -q -p no:cacheprovider tests

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

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

bench: $(STAMP) bench-env
	$(PY) bench/overhead.py
	$(PY) bench/chaos.py --runs 100
	$(MAKE) --no-print-directory bench-peers

# kawa (from .venv) against Prefect, Luigi, Snakemake, Dask and Airflow; see bench/RESULTS.md
bench-peers: $(STAMP) bench-env
	$(BENCH_PEERS)/bin/python bench/peers.py --kawa $(CURDIR)/$(VENV)/bin/kawa \
		--airflow $(CURDIR)/$(BENCH_AIRFLOW)/bin/airflow

clean:
	rm -rf $(VENV) $(DEMO_HOME) .mypy_cache .ruff_cache .pytest_cache $(BENCH_PEERS) $(BENCH_AIRFLOW)
