"""The little of Telegram's Bot API the assistant uses, over aiohttp, at any base URL.

A client of our own rather than aiogram's `Bot` (which Rasa's connector uses) because we need
three things it does not give simply: a configurable server (a library may run its own Bot API
server), short timeouts, and no call at all until a message has to be sent.
Nothing here imports Rasa, so the command line can register the webhook cheaply.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.telegram.org"
# Only what the channel handles: Telegram then does not even send the rest.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
# What Telegram accepts as `secret_token` (setWebhook): 1-256 characters of this alphabet.
SECRET_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
REQUEST_TIMEOUT_SECONDS = 15
# Telegram asks to wait `retry_after` seconds when a chat sends too fast; we wait once, briefly.
MAX_RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class TelegramSettings:
    """The channel's configuration, read from the environment (never from credentials.yml)."""

    token: str = ""
    webhook_url: str = ""
    secret_token: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[str, str]] = None) -> "TelegramSettings":
        environ = os.environ if environ is None else environ
        base_url = environ.get("TELEGRAM_API_BASE_URL", "").strip().rstrip("/")
        return cls(
            token=environ.get("TELEGRAM_TOKEN", "").strip(),
            webhook_url=environ.get("TELEGRAM_WEBHOOK_URL", "").strip(),
            secret_token=environ.get("TELEGRAM_SECRET_TOKEN", "").strip(),
            api_base_url=base_url or DEFAULT_API_BASE_URL,
        )

    @property
    def can_receive(self) -> bool:
        """Updates are accepted only when they can be authenticated and answered."""
        return bool(self.token and self.secret_token)

    @property
    def uses_telegram_servers(self) -> bool:
        return self.api_base_url == DEFAULT_API_BASE_URL

    def problems(self) -> list[str]:
        """What prevents registering the webhook, in French, for the administrator."""
        found = []
        if not self.token:
            found.append("TELEGRAM_TOKEN est vide : collez le jeton donné par @BotFather.")
        if not self.secret_token:
            found.append(
                "TELEGRAM_SECRET_TOKEN est vide : choisissez un secret, par exemple avec "
                "« openssl rand -hex 32 »."
            )
        elif not SECRET_TOKEN_PATTERN.fullmatch(self.secret_token):
            found.append(
                "TELEGRAM_SECRET_TOKEN n'est pas accepté par Telegram : 1 à 256 caractères parmi "
                "A-Z, a-z, 0-9, _ et -."
            )
        if not self.webhook_url:
            found.append(
                "TELEGRAM_WEBHOOK_URL est vide : indiquez l'adresse publique du webhook, par "
                "exemple https://assistant.example.org/webhooks/telegram/webhook."
            )
        elif not self.webhook_url.startswith("https://") and self.uses_telegram_servers:
            # A self-hosted Bot API server (--local) may deliver over plain HTTP.
            found.append("TELEGRAM_WEBHOOK_URL doit commencer par https:// (exigence de Telegram).")
        return found


class TelegramError(Exception):
    """A Bot API call that did not succeed; callers catch this one class."""


class TelegramApiError(TelegramError):
    """Telegram answered `ok: false`; `description` is Telegram's own explanation."""

    def __init__(self, method: str, code: Optional[int], description: str) -> None:
        super().__init__(f"{method}: {code} {description}")
        self.method = method
        self.code = code
        self.description = description


class TelegramUnreachable(TelegramError):
    """No answer from the Bot API server (network, DNS, timeout, wrong base URL)."""


class TelegramBotApi:
    """Calls Bot API methods with JSON bodies; the token never appears in logs or errors."""

    def __init__(self, token: str, base_url: str = DEFAULT_API_BASE_URL) -> None:
        self._token = token
        self.base_url = base_url.rstrip("/")
        self._session: Optional[aiohttp.ClientSession] = None
        self._session_loop: Optional[asyncio.AbstractEventLoop] = None

    async def call(self, method: str, **params: Any) -> Any:
        """Call `method`; return its `result`, or raise `TelegramApiError` / `TelegramUnreachable`.

        Parameters set to None are left out, as the Bot API expects for optional fields.
        """
        body = {name: value for name, value in params.items() if value is not None}
        answer = await self._post(method, body)
        retry_after = (answer.get("parameters") or {}).get("retry_after") or 0
        if answer.get("error_code") == 429 and 0 < retry_after <= MAX_RETRY_AFTER_SECONDS:
            await asyncio.sleep(retry_after)
            answer = await self._post(method, body)
        if not answer.get("ok"):
            raise TelegramApiError(
                method, answer.get("error_code"), str(answer.get("description", "réponse invalide"))
            )
        return answer.get("result")

    async def _post(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        session = self._current_session()
        url = f"{self.base_url}/bot{self._token}/{method}"
        try:
            async with session.post(url, json=body) as response:
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # Only the error's class: its message may contain the URL, hence the token.
            raise TelegramUnreachable(f"{self.base_url} ({type(error).__name__})") from None
        except ValueError:  # not JSON: a proxy's error page, a wrong base URL
            answer = None
        if not isinstance(answer, dict):
            return {"ok": False, "description": "réponse qui n'est pas du JSON"}
        return answer

    def _current_session(self) -> aiohttp.ClientSession:
        """One connection pool per event loop: Rasa's server and the CLI each run their own."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
            )
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> "TelegramBotApi":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
