# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run chat test lint format check eval bench review review-password clean

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
	$(PY) -m pytest -n 2 --dist loadgroup  # long waits first, see tests/conftest.py

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

# Staff review in the browser: Datasette on 127.0.0.1:$(REVIEW_PORT) over the live $(BOT_DB)
# (never immutable: the bot writes while staff read). Staff log in with their own passwords:
#   REVIEW_USERS=alice,bob                      the logins (lower case)
#   REVIEW_PASSWORD_HASH_ALICE='pbkdf2_sha256$...'  one hash per login, from `make review-password`
# Single quotes keep the $ signs of a hash away from the shell.
BOT_DB ?= data/bot.db
REVIEW_PORT ?= 8001

review: $(STAMP)  ## Staff review in the browser (Datasette behind a login), see above.
	BOT_DB='$(BOT_DB)' REVIEW_PORT='$(REVIEW_PORT)' $(PY) -m bot review

review-password: $(STAMP)  ## Make a password hash for a member of staff (asks twice; 10+ characters).
	$(PY) -m bot review hash-password

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
