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

.PHONY: help run shell test evaluate bench lock setup model database check-python web chromium nginx run-cluster

help: ## cette aide
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: setup model database web ## installe, entraîne si besoin, et démarre l'assistant
	$(PY) -m bot lancer

shell: setup model database ## discute avec l'assistant dans le terminal
	$(PY) -m bot discuter

test: setup model database web chromium nginx ## installe, entraîne si besoin, et passe tous les tests
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

# The website chat widget (bot/web/): its npm packages, installed again only when the lock file
# changes, and its bundle, rebuilt only when its sources change.
web: node_modules/.package-lock.json bot/web/dist/assistant.js ## installe et construit le widget du site

node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "npm est introuvable : le widget du site a besoin de Node.js 20 et de npm. Installez-les"; \
	  echo "(par exemple « apt-get install nodejs npm »), puis relancez la commande."; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

bot/web/dist/assistant.js: node_modules/.package-lock.json $(wildcard bot/web/widget/*)
	npm run --silent build

# The browser tests drive Debian's Chromium; `make run` does not need it.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installation de Chromium (paquet Debian) pour les tests du widget…"; \
	  (apt-get update && apt-get install -y chromium) || { \
	    echo "Impossible d'installer Chromium : les tests du widget dans le navigateur en ont besoin."; \
	    echo "Installez le paquet « chromium » en administrateur (sudo apt-get install chromium),"; \
	    echo "puis relancez « make test »."; exit 1; }; \
	fi

# Several Rasa replicas behind nginx, with PostgreSQL and Redis (docs/cluster.md).
run-cluster: setup model web nginx ## deux répliques Rasa derrière nginx, avec PostgreSQL et Redis
	$(PY) -m bot.cluster

bench: setup model database nginx ## mesures : compréhension, entités, service, recherche bibliographique, grappe (README)
	$(PY) benchmarks/understanding.py --folds 5
	$(PY) benchmarks/entities.py
	$(PY) benchmarks/serving.py --profile
	$(PY) benchmarks/bibliography_search.py
	$(PY) benchmarks/cluster_load.py

# The cluster and its tests need Debian's nginx; `make run` does not.
nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  echo "Installation de nginx (paquet Debian) pour la grappe et ses tests…"; \
	  (apt-get update && apt-get install -y nginx) || { \
	    echo "Impossible d'installer nginx : la grappe (make run-cluster) et ses tests en ont besoin."; \
	    echo "Installez le paquet « nginx » en administrateur (sudo apt-get install nginx),"; \
	    echo "puis relancez la commande."; exit 1; }; \
	fi
