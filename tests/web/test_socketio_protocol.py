"""The socket.io channel speaks the protocol the widget and rasa-webchat rely on: a session
asked with `session_request` is confirmed, and a `user_uttered` in it gets `bot_uttered`
answers, sent to the session's room (`session_persistence: true` in credentials.yml).

Over WebSocket, as the widget connects to a Rasa server with several workers; long-polling is
refused there (bot/channels/socketio.py)."""
from __future__ import annotations

import queue

import pytest
import socketio

pytestmark = pytest.mark.integration

NO_ANSWER = (
    "Aucune réponse sur le canal socket.io pour une session persistante. Avec Rasa 3.6, "
    "python-socketio doit rester avant 5.10 : Rasa y appelle AsyncServer.enter_room sans "
    "« await », et depuis 5.10 c'est une coroutine, donc le navigateur n'entre jamais dans la "
    "salle de sa session (RasaHQ/rasa#13027)."
)


def test_a_session_gets_answers_in_its_room(servers):
    # As the widget of the demo page: a WebSocket from the browser carries the page's origin.
    client = socketio.Client(websocket_extra_options={"origin": servers.cors_origins[0]})
    confirmations: queue.Queue = queue.Queue()
    answers: queue.Queue = queue.Queue()
    client.on("session_confirm", confirmations.put)
    client.on("bot_uttered", answers.put)
    client.connect(servers.rasa_url, transports=["websocket"], socketio_path="/socket.io")
    try:
        client.emit("session_request", {"session_id": None})
        session_id = confirmations.get(timeout=10)
        assert isinstance(session_id, str) and session_id
        client.emit("user_uttered", {"message": "bonjour", "session_id": session_id})
        try:
            answer = answers.get(timeout=60)
        except queue.Empty:
            pytest.fail(NO_ANSWER, pytrace=False)
        assert answer.get("text")
    finally:
        client.disconnect()


def test_long_polling_is_refused_by_several_workers(servers):
    assert servers.rasa_workers > 1
    client = socketio.Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(servers.rasa_url, transports=["polling"], socketio_path="/socket.io")
