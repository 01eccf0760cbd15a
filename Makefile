# The two commands of the README. `make run` and `make test` bootstrap a virtual environment in
# .venv from the pinned lock (requirements.lock) on first use; nothing is installed by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= 4

SLURM_STAMP := $(VENV)/.installed-slurm

.PHONY: run test lint report benchmark slurm clean-results help

help:
	@echo "make run      - create .venv (first time) and run the demo pipeline (snakemake --cores $(CORES))"
	@echo "make test     - create .venv (first time) and run the whole test suite"
	@echo "make lint     - snakemake --lint, snakefmt --check and ruff"
	@echo "make report   - snakemake --report results/workflow-report.html, leak-checked (ARGS=\"--configfile my.yaml\")"
	@echo "make benchmark - print and record speed figures (benchmarks/benchmark.py)"
	@echo "make slurm    - add the Slurm executor plugin to .venv (README: Running on a cluster)"

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0] + ". Set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# The cluster extra: its own lock, installed on top of the base environment.
$(SLURM_STAMP): $(STAMP) requirements-slurm.lock
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-slurm.lock
	@touch $(SLURM_STAMP)

slurm: $(SLURM_STAMP)

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --workflow-profile workflow/profiles/default

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/ruff check workflow tests benchmarks

# Snakemake's workflow report inlines every site's report, figures and the rules' params: it is
# shared output, so it is leak-checked like every other one and published only when clean.
# ARGS: the Snakemake options of the run (a site added with a config file:
# make report ARGS="--configfile myschool.yaml"); the leak check reads the config from them too.
# An earlier report and verdict are removed first: a failure leaves neither.
ARGS ?=

report: $(STAMP)
	rm -f results/workflow-report.html results/workflow-report.leak_check.txt \
		results/workflow-report.unchecked.html
	$(BIN)/snakemake --report results/workflow-report.unchecked.html $(ARGS)
	$(BIN)/python -m parentgroup.leak_check results/workflow-report.unchecked.html \
		--publish results/workflow-report.html -- $(ARGS)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/benchmark.py

clean-results:
	rm -rf results data/processed logs .snakemake
