# Set-up is part of every target: a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: briefing test lab params clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("estimates needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

briefing: $(STAMP)  ## run the suite with the baseline parameters; prints the briefing's path
	$(BIN)/estimates run

test: $(STAMP)  ## the whole test suite (quick Monte Carlo profile)
	$(BIN)/python -m pytest

lab: $(STAMP)  ## open the notebooks in JupyterLab with the project's environment
	$(BIN)/jupyter lab notebooks/

params: $(STAMP)  ## list every parameter
	$(BIN)/estimates params

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis
