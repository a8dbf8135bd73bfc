"""Shared fixtures: the trained model, and the real servers on 127.0.0.1 for integration tests."""
from __future__ import annotations

import json
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator

import pytest

from bot import training
from bot.launcher import free_port
from bot.settings import load_settings


@pytest.fixture(scope="session")
def trained_model() -> Path:
    model = training.current_model()
    if model is None:
        pytest.fail("Aucun modèle à jour pour ces données : lancez « make test » (ou « python -m bot entrainer »).")
    return model


@pytest.fixture(scope="session")
def seeded_database_url(tmp_path_factory) -> str:
    """A fresh SQLite bibliography, migrated and seeded from data/bibliography/."""
    from bot.bibliography.seed import migrate_and_seed

    url = f"sqlite:///{tmp_path_factory.mktemp('biblio') / 'bibliotheque.sqlite3'}"
    migrate_and_seed(url)
    return url


def isolated_settings(tmp_path_factory, database_url: str, name: str, **overrides):
    """Settings for servers of their own: free ports, the given bibliography, a fresh tracker,
    and one Rasa worker unless told otherwise (the socket.io tests of engine.io's long-polling
    need one; `servers` has two, as `make run`)."""
    folder = tmp_path_factory.mktemp(name)
    tracker = folder / "conversations.sqlite3"
    values = dict(
        rasa_port=free_port(),
        action_port=free_port(),
        database_url=database_url,
        tracker_store_url=f"sqlite:///{tracker}",
        tracker_store_db=str(tracker),
        lock_store_url=str(folder / "verrous.sqlite3"),
        live_model_file=folder / "modele-en-service.txt",
        rasa_workers=1,
        action_workers=1,
    )
    return replace(load_settings(), **{**values, **overrides})


@pytest.fixture(scope="session")
def servers(trained_model, seeded_database_url, tmp_path_factory) -> Iterator:
    """The action server and the Rasa server, as `make run` starts them, on free ports: two
    Rasa workers, as on the 2-core machines of the project, whatever this machine has."""
    from bot.launcher import running_servers

    settings = isolated_settings(tmp_path_factory, seeded_database_url, "tracker", rasa_workers=2,
                                action_workers=2)
    with running_servers(trained_model, settings) as running:
        yield running


def post_json(url: str, payload: dict, timeout: float = 60) -> list | dict:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


@pytest.fixture
def say(servers) -> Callable[[str, str], list[dict]]:
    """Send one message through the REST channel; return the bot's messages."""

    def send(sender: str, text: str) -> list[dict]:
        return post_json(
            f"{servers.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": text}
        )

    return send
