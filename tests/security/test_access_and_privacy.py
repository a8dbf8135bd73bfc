"""Who may reach what on the running assistant, and what its conversation store keeps.

- Rasa's HTTP API: off by default; when on, only with the token or a JWT.
- The action server: only with the shared secret, which Rasa sends.
- CORS on the REST channel: only the configured origins.
- The store: keyed hashes of sender ids, the retention period applied at start-up, erasure of
  one conversation by `python -m bot confidentialite effacer`.
"""
from __future__ import annotations

import json
import uuid

import jwt
import pytest

from bot.__main__ import main
from bot.privacy.sender_ids import stored_sender_id
from tests.security.conftest import (
    ACTION_SECRET,
    API_TOKEN,
    EXPIRED_VISITOR,
    JWT_SECRET,
    RECENT_VISITOR,
    http,
    stored_rows,
)

pytestmark = pytest.mark.integration

# Rasa's management API: model, conversations (trackers), parsing, status.
API_CALLS = [
    ("GET", "/status"),
    ("GET", "/version"),
    ("GET", "/domain"),
    ("GET", "/conversations/{id}/tracker"),
    ("GET", "/conversations/{id}/story"),
    ("POST", "/conversations/{id}/messages"),
    ("POST", "/conversations/{id}/tracker/events"),
    ("PUT", "/conversations/{id}/tracker/events"),
    ("POST", "/conversations/{id}/execute"),
    ("POST", "/conversations/{id}/trigger_intent"),
    ("POST", "/conversations/{id}/predict"),
    ("POST", "/model/parse"),
    ("POST", "/model/predict"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("POST", "/model/train"),
    ("POST", "/model/test/stories"),
    ("POST", "/model/test/intents"),
]
# Answered without credentials even when the API is on, by Rasa's design.
PUBLIC_WHEN_ENABLED = {"/version"}


def call(rasa_url: str, method: str, path: str, query: str = "", headers=None) -> int:
    url = rasa_url + path.format(id="visiteur-cible") + query
    body = json.dumps({"text": "bonjour", "sender": "user"}).encode() if method != "GET" else None
    return http(url, body, method=method, headers=headers)[0]


def say(rasa_url: str, sender: str, text: str) -> tuple[int, list]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    status, answer, _ = http(f"{rasa_url}/webhooks/rest/webhook", body)
    return status, answer


def bearer(secret: str, role: str = "admin", username: str = "bibliothecaire") -> dict:
    token = jwt.encode({"user": {"username": username, "role": role}}, secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("method, path", API_CALLS, ids=[f"{m} {p}" for m, p in API_CALLS])
def test_the_api_does_not_exist_by_default(servers, method, path):
    assert call(servers.rasa_url, method, path) == 404


@pytest.mark.parametrize(
    "method, path", [c for c in API_CALLS if c[1] not in PUBLIC_WHEN_ENABLED],
    ids=[f"{m} {p}" for m, p in API_CALLS if p not in PUBLIC_WHEN_ENABLED],
)
def test_when_enabled_the_api_refuses_calls_without_valid_credentials(
    guarded_assistant, method, path
):
    url = guarded_assistant.rasa_url
    assert call(url, method, path) == 401
    assert call(url, method, path, "?token=devine") == 401
    assert call(url, method, path, headers=bearer("un-autre-secret-0123456789")) == 401


def test_the_token_and_an_admin_jwt_open_the_api(guarded_assistant):
    url = guarded_assistant.rasa_url
    assert call(url, "GET", "/status", f"?token={API_TOKEN}") == 200
    assert call(url, "GET", "/status", headers=bearer(JWT_SECRET)) == 200


def test_a_visitor_jwt_reads_only_its_own_conversation(guarded_assistant):
    url = guarded_assistant.rasa_url
    visitor = bearer(JWT_SECRET, role="user", username="visiteur-a")
    assert call(url, "GET", "/conversations/visiteur-cible/tracker", headers=visitor) == 403
    status, _, _ = http(f"{url}/conversations/visiteur-a/tracker", headers=visitor)
    assert status == 200


def test_the_api_reads_conversations_through_the_hashed_store(guarded_assistant):
    """Rasa's API asks for the visitor's id; the store finds the rows of its hash."""
    url, sender = guarded_assistant.rasa_url, f"api-{uuid.uuid4().hex[:8]}"
    assert say(url, sender, "bonjour")[0] == 200
    status, tracker, _ = http(f"{url}/conversations/{sender}/tracker?token={API_TOKEN}")
    assert status == 200 and tracker["sender_id"] == sender
    assert any(e.get("text") == "bonjour" for e in tracker["events"] if e["event"] == "user")


def test_the_action_server_answers_only_with_the_secret(guarded_assistant):
    actions = guarded_assistant.action_url
    assert http(f"{actions}/webhook", b"{}")[0] == 401
    assert http(f"{actions}/webhook", b"{}", headers={"X-Action-Secret": "devine"})[0] == 401
    assert http(f"{actions}/actions")[0] == 401
    assert http(f"{actions}/health")[0] == 200
    status, listed, _ = http(f"{actions}/actions", headers={"X-Action-Secret": ACTION_SECRET})
    assert status == 200 and {"name": "action_recommend_readings"} in listed
    # Rasa sends the secret: the readings, which come from the action server, are given.
    status, answer = say(
        guarded_assistant.rasa_url, "lecteur-1", "je cherche des livres sur la pair-aidance"
    )
    assert status == 200 and any("1." in m.get("text", "") for m in answer), answer


def test_rest_cors_allows_only_the_configured_origins(guarded_assistant):
    url = f"{guarded_assistant.rasa_url}/webhooks/rest/webhook"
    preflight = {
        "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"
    }
    allowed = guarded_assistant.settings.cors_origins[0]
    _, _, headers = http(url, method="OPTIONS", headers={"Origin": allowed, **preflight})
    assert headers.get("Access-Control-Allow-Origin") == allowed
    foreign = {"Origin": "http://site-tiers.example", **preflight}
    _, _, headers = http(url, method="OPTIONS", headers=foreign)
    assert "Access-Control-Allow-Origin" not in headers


def test_sender_ids_are_stored_as_keyed_hashes(guarded_assistant):
    sender = f"hache-{uuid.uuid4().hex[:8]}"
    say(guarded_assistant.rasa_url, sender, "bonjour")
    assert stored_rows(guarded_assistant.tracker_db, stored_sender_id(sender)) > 0
    assert stored_rows(guarded_assistant.tracker_db, sender) == 0


def test_conversations_past_the_retention_period_are_purged_at_start_up(guarded_assistant):
    assert stored_rows(guarded_assistant.tracker_db, stored_sender_id(EXPIRED_VISITOR)) == 0
    assert stored_rows(guarded_assistant.tracker_db, stored_sender_id(RECENT_VISITOR)) > 0


def test_a_conversation_is_erased_on_request(guarded_assistant, monkeypatch, capsys):
    url, sender = guarded_assistant.rasa_url, f"effacer-{uuid.uuid4().hex[:8]}"
    for text in ["bonjour", "c'est quoi un GEM ?"]:
        say(url, sender, text)
    other = stored_rows(guarded_assistant.tracker_db, stored_sender_id(RECENT_VISITOR))
    monkeypatch.setenv("TRACKER_STORE_URL", guarded_assistant.settings.tracker_store_url)

    assert main(["confidentialite", "effacer", sender]) == 0
    assert "Conversation effacée" in capsys.readouterr().out
    assert stored_rows(guarded_assistant.tracker_db, stored_sender_id(sender)) == 0
    assert stored_rows(guarded_assistant.tracker_db, stored_sender_id(RECENT_VISITOR)) == other
    assert main(["confidentialite", "effacer", sender]) == 1
    assert "Aucune conversation" in capsys.readouterr().err
    # The visitor can go on: a new conversation starts.
    status, answer = say(url, sender, "bonjour")
    assert status == 200 and answer
