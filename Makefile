# The two commands of the README:
#   make demo   set up, ingest the bundled example articles into SQLite, show what came out
#   make test   set up (system packages included, where possible) and run every test
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= marsad-demo.db

.PHONY: setup setup-dev system-deps demo test test-fast lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -e .

setup-dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,postgres,spark]'

system-deps:
	./scripts/install-system-deps.sh

demo: setup
	rm -f $(DB) $(DB)-wal $(DB)-shm
	$(BIN)/marsad ingest examples/articles.jsonl --db $(DB)
	$(BIN)/marsad stats --db $(DB)
	$(BIN)/marsad timeline RUS PRK --by month --db $(DB)
	$(BIN)/marsad quotes --speaker "Sergey Lavrov" --db $(DB)
	$(BIN)/marsad analyze examples/lavrov-pyongyang.txt --published 2023-10-19 > demo-analysis.json
	@echo "the seed article's full analysis: demo-analysis.json; browse it all: $(BIN)/marsad serve --db $(DB)"

test: system-deps setup-dev
	$(BIN)/ruff check marsad tests benchmarks scripts
	MARSAD_ALL_TESTS=1 $(BIN)/python -m pytest -q

test-fast: setup-dev
	$(BIN)/python -m pytest -q -m "not browser and not spark and not postgres"

lint:
	$(BIN)/ruff check marsad tests benchmarks scripts

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache $(DB) demo-analysis.json

# Retrain the NER model from the shared ANERcorp train split (about 10 CPU minutes);
# rerun when the actor dictionary changes much, its gazetteer features depend on it.
SHARED ?= ../shared
.PHONY: ner-model
ner-model: setup
	$(BIN)/python scripts/train_ner.py --data $(SHARED)/data/anercorp_camel --aqmar $(SHARED)/data/aqmar --out marsad/models/ner-ar.crfsuite
