"""Rasa's SQL tracker store, keeping each conversation under the keyed hash of its sender id
(and reading back only the events a worker has not read yet: bot/incremental_tracker_store.py).

Named in endpoints.yml (`type: bot.privacy.tracker_store.PrivateSQLTrackerStore`). Rasa builds a
custom store with `host=<url>`, `domain`, `event_broker` and the other keys of the section
(`dialect`, `db`), exactly the arguments of `SQLTrackerStore`, so everything else is Rasa's.

Every query of `SQLTrackerStore` for one conversation goes through `_event_query`, and every
write through `save`: hashing the id in those two places is enough. The trackers handed back to
Rasa keep the real id (`_retrieve` builds them from the id it was asked for), so the answers
still reach the visitor. `keys()` lists stored ids, which cannot be turned back into real ones.
"""
from __future__ import annotations

import copy
from typing import Any

from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Query, Session

from bot.incremental_tracker_store import IncrementalSQLTrackerStore
from bot.privacy.sender_ids import keyed_hash, sender_id_key, stored_sender_id

__all__ = ["PrivateSQLTrackerStore", "stored_sender_id"]


class StoredSenderId(str):
    """An id that is already the stored (hashed) form: it is not hashed a second time."""


class PrivateSQLTrackerStore(IncrementalSQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._key = sender_id_key()  # read first: a bad key stops Rasa with a clear message
        super().__init__(*args, **kwargs)

    def stored_id(self, sender_id: str) -> StoredSenderId:
        if isinstance(sender_id, StoredSenderId):
            return sender_id
        return StoredSenderId(keyed_hash(self._key, sender_id))

    def _event_query(
        self, session: Session, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Query:
        stored = self.stored_id(sender_id)
        return super()._event_query(session, stored, fetch_events_from_all_sessions)

    async def save(self, tracker: DialogueStateTracker) -> None:
        # A shallow copy under the stored id: Rasa's `save` writes rows with `tracker.sender_id`
        # and counts the stored ones through `_event_query`, which leaves a StoredSenderId as is.
        stored = copy.copy(tracker)
        stored.sender_id = self.stored_id(tracker.sender_id)
        await super().save(stored)
