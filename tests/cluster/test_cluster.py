"""Two Rasa replicas behind nginx: conversations go on, whole and once, when a replica dies.

The short form of `make bench` (benchmarks/cluster_load.py). The tests share one cluster and
run in this order: the fault run last, since it kills and restarts processes.
"""
import asyncio
import json
import urllib.request
import uuid

import pytest
import socketio

from bot.channels.rest import REPLAYED_HEADER

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

CONVERSATIONS = 8
TURNS = 6
SOCKETIO_TURNS = (("bonjour", "Que voulez-vous savoir"), ("c'est quoi un GEM ?", "groupe d'entraide mutuelle"))


def post(url: str, payload: dict) -> tuple[list[dict], dict]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=90) as response:
        return json.loads(response.read()), dict(response.headers)


def stored_user_messages(cluster, cluster_load, sender: str) -> list[tuple[str, str]]:
    events = cluster_load.stored_events(cluster.settings, [sender])[sender]
    return [(e["text"], e["message_id"]) for e in events if e["event"] == "user"]


def test_a_turn_sent_twice_is_answered_twice_alike_and_stored_once(cluster, cluster_load):
    url = cluster.front_url + cluster_load.WEBHOOK
    sender = f"double-{uuid.uuid4().hex[:10]}"
    search, more = cluster_load.MIDDLE_BLOCKS[1]  # a reading search, then "d'autres ?"
    payload = {"sender": sender, "message": search.text, "message_id": "t1"}
    first, first_headers = post(url, payload)
    again, again_headers = post(url, payload)
    assert cluster_load.reply_problem(search, [m.get("text", "") for m in first], opening=True) is None
    assert again == first
    assert again_headers.get(REPLAYED_HEADER) == "1" and REPLAYED_HEADER not in first_headers
    # Sent twice, the search did not move on a page: "d'autres ?" shows the second one.
    following, _ = post(url, {"sender": sender, "message": more.text, "message_id": "t2"})
    assert cluster_load.reply_problem(more, [m.get("text", "") for m in following]) is None
    assert stored_user_messages(cluster, cluster_load, sender) == [
        (search.text, "t1"), (more.text, "t2"),
    ]


def test_socketio_through_nginx_keeps_a_polling_visitor_on_one_replica(cluster):
    """Long-polling is several HTTP requests for one session: on the other replica they would
    be refused, so an answer means nginx kept the visitor on one replica."""

    async def converse() -> list[str]:
        client = socketio.AsyncClient(reconnection=False)
        answers: asyncio.Queue = asyncio.Queue()
        confirmed = asyncio.Event()
        client.on("session_confirm", lambda *_: confirmed.set())
        client.on("bot_uttered", lambda message: answers.put_nowait(message.get("text", "")))
        await client.connect(cluster.front_url, socketio_path="/socket.io", transports=["polling"])
        try:
            session_id = uuid.uuid4().hex
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(confirmed.wait(), 30)
            texts = []
            for message, sign in SOCKETIO_TURNS:
                await client.emit("user_uttered", {"message": message, "session_id": session_id})
                texts.append(await asyncio.wait_for(answers.get(), 60))
                while sign not in texts[-1]:
                    texts.append(await asyncio.wait_for(answers.get(), 60))
            return texts
        finally:
            await client.disconnect()

    texts = asyncio.run(converse())
    assert "assistant automatique" in texts[0]


def test_conversations_survive_a_killed_replica_and_an_action_server_restart(cluster, cluster_load):
    report = cluster_load.fault_run(cluster, CONVERSATIONS, TURNS)
    tracker = report.tracker
    assert report.failed_turns == 0, report.errors
    assert report.wrong_replies == []
    assert report.errors_outside_window == [], report.faults
    assert tracker["lost"] == 0 and tracker["duplicated"] == 0, tracker["problems"]
    assert tracker["out_of_order"] == 0 and tracker["without_reply"] == 0, tracker["problems"]
    assert report.answered == CONVERSATIONS * TURNS
    # The killed replica came back and takes turns again.
    assert set(cluster.replicas) == {0, 1}
