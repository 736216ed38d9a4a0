# Set-up and everyday commands. `make run` and `make test` work on a fresh machine:
# they find a Python >= 3.12, create .venv, install trilat with its test extras, then run.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup browser run test fuzz lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@PY=$$(scripts/find-python) || exit 1; \
	echo "Using $$PY ($$($$PY --version))"; \
	[ -x $(BIN)/python ] || $$PY -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The browser tests drive Debian's chromium (never a downloaded one); install it once if missing.
browser:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: /usr/bin/chromium"; else \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; fi

run: setup
	$(BIN)/trilat run baseline

test: setup browser
	$(BIN)/python -m pytest

fuzz: setup
	$(BIN)/python -m pytest -m fuzz -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/trilat bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
