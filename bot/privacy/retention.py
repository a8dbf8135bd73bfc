"""How long conversations are kept: events older than the retention period are deleted, and so
are the conversations this leaves without a single visitor message; one conversation is erased
on its visitor's request.

Plain SQL on Rasa's `events` table (one row per event, with its sender id and Unix timestamp),
so that it runs without loading Rasa: at start-up (bot/launcher.py) and from the command line
(`python -m bot confidentialite …`), while the assistant runs or not.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.privacy.sender_ids import stored_sender_id
from bot.settings import Settings, load_settings

SECONDS_PER_DAY = 86_400


class ConversationStoreError(RuntimeError):
    """The conversation database cannot be reached; the message is French, for the librarian."""


@dataclass(frozen=True)
class PurgeReport:
    events: int
    conversations: int

    def summary_fr(self, days: int) -> str:
        if not self.events:
            return f"Aucune conversation de plus de {days} jours à effacer."
        return (
            f"Effacé : {self.events} événements de plus de {days} jours, dont {self.conversations} "
            "conversations entières."
        )


def purge_expired(settings: Optional[Settings] = None, now: Optional[float] = None) -> PurgeReport:
    """Delete what is older than `settings.retention_days`; nothing happens without a database."""
    settings = settings or load_settings()
    cutoff = (time.time() if now is None else now) - settings.retention_days * SECONDS_PER_DAY
    engine = _engine(settings.tracker_store_url)
    if engine is None:
        return PurgeReport(0, 0)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return PurgeReport(0, 0)
            before = _count_conversations(connection)
            events = connection.execute(
                text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
            ).rowcount
            # A conversation is saved a whole turn at a time, visitor message included: one left
            # without any is only the remains of old turns, never a conversation being written.
            events += connection.execute(
                text(
                    "DELETE FROM events WHERE sender_id NOT IN "
                    "(SELECT DISTINCT sender_id FROM events WHERE type_name = 'user')"
                )
            ).rowcount
            return PurgeReport(events, before - _count_conversations(connection))
    except SQLAlchemyError as error:
        raise _unreachable(error) from None
    finally:
        engine.dispose()


def erase_conversation(sender_id: str, settings: Optional[Settings] = None) -> int:
    """Delete every event of one visitor's conversation; return how many there were.

    The id is the visitor's (the widget's session id, the Telegram chat id). Rows stored under
    the id itself, before the store hashed ids, are deleted too.
    """
    settings = settings or load_settings()
    engine = _engine(settings.tracker_store_url)
    if engine is None:
        return 0
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            return connection.execute(
                text("DELETE FROM events WHERE sender_id IN (:stored, :raw)"),
                {"stored": stored_sender_id(sender_id, settings), "raw": sender_id},
            ).rowcount
    except SQLAlchemyError as error:
        raise _unreachable(error) from None
    finally:
        engine.dispose()


def _count_conversations(connection) -> int:
    return connection.execute(text("SELECT COUNT(DISTINCT sender_id) FROM events")).scalar_one()


def _engine(url: str) -> Optional[Engine]:
    """The database's engine, or None for an SQLite file not created yet (nothing stored)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not (parsed.database and Path(parsed.database).exists()):
            return None
    return create_engine(url, future=True)


def _unreachable(error: SQLAlchemyError) -> ConversationStoreError:
    return ConversationStoreError(
        f"la base des conversations ne répond pas ({str(error).splitlines()[0][:200]}) ; "
        "vérifiez TRACKER_STORE_URL"
    )
