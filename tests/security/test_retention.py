"""The conversation store (a real SQLite file): keyed hashes, retention, erasure."""
from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.privacy.retention import erase_conversation, purge_expired
from bot.privacy.sender_ids import stored_sender_id
from bot.settings import PROJECT_ROOT, load_settings
from tests.security.conftest import DAY, save_conversation, stored_rows


@pytest.fixture
def store(tmp_path, monkeypatch):
    """Settings pointing at an SQLite store of this test, for the code and the command line."""
    database = tmp_path / "conversations.sqlite3"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{database}")
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    return replace(
        load_settings(), tracker_store_url=f"sqlite:///{database}", tracker_store_db=str(database)
    )


def senders(settings) -> set[str]:
    with sqlite3.connect(settings.tracker_store_db) as connection:
        return {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}


def test_the_store_keeps_only_keyed_hashes_and_gives_back_the_real_id(store):
    from rasa.shared.core.domain import Domain

    from bot.privacy.tracker_store import PrivateSQLTrackerStore

    save_conversation(store.tracker_store_url, "-1001234567890", ["bonjour", "merci"], time.time())
    assert senders(store) == {stored_sender_id("-1001234567890")}
    assert len(stored_sender_id("-1001234567890")) == 64

    tracker_store = PrivateSQLTrackerStore(
        host=store.tracker_store_url, domain=Domain.load(str(PROJECT_ROOT / "domain.yml"))
    )
    tracker = asyncio.run(tracker_store.retrieve("-1001234567890"))
    assert tracker.sender_id == "-1001234567890"
    assert [e.text for e in tracker.events if e.type_name == "user"] == ["bonjour", "merci"]
    assert asyncio.run(tracker_store.retrieve("-1001234567891")) is None
    tracker_store.engine.dispose()


def test_a_different_key_gives_different_stored_ids(store, monkeypatch):
    first = stored_sender_id("visiteur")
    monkeypatch.setenv("SENDER_ID_KEY", "une-autre-cle-de-bibliotheque-42")
    assert stored_sender_id("visiteur") != first


def test_the_purge_deletes_what_is_older_than_the_retention_period(store):
    now = time.time()
    save_conversation(store.tracker_store_url, "ancien", ["bonjour", "merci"], now - 120 * DAY)
    save_conversation(store.tracker_store_url, "revenu", ["bonjour"], now - 100 * DAY)
    save_conversation(store.tracker_store_url, "revenu", ["encore moi"], now - 2 * DAY)
    save_conversation(store.tracker_store_url, "recent", ["bonjour"], now - 89 * DAY)
    before_revenu = stored_rows(store.tracker_store_db, stored_sender_id("revenu"))

    report = purge_expired(store, now=now)

    assert senders(store) == {stored_sender_id("revenu"), stored_sender_id("recent")}
    assert 0 < stored_rows(store.tracker_store_db, stored_sender_id("revenu")) < before_revenu
    assert report.conversations == 1 and report.events > 0
    with sqlite3.connect(store.tracker_store_db) as connection:
        oldest = connection.execute("SELECT MIN(timestamp) FROM events").fetchone()[0]
    assert oldest >= now - 90 * DAY
    assert purge_expired(store, now=now).events == 0


def test_a_conversation_left_without_a_visitor_message_is_deleted(store):
    now = time.time()
    save_conversation(store.tracker_store_url, "restes", ["bonjour"], now - 91 * DAY)
    with sqlite3.connect(store.tracker_store_db) as connection:  # a later bot message only
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'bot', ?, '{}')",
            (stored_sender_id("restes"), now - DAY),
        )
    purge_expired(store, now=now)
    assert senders(store) == set()


def test_the_retention_period_comes_from_the_configuration(store, monkeypatch, capsys):
    now = time.time()
    save_conversation(store.tracker_store_url, "semaine", ["bonjour"], now - 8 * DAY)
    monkeypatch.setenv("RETENTION_DAYS", "7")
    assert main(["confidentialite", "purger"]) == 0
    assert "de plus de 7 jours" in capsys.readouterr().out
    assert senders(store) == set()


def test_erasure_deletes_one_conversation_whatever_its_age(store):
    now = time.time()
    save_conversation(store.tracker_store_url, "a-effacer", ["bonjour", "je bois trop"], now)
    save_conversation(store.tracker_store_url, "autre", ["bonjour"], now)
    assert erase_conversation("a-effacer", store) == 8  # 2 + 3 per message
    assert senders(store) == {stored_sender_id("autre")}
    assert erase_conversation("a-effacer", store) == 0


def test_nothing_is_created_when_no_conversation_was_ever_stored(store, capsys):
    assert main(["confidentialite", "purger"]) == 0
    assert main(["confidentialite", "effacer", "personne"]) == 1
    assert not Path(store.tracker_store_db).exists()
    assert "Aucune conversation" in capsys.readouterr().err
