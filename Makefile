# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv when missing and install into it with constraints.txt
# (which pins the CPU build of torch that lies on these machines), with the
# [dev] extra (= web chat + benchmarks + test tools). The checkout keeps its
# index in index/; an installed hccqa uses the per-user cache instead.

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install browser run test lint index clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	# An editable install leaves src/ without bytecode (pip compiles only what it copies),
	# and with PYTHONDONTWRITEBYTECODE set every `hccqa` process compiles it again.
	$(PY) -m compileall -q src
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else echo "chromium missing: run 'sudo apt-get install -y chromium' (browser tests will be skipped)"; fi; }

index: install
	$(VENV)/bin/hccqa build --index index

run: install
	$(VENV)/bin/hccqa serve --index index

test: install browser
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check src tests app.py
	$(VENV)/bin/ruff format --check src tests app.py
	$(VENV)/bin/mypy src

clean:
	rm -rf $(VENV) index/*.faiss index/*.json index/*.npy .pytest_cache
