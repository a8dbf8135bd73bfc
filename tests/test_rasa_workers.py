"""The Rasa workers of `make run` share each conversation: two messages of one conversation sent
at the same moment, which may reach two workers, are answered one after the other, each once
(the conversation locks of bot/lock_store.py, in an SQLite file)."""
import json
import sqlite3
import threading
import uuid

import pytest
from sqlalchemy.engine import make_url

from bot.privacy.sender_ids import stored_sender_id
from tests.conftest import post_json

pytestmark = pytest.mark.integration

QUESTIONS = ("c'est quoi la pair-aidance ?", "c'est quoi un GEM ?")
CONVERSATIONS = 12  # pairs sent at once: enough for some to land on each worker


def send_together(url: str, sender: str) -> dict[str, list[dict]]:
    barrier = threading.Barrier(len(QUESTIONS))
    replies: dict[str, list[dict]] = {}

    def send(question: str) -> None:
        barrier.wait()
        replies[question] = post_json(url, {"sender": sender, "message": question})

    threads = [threading.Thread(target=send, args=(q,)) for q in QUESTIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return replies


def stored_turns(tracker_store_url: str, sender: str) -> list[tuple[str, str]]:
    """The user and bot events of a conversation, in the order the store keeps them."""
    with sqlite3.connect(make_url(tracker_store_url).database) as connection:
        rows = connection.execute(
            "SELECT type_name, data FROM events WHERE sender_id = ? AND type_name IN ('user', 'bot') "
            "ORDER BY id", (stored_sender_id(sender),)).fetchall()
    return [(kind, json.loads(data).get("text") or "") for kind, data in rows]


def test_two_messages_of_one_conversation_sent_at_once_are_answered_in_turn_each_once(servers):
    assert servers.rasa_workers == 2
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    for number in range(CONVERSATIONS):
        sender = f"ensemble-{number}-{uuid.uuid4().hex[:8]}"
        post_json(url, {"sender": sender, "message": "bonjour"})  # the session is open
        opened = len(stored_turns(servers.tracker_store_url, sender))
        replies = send_together(url, sender)
        turns = stored_turns(servers.tracker_store_url, sender)[opened:]
        assert [kind for kind, _ in turns] == ["user", "bot", "user", "bot"], turns
        assert sorted(text for kind, text in turns if kind == "user") == sorted(QUESTIONS)
        for (_, question), (_, answer) in zip(turns[0::2], turns[1::2]):
            assert [m["text"] for m in replies[question]] == [answer]
