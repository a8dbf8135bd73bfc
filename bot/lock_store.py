"""Rasa's Redis lock store, with one fix: a message waiting for its turn keeps its ticket alive.

Named in endpoints.yml through LOCK_STORE_TYPE (`bot.lock_store.RecoveringRedisLockStore`) when
several Rasa replicas share Redis (docs/cluster.md). Everything else is Rasa's `RedisLockStore`.

Why: a replica killed while it holds a conversation's ticket never gives it back; the ticket
expires after TICKET_LOCK_LIFETIME. A message of that conversation that reaches another replica
meanwhile takes the next ticket, with the same lifetime, issued a moment later. In Rasa 3.6 the
waiter only drops expired tickets once a second, so both tickets usually expire in the same
second: the lock is left empty, its `now_serving` is 0, and the waiter waits for ticket 0 for
ever (through REST, until Sanic's 60-second response timeout; on socket.io, for good). Measured
in tests/cluster/ before this fix. Here, each second of waiting also gives the waiter's own
ticket a new lifetime: only a dead process's ticket expires.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig


class RecoveringRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds a lock store named by its class path with the endpoint configuration only.
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Rasa's loop, but `_keep_waiting` in place of `update_lock`."""
        while True:
            lock = self.get_lock(conversation_id)
            if not lock:
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
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
