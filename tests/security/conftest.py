"""The assistant as a hardened deployment runs it, and the ways a visitor's client talks to it.

`guarded_assistant` starts the action server and the Rasa server with every protection
switched on: Rasa's API behind a token and a JWT secret, the action server behind its secret,
the Telegram channel pointed at a fake Bot API. Its conversation store is seeded, before the
start, with one conversation older than the retention period and one recent.
"""
from __future__ import annotations

import asyncio
import json
import queue
import sqlite3
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import socketio

from bot.settings import PROJECT_ROOT, Settings
from tests.channels.conftest import SECRET, TOKEN, FakeBotApi
from bot.launcher import free_port
from tests.conftest import isolated_settings

API_TOKEN = "jeton-api-de-test"
JWT_SECRET = "secret-jwt-de-test-0123456789"
ACTION_SECRET = "secret-actions-de-test-0123456789"
DAY = 86_400
# Seeded before the start: the first is past the 90-day retention, the second is not.
EXPIRED_VISITOR = "visiteur-parti-il-y-a-200-jours"
RECENT_VISITOR = "visiteur-venu-hier"


@dataclass(frozen=True)
class GuardedAssistant:
    settings: Settings
    fake_bot_api: FakeBotApi

    @property
    def rasa_url(self) -> str:
        return self.settings.rasa_url

    @property
    def action_url(self) -> str:
        return f"http://{self.settings.action_host}:{self.settings.action_port}"

    @property
    def tracker_db(self) -> str:
        return self.settings.tracker_store_db


def save_conversation(tracker_url: str, sender_id: str, texts: list[str], at: float) -> None:
    """A new session of `texts` (visitor message, bot answer) at time `at`, added to the
    conversation by the project's tracker store, as Rasa would have stored it."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.privacy.tracker_store import PrivateSQLTrackerStore

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = PrivateSQLTrackerStore(host=tracker_url, domain=domain)
    events = [SessionStarted(timestamp=at), ActionExecuted("action_listen", timestamp=at)]
    for offset, text in enumerate(texts, start=1):
        events += [
            UserUttered(text, timestamp=at + offset),
            BotUttered(f"Réponse à « {text} »", timestamp=at + offset),
            ActionExecuted("action_listen", timestamp=at + offset),
        ]

    async def add_session() -> None:
        tracker = await store.retrieve(sender_id) or DialogueStateTracker(sender_id, domain.slots)
        for event in events:
            tracker.update(event)
        await store.save(tracker)

    asyncio.run(add_session())
    store.engine.dispose()


def stored_rows(tracker_db: str, stored_id: str) -> int:
    with sqlite3.connect(tracker_db) as connection:
        return connection.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ?", (stored_id,)
        ).fetchone()[0]


@pytest.fixture(scope="module")
def guarded_assistant(
    trained_model, seeded_database_url, tmp_path_factory
) -> Iterator[GuardedAssistant]:
    from bot.launcher import running_servers

    fake_bot_api = FakeBotApi()
    fake_bot_api.start()
    settings = isolated_settings(
        tmp_path_factory, seeded_database_url, "tracker-securise",
        action_secret=ACTION_SECRET, api_jwt_secret=JWT_SECRET,
    )
    now = time.time()
    url = settings.tracker_store_url
    save_conversation(url, EXPIRED_VISITOR, ["bonjour", "merci"], now - 200 * DAY)
    save_conversation(url, RECENT_VISITOR, ["bonjour"], now - DAY)
    extra_env = {
        "RASA_AUTH_TOKEN": API_TOKEN,
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_BASE_URL": fake_bot_api.url,
        "TELEGRAM_WEBHOOK_URL": "https://assistant.example.org/webhooks/telegram/webhook",
    }
    try:
        with running_servers(trained_model, settings, extra_env=extra_env) as running:
            yield GuardedAssistant(running, fake_bot_api)
    finally:
        fake_bot_api.stop()


def http(
    url: str,
    body: Optional[bytes] = None,
    method: Optional[str] = None,
    headers: Optional[dict[str, str]] = None,
    timeout: float = 90,
) -> tuple[int, Any, dict[str, str]]:
    """Status, decoded JSON body (or text, or None) and headers; HTTP errors are returned too."""
    request = urllib.request.Request(
        url, data=body, method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), dict(error.headers)
    try:
        return status, json.loads(raw) if raw else None, got
    except ValueError:
        return status, raw.decode("utf-8", "replace"), got


class SocketVisitor:
    """A socket.io client as the widget is one: connect, ask for a session, talk in it."""

    def __init__(self, rasa_url: str, origin: Optional[str] = None) -> None:
        self.client = socketio.Client(reconnection=False)
        self.confirmations: queue.Queue = queue.Queue()
        self.answers: queue.Queue = queue.Queue()
        self.client.on("session_confirm", self.confirmations.put)
        self.client.on("bot_uttered", self.answers.put)
        headers = {"Origin": origin} if origin else {}
        self.client.connect(
            rasa_url, transports=["polling"], socketio_path="/socket.io", headers=headers
        )

    def open_session(self, data: Any = None) -> str:
        self.client.emit("session_request", {"session_id": None} if data is None else data)
        return self.confirmations.get(timeout=10)

    def next_answer(self, timeout: float = 90) -> Optional[dict]:
        try:
            return self.answers.get(timeout=timeout)
        except queue.Empty:
            return None

    def answer_containing(self, words: str, timeout: float = 90) -> Optional[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.next_answer(deadline - time.monotonic())
            if answer and words in (answer.get("text") or ""):
                return answer["text"]
        return None

    def close(self) -> None:
        self.client.disconnect()


def telegram_update(rasa_url: str, body: bytes, secret: Optional[str] = SECRET) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return http(f"{rasa_url}/webhooks/telegram/webhook", body, headers=headers)[0]


def results_file(name: str) -> Path:
    from bot.settings import RESULTS_DIR

    folder = RESULTS_DIR / "security"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
