"""Rasa's SQL tracker store, reading back only the events a worker has not read yet.

Rasa 3.6 rebuilds a conversation from the database at every message: it reads every event of
the session, parses its JSON and turns it into an event object, so that a turn cost 30 ms at 5
turns and 107 ms at 200 (benchmarks/serving.py, « un tour selon la longueur de la
conversation »). Here each worker keeps the event objects of the conversations it has seen
(the most recent MAX_CONVERSATIONS) and, at the next message, reads only the rows written
since, by itself or by another worker. What it kept is trusted only if the store still holds
exactly the rows it read plus the new ones: after a new session, or rows deleted (a visitor's
conversation erased, the retention purge), the conversation is read whole, as Rasa does.

On SQLite (the embedded default), the file is also put in write-ahead-log mode: the workers then
read while one of them writes, instead of waiting for each other's writes to end.
"""
from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import event
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

# Kept per worker, most recent first out of mind: a few tens of megabytes at most.
MAX_CONVERSATIONS = 500


@dataclass
class _Read:
    """The events of a conversation's latest session, as far as they were read."""

    events: list[Event]
    last_id: int
    rows: int


class IncrementalSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read: OrderedDict[str, _Read] = OrderedDict()
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _write_ahead_log)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            read = self._read.pop(sender_id, None)
            if read is not None:
                read = self._read_more(query, read)
            if read is None:
                rows = query.all()
                read = _Read(self._events(rows), rows[-1].id if rows else 0, len(rows))
        if not read.events or not self.domain:
            return None
        self._read[sender_id] = read
        if len(self._read) > MAX_CONVERSATIONS:
            self._read.popitem(last=False)
        return DialogueStateTracker.from_events(sender_id, read.events, self.domain.slots)

    def _read_more(self, query: Any, read: _Read) -> Optional[_Read]:
        """The rows written since `read`, or None when what was read no longer holds."""
        new_rows = query.filter(self.SQLEvent.id > read.last_id).all()
        if any(row.type_name == SessionStarted.type_name for row in new_rows):
            return None
        if query.count() != read.rows + len(new_rows):
            return None
        if not new_rows:
            return read
        return _Read(read.events + self._events(new_rows), new_rows[-1].id, read.rows + len(new_rows))

    @staticmethod
    def _events(rows: list) -> list[Event]:
        return deserialise_events([json.loads(row.data) for row in rows])


def _write_ahead_log(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
