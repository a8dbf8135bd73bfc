"""The lock store of the replicas (bot/lock_store.py), on the Redis server of 127.0.0.1.

A replica killed while it holds a conversation leaves its ticket behind; the next message of
that conversation, on another replica, must get the conversation once that ticket expires.
"""
import asyncio
import uuid

import pytest
import redis
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.cluster import cluster_settings
from bot.lock_store import RecoveringRedisLockStore
from bot.settings import load_settings

pytestmark = pytest.mark.integration
DEAD_TICKET_LIFETIME = 3  # seconds
# Shorter than the dead ticket's: the waiter's own ticket expires first, which in Rasa's store
# happens by chance (both expire within the same second of polling); here it is certain.
WAITER_TICKET_LIFETIME = 2


@pytest.fixture
def endpoint() -> EndpointConfig:
    settings = cluster_settings(load_settings())
    try:
        redis.Redis(host=settings.lock_store_url, port=settings.lock_store_port, socket_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis server answers at {settings.lock_store_url}:{settings.lock_store_port}")
    return EndpointConfig(
        url=settings.lock_store_url, port=settings.lock_store_port, db=settings.lock_store_db,
        type="bot.lock_store.RecoveringRedisLockStore",
    )


async def _wait_for_the_conversation(store: RedisLockStore, conversation: str) -> None:
    async with store.lock(conversation, lock_lifetime=WAITER_TICKET_LIFETIME, wait_time_in_seconds=0.2):
        pass


def _after_a_dead_replica(store: RedisLockStore, dead: RedisLockStore, timeout: float) -> None:
    conversation = f"test-verrou-{uuid.uuid4().hex}"
    dead.issue_ticket(conversation, DEAD_TICKET_LIFETIME)  # taken, never given back
    try:
        asyncio.run(asyncio.wait_for(_wait_for_the_conversation(store, conversation), timeout))
    finally:
        store.delete_lock(conversation)


def test_a_message_gets_the_conversation_once_the_dead_replica_ticket_expires(endpoint):
    store = RecoveringRedisLockStore(endpoint)
    _after_a_dead_replica(store, RecoveringRedisLockStore(endpoint), timeout=DEAD_TICKET_LIFETIME + 3)


def test_rasa_own_redis_store_waits_for_ever_there(endpoint):
    """Why bot/lock_store.py exists; if this fails, Rasa fixed it and the class can go."""
    store = RedisLockStore(host=endpoint.url, port=endpoint.kwargs["port"], db=endpoint.kwargs["db"])
    with pytest.raises(asyncio.TimeoutError):
        _after_a_dead_replica(store, store, timeout=DEAD_TICKET_LIFETIME + 3)
