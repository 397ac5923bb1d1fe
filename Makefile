# Set-up is part of every target: a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The baseline run whose figures the README quotes (tests/golden/capture.py writes it).
README_BASELINE := tests/golden/baseline.json
# The front-page pictures in docs/ come from a baseline run in an output root of its own, so the
# briefing has no earlier run to compare with; it is run again when code, data or notebooks change.
SCREENSHOT_ROOT := reports/screenshots
SCREENSHOT_INPUTS := $(shell find src data notebooks -type f -not -path '*/__pycache__/*' \
	-not -path '*/.ipynb_checkpoints/*' 2>/dev/null)

.PHONY: briefing test lab lab-screenshots params readme-figures screenshots chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("estimates needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

briefing: $(STAMP)  ## run the suite with the baseline parameters; prints the briefing's path
	$(BIN)/estimates run

test: $(STAMP)  ## the whole test suite (quick Monte Carlo profile); prints its ten slowest tests
	$(BIN)/python -m pytest --durations=10

readme-figures: $(STAMP)  ## rewrite the README's baseline figures from the stored baseline results.json
	$(BIN)/python -m estimates.report.readme_figures $(README_BASELINE) README.md

screenshots: $(SCREENSHOT_ROOT)/latest/briefing.html  ## the front page on screen and printed, as PNGs in docs/ (runs the baseline if needed; needs Chromium)
	$(BIN)/python -m estimates.report.screenshots $(SCREENSHOT_ROOT)/latest docs

$(SCREENSHOT_ROOT)/latest/briefing.html: $(STAMP) $(SCREENSHOT_INPUTS)
	rm -rf $(SCREENSHOT_ROOT)
	$(BIN)/estimates run --out $(SCREENSHOT_ROOT)

lab-screenshots: $(STAMP)  ## each notebook in JupyterLab after Run All, as docs/notebook-<name>.png (needs Chromium)
	$(BIN)/python -m estimates.lab_browser docs

lab: $(STAMP)  ## open the notebooks in JupyterLab, on a working copy in lab/ (git ignores it; notebooks/ stays as stored)
	$(BIN)/estimates lab

params: $(STAMP)  ## list every parameter
	$(BIN)/estimates params

chromium:  ## Debian's Chromium, for `estimates run --pdf` and the browser tests (needs root and apt)
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation; \
	else echo "chromium: not installed; as root on Debian: apt-get install chromium (browser tests will skip)"; fi

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis test-artifacts
