"""Conversation locks that several Rasa processes share: in Redis (a cluster), or in an SQLite
file (the workers of one machine). Named in endpoints.yml through LOCK_STORE_TYPE.

Both fix one thing in Rasa 3.6: a message waiting for its turn keeps its ticket alive. A process
killed while it holds a conversation's ticket never gives it back; the ticket expires after
TICKET_LOCK_LIFETIME. A message of that conversation that reaches another process meanwhile takes
the next ticket, with the same lifetime, issued a moment later. In Rasa 3.6 the waiter only drops
expired tickets once a second, so both tickets usually expire in the same second: the lock is
left empty, its `now_serving` is 0, and the waiter waits for ticket 0 for ever (through REST,
until Sanic's 60-second response timeout; on socket.io, for good). Measured in tests/cluster/
before this fix. Here, each poll also gives the waiter's own ticket a new lifetime: only a dead
process's ticket expires.

- `RecoveringRedisLockStore`: Rasa's `RedisLockStore` with that fix (docs/cluster.md).
- `SQLiteLockStore`: for `make run`, whose Rasa server runs one worker per core (SANIC_WORKERS):
  Rasa refuses several workers with its in-memory store (rasa#6629), and the embedded default
  must need no server. Rasa's store reads a lock, changes it and writes it back in three steps,
  so two workers could draw the same ticket; here each change is one write transaction
  (BEGIN IMMEDIATE), and tickets are drawn one at a time across processes.
"""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import deque
from pathlib import Path
from typing import Optional

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot import local_sqlite


class KeepWaiting(LockStore):
    """The waiting loop of Rasa's lock store, with `_keep_waiting` in place of `update_lock`.

    `poll_seconds`, when set, replaces the wait Rasa asks for (one second for every message).
    """

    poll_seconds: Optional[float] = None

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if not lock:
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(self.poll_seconds or wait_time_in_seconds)
            self._keep_waiting(conversation_id, ticket)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    def _keep_waiting(self, conversation_id: str, ticket: int) -> None:
        """Drop the expired tickets, and renew this one, put back in its place if it had expired."""
        lock = self.get_lock(conversation_id)
        if lock is None:
            return
        alive = [t for t in lock.tickets if t.number != ticket and not t.has_expired()]
        alive.append(Ticket(ticket, time.time() + LOCK_LIFETIME))
        lock.tickets = deque(sorted(alive, key=lambda t: t.number))
        self.save_lock(lock)


class RecoveringRedisLockStore(KeepWaiting, RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds a lock store named by its class path with the endpoint configuration only.
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)


class SQLiteLockStore(KeepWaiting):
    """Tickets in an SQLite file (LOCK_STORE_URL, var/verrous.sqlite3 by default)."""

    # Two messages of one conversation at once are rare; when they come, the second waits a few
    # milliseconds after the first, not Rasa's second.
    poll_seconds = 0.01

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__()
        self.path = Path(endpoint_config.url)
        with local_sqlite.write_transaction(self.path) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS locks (conversation_id TEXT PRIMARY KEY, lock TEXT NOT NULL)")

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        row = local_sqlite.connection(self.path).execute(
            "SELECT lock FROM locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    def save_lock(self, lock: TicketLock) -> None:
        local_sqlite.connection(self.path).execute(
            "INSERT OR REPLACE INTO locks VALUES (?, ?)", (lock.conversation_id, lock.dumps()))

    def delete_lock(self, conversation_id: str) -> None:
        local_sqlite.connection(self.path).execute("DELETE FROM locks WHERE conversation_id = ?", (conversation_id,))

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            with local_sqlite.write_transaction(self.path):
                return super().issue_ticket(conversation_id, lock_lifetime)
        except sqlite3.Error as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with local_sqlite.write_transaction(self.path):
            super().cleanup(conversation_id, ticket_number)

    def _keep_waiting(self, conversation_id: str, ticket: int) -> None:
        with local_sqlite.write_transaction(self.path):
            super()._keep_waiting(conversation_id, ticket)
