"""A fake Telegram Bot API server on 127.0.0.1, and the assistant started to talk to it."""
from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Iterator, Optional

import pytest
from aiohttp import web

from bot.privacy.sender_ids import stored_sender_id
from bot.launcher import free_port
from tests.conftest import isolated_settings

TOKEN = "123456789:AAE-jeton_de_test"
SECRET = "secret-de-test_42"
BOT_USERNAME = "bibliotheque_test_bot"


class FakeBotApi:
    """Answers like Telegram (`{"ok": true, "result": …}`) and records every call it receives.

    It runs in its own thread and event loop, so that both the tests' code and the Rasa server
    (another process) can call it.
    """

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1000)
        self._webhook_url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: Optional[web.AppRunner] = None

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def calls(
        self, method: Optional[str] = None, chat_id: Optional[int] = None
    ) -> list[dict[str, Any]]:
        """The recorded calls' parameters (plus `method`), in order, optionally filtered."""
        with self._lock:
            recorded = list(self._calls)
        return [
            call for call in recorded
            if (method is None or call["method"] == method)
            and (chat_id is None or str(call.get("chat_id")) == str(chat_id))
        ]

    def texts_sent(self, chat_id: int) -> list[str]:
        """The texts of the messages sent to one chat, as Telegram received them (escaped)."""
        return [call["text"] for call in self.calls("sendMessage", chat_id)]

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await request.json() if request.can_read_body else {}
        with self._lock:
            self._calls.append({"method": method, **params})
        return web.json_response({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "sendMessage":
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "text": params.get("text"),
            }
        if method == "getMe":
            return {"id": 123456789, "is_bot": True, "first_name": "Biblio", "username": BOT_USERNAME}
        if method == "setWebhook":
            self._webhook_url = params.get("url", "")
        if method == "deleteWebhook":
            self._webhook_url = ""
        if method == "getWebhookInfo":
            return {"url": self._webhook_url, "pending_update_count": 0}
        return True


@pytest.fixture(scope="session")
def fake_bot_api() -> Iterator[FakeBotApi]:
    server = FakeBotApi()
    server.start()
    yield server
    server.stop()


@dataclass(frozen=True)
class RunningAssistant:
    rasa_url: str
    tracker_db: str
    calls_during_start: list[dict[str, Any]]


@pytest.fixture(scope="module")
def telegram_assistant(
    trained_model, seeded_database_url, fake_bot_api, tmp_path_factory
) -> Iterator[RunningAssistant]:
    """The action server and the Rasa server, their Telegram channel pointed at the fake API."""
    from bot.launcher import running_servers

    settings = isolated_settings(tmp_path_factory, seeded_database_url, "telegram-tracker")
    telegram_env = {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_BASE_URL": fake_bot_api.url,
        "TELEGRAM_WEBHOOK_URL": "https://assistant.example.org/webhooks/telegram/webhook",
    }
    calls_before = len(fake_bot_api.calls())
    with running_servers(trained_model, settings, extra_env=telegram_env) as running:
        yield RunningAssistant(
            running.rasa_url, running.tracker_store_db, fake_bot_api.calls()[calls_before:]
        )


def post_update(rasa_url: str, update: dict[str, Any], secret: Optional[str] = SECRET) -> int:
    """POST an update to the Telegram webhook as Telegram would; return the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/telegram/webhook", data=json.dumps(update).encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def tracker_event_count(tracker_db: str, sender_id: str) -> int:
    """Rows of Rasa's SQL tracker store for a conversation (its HTTP API may be switched off),
    stored under the keyed hash of the conversation id (bot/privacy/sender_ids.py)."""
    with sqlite3.connect(tracker_db) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if "events" not in {row[0] for row in tables}:
            return 0
        return connection.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ?", (stored_sender_id(sender_id),)
        ).fetchone()[0]
