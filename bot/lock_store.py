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
import os
import sqlite3
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig


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
    """Tickets in an SQLite file (LOCK_STORE_URL, var/verrous.sqlite3 by default).

    Locks last seconds: the file needs no durability (`synchronous=OFF`), and each process opens
    its own connection (after Sanic's fork, never one inherited from its parent).
    """

    # Two messages of one conversation at once are rare; when they come, the second waits a few
    # milliseconds after the first, not Rasa's second.
    poll_seconds = 0.01

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__()
        self.path = Path(endpoint_config.url)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection: Optional[sqlite3.Connection] = None
        self._pid = 0
        with self._transaction() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS locks (conversation_id TEXT PRIMARY KEY, lock TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: no other process reads or writes a lock meanwhile."""
        connection = self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        row = self._connect().execute(
            "SELECT lock FROM locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    def save_lock(self, lock: TicketLock) -> None:
        self._connect().execute("INSERT OR REPLACE INTO locks VALUES (?, ?)", (lock.conversation_id, lock.dumps()))

    def delete_lock(self, conversation_id: str) -> None:
        self._connect().execute("DELETE FROM locks WHERE conversation_id = ?", (conversation_id,))

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            with self._transaction():
                return super().issue_ticket(conversation_id, lock_lifetime)
        except sqlite3.Error as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._transaction():
            super().cleanup(conversation_id, ticket_number)

    def _keep_waiting(self, conversation_id: str, ticket: int) -> None:
        with self._transaction():
            super()._keep_waiting(conversation_id, ticket)
