# The project's verbs. Each is a thin wrapper: the work is in bot/ (python -m bot …).
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

# Rasa 3.6 needs Python 3.10: the first python that is 3.10 (pyenv resolves python3 through
# .python-version).
PYTHON310 := $(shell for p in python3 python3.10 $$HOME/.pyenv/versions/3.10.13/bin/python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; \
	then echo $$p; break; fi; done)

.PHONY: help run shell test evaluate bench lock setup model database check-python

help: ## cette aide
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: setup model database ## installe, entraîne si besoin, et démarre l'assistant
	$(PY) -m bot lancer

shell: setup model database ## discute avec l'assistant dans le terminal
	$(PY) -m bot discuter

test: setup model database ## installe, entraîne si besoin, et passe tous les tests
	$(PY) -m pytest

evaluate: setup model ## score du modèle sur le jeu de test (rapport dans results/)
	$(PY) -m bot evaluer

lock: ## recompile requirements.txt depuis requirements.in (outil à part, Python 3.10)
	$(PYTHON310) -m venv /tmp/pip-tools-venv && /tmp/pip-tools-venv/bin/pip install -q pip-tools
	/tmp/pip-tools-venv/bin/pip-compile --quiet --strip-extras --no-header -o requirements.txt requirements.in

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml | check-python
	$(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

check-python:
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "Python 3.10 est introuvable : Rasa 3.6 ne fonctionne pas avec une autre version."; \
	  echo "Installez-le, par exemple avec pyenv : « pyenv install 3.10.13 » (le fichier"; \
	  echo ".python-version du projet le sélectionne ensuite), ou votre gestionnaire de paquets."; \
	  exit 1; fi

model: setup
	$(PY) -m bot entrainer

database: setup
	$(PY) -m bot base
