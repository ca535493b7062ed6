# The one entry point: `make run` starts Yuqing with demo data, `make test` runs the tests.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
ADDR ?= 127.0.0.1:8000

.PHONY: install run test test-fast lint bench bench-textcheck bench-classifier bench-collection bench-alerting bench-scale bench-stats messages clean

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Yuqing needs Python 3.11 or newer (set PY=python3.11)")'
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@# build-backend warnings (editable installs) are no news to someone installing; errors still show
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	$(BIN)/yuqing migrate --no-input -v 0
	$(BIN)/yuqing demo --addr $(ADDR)
	$(BIN)/yuqing run --addr $(ADDR)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check yuqing tests bench

bench: bench-textcheck bench-classifier bench-collection bench-alerting

bench-textcheck: install
	$(BIN)/python bench/textcheck.py --runs 5
	$(BIN)/python bench/textcheck_prose.py

bench-classifier: install
	$(BIN)/python bench/classifier.py

bench-collection: install
	$(BIN)/python bench/collection.py

bench-alerting: install
	$(BIN)/python bench/alerting.py

# Not part of `make bench`: at the default 1 M items it runs for a long while (SCALE=100000 for a quick look).
SCALE ?= 1000000
bench-scale: install
	SCALE=$(SCALE) $(BIN)/python bench/scale.py

bench-stats: install
	$(BIN)/python bench/stats.py --mentions 100000 --schools 20

# Regenerate translations after changing interface strings (needs GNU gettext); the .mo files are committed.
messages: install
	cd yuqing && ../$(BIN)/django-admin makemessages -l zh_Hans --ignore 'static/*' && ../$(BIN)/django-admin compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var
