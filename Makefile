# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run chat test lint format check eval bench review clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,review]'
	touch $(STAMP)

run: $(STAMP)  ## The bot: Telegram when TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat.
	$(PY) -m bot

chat: $(STAMP)  ## The terminal chat.
	$(PY) -m bot chat

test: $(STAMP)  ## Lint, validate the content, run the whole suite.
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m bot check
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(STAMP)  ## Validate every YAML file.
	$(PY) -m bot check

eval: $(STAMP)  ## Matcher accuracy on the development questions.
	$(PY) -m tests.eval_matcher

bench: $(STAMP)  ## Benchmarks (figures, not pass/fail).
	$(PY) -m tests.bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
