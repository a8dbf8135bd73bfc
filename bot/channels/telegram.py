"""The Telegram channel: a webhook that only Telegram can speak to.

It replaces Rasa's connector (`rasa.core.channels.telegram`), keeping its shape (an input
channel whose blueprint receives updates, an output channel that calls the Bot API) but not
its weaknesses:
- every update must carry the secret registered with the webhook, in the header
  `X-Telegram-Bot-Api-Secret-Token`; otherwise 403, before the conversation is touched;
- nothing calls Telegram at start-up: `python -m bot telegram webhook` registers the webhook,
  so the server starts even when Telegram is unreachable;
- the Bot API server is configurable (a library may run its own);
- an update that Telegram delivers twice is answered once.

It is named in credentials.yml without parameters and reads the environment itself, because
Rasa's `${VAR}` expansion fails on unset variables and the server must start without Telegram.
The conversation id is the chat id.
"""
from __future__ import annotations

import hmac
import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import local_sqlite
from bot.channels.guard import check_message
from bot.channels.telegram_api import TelegramBotApi, TelegramError, TelegramSettings
from bot.channels.telegram_messages import (
    BUTTON_EXPIRED,
    BUTTONS_WITHOUT_TEXT,
    EDITED_MESSAGE,
    HELP,
    PARSE_MODE,
    SOMETHING_WENT_WRONG,
    TEXT_ONLY,
    ButtonPayloads,
    escape_html,
    inline_keyboard,
    payload_of_callback,
    split_message,
)
from bot.settings import EMBEDDED_LOCK_STORE, Settings, load_settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# `/start` opens the conversation as a greeting would (intent `greet`, docs/contract.md): a new
# chat first gets the session start's presentation, then the first questions as buttons.
GREET_MESSAGE = "/greet"
HELP_COMMANDS = frozenset({"aide", "help"})
# Messages that carry something other than text; the assistant says it reads text only.
NON_TEXT_CONTENT = frozenset({
    "photo", "sticker", "voice", "audio", "document", "video", "video_note", "animation",
    "location", "venue", "contact", "poll", "dice",
})

NewMessageHandler = Callable[[UserMessage], Awaitable[Any]]


class RecentUpdates:
    """The last update ids seen by this process, to answer Telegram's retries only once.

    In memory: for a server with one process. Several replicas behind one webhook would need a
    store they share (Redis, the SQL database); the workers of one machine share `SharedRecentUpdates`.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._capacity = capacity

    def first_delivery(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return True


class SharedRecentUpdates:
    """The last update ids seen by every Rasa worker of this machine, in the SQLite file of their
    conversation locks (bot/local_sqlite.py): a retry that reaches another worker is not
    answered a second time."""

    def __init__(self, path: Path, capacity: int = 10_000) -> None:
        self.path, self._capacity = path, capacity
        with local_sqlite.write_transaction(path) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS telegram_updates (update_id INTEGER PRIMARY KEY)")

    def first_delivery(self, update_id: int) -> bool:
        with local_sqlite.write_transaction(self.path) as connection:
            inserted = connection.execute("INSERT OR IGNORE INTO telegram_updates VALUES (?)", (update_id,))
            new = inserted.rowcount == 1
            if new:  # the update id is the rowid: forget all but the last `capacity` received
                connection.execute("DELETE FROM telegram_updates WHERE rowid <= ?", (update_id - self._capacity,))
        return new


def recent_updates_for(settings: Settings) -> RecentUpdates | SharedRecentUpdates:
    """Shared by the workers when they share their locks in a file, else this process's own."""
    if settings.lock_store_type == EMBEDDED_LOCK_STORE:
        return SharedRecentUpdates(Path(settings.lock_store_url))
    return RecentUpdates()


def _chat_id(recipient_id: str) -> int | str:
    """Telegram's chat ids are integers; the conversation id is their string form."""
    try:
        return int(recipient_id)
    except ValueError:
        return recipient_id


def command_of(text: str) -> Optional[str]:
    """`/start`, `/aide@BibliBot`, `/start motclé` → "start", "aide", "start"."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower()


class TelegramOutput(OutputChannel):
    """Sends the assistant's answers; a failed call is logged, never raised into Rasa.

    Raising would abort Rasa's turn before the tracker is saved: the conversation would lose
    the user's message because Telegram was briefly unreachable.
    """

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, api: TelegramBotApi, payloads: ButtonPayloads) -> None:
        self.api = api
        self.payloads = payloads

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_text(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        keyboard = inline_keyboard(buttons, self.payloads)
        await self._send_text(recipient_id, text, keyboard if keyboard["inline_keyboard"] else None)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._call("sendPhoto", chat_id=_chat_id(recipient_id), photo=image)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self._send_text(recipient_id, str(attachment))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Only a custom payload's text is shown: raw JSON means nothing to a visitor."""
        if isinstance(json_message.get("text"), str):
            await self._send_text(recipient_id, json_message["text"])
        else:
            logger.debug("Telegram : message personnalisé sans texte ignoré.")

    async def answer_callback_query(self, callback_query_id: str) -> None:
        await self._call("answerCallbackQuery", callback_query_id=callback_query_id)

    async def _send_text(
        self, recipient_id: str, text: str, reply_markup: Optional[dict[str, Any]] = None
    ) -> None:
        pieces = split_message(text) or ([BUTTONS_WITHOUT_TEXT] if reply_markup else [])
        for number, piece in enumerate(pieces, start=1):
            await self._call(
                "sendMessage",
                chat_id=_chat_id(recipient_id),
                text=escape_html(piece),
                parse_mode=PARSE_MODE,
                reply_markup=reply_markup if number == len(pieces) else None,
            )

    async def _call(self, method: str, **params: Any) -> None:
        try:
            await self.api.call(method, **params)
        except TelegramError as error:
            logger.error("Telegram : l'appel %s a échoué (%s).", method, error)


class TelegramInput(InputChannel):
    """Receives Telegram's updates at `/webhooks/telegram/webhook`."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "TelegramInput":
        """Read the environment; a missing token or secret disables the channel, not the server."""
        settings = TelegramSettings.from_environment()
        if not settings.can_receive:
            logger.warning(
                "Telegram : TELEGRAM_TOKEN ou TELEGRAM_SECRET_TOKEN n'est pas défini ; le canal "
                "refuse toutes les mises à jour (403)."
            )
        return cls(settings)

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.api = TelegramBotApi(settings.token, settings.api_base_url)
        self.payloads = ButtonPayloads()
        self.recent_updates = recent_updates_for(load_settings())
        self.max_message_length = load_settings().max_message_length

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.api, self.payloads)

    def is_from_telegram(self, request: Request) -> bool:
        """The header must equal the secret given to setWebhook (compared in constant time)."""
        if not self.settings.can_receive:
            return False
        received = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(received.encode(), self.settings.secret_token.encode())

    def blueprint(self, on_new_message: NewMessageHandler) -> Blueprint:
        webhook = Blueprint("bibliotheque_telegram", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.is_from_telegram(request):
                logger.warning(
                    "Telegram : mise à jour refusée, secret absent ou faux (%s).", request.ip
                )
                return response.json({"erreur": "accès refusé"}, status=403)
            update = _update_of(request)
            if update is None:
                return response.json({"erreur": "mise à jour illisible"}, status=400)
            if not self.recent_updates.first_delivery(update["update_id"]):
                return response.json({"statut": "déjà reçue"})
            try:
                await self.handle_update(update, on_new_message)
            except Exception:  # a malformed update must not make Telegram retry it forever
                logger.exception(
                    "Telegram : la mise à jour %s n'a pas pu être traitée.", update["update_id"]
                )
            return response.json({"statut": "ok"})

        @webhook.listener("after_server_stop")
        async def close_connections(*_: Any) -> None:
            await self.api.close()

        return webhook

    async def handle_update(
        self, update: dict[str, Any], on_new_message: NewMessageHandler
    ) -> None:
        """Dispatch one authenticated update; the types not subscribed to are ignored."""
        output = self.get_output_channel()
        if "callback_query" in update:
            await self._handle_button(update["callback_query"], output, on_new_message)
        elif "message" in update:
            await self._handle_message(update["message"], output, on_new_message)
        elif "edited_message" in update:
            # Answering a correction would answer the same question twice: ask for a new message.
            chat_id = str(update["edited_message"]["chat"]["id"])
            await output.send_text_message(chat_id, EDITED_MESSAGE)

    async def _handle_message(
        self, message: dict[str, Any], output: TelegramOutput, on_new_message: NewMessageHandler
    ) -> None:
        chat_id = str(message["chat"]["id"])
        text = message.get("text")
        if isinstance(text, str) and text.strip():
            command = command_of(text.strip())
            if command in HELP_COMMANDS:
                await output.send_text_message(chat_id, HELP)
                return
            if command == "start":
                text = GREET_MESSAGE
            await self._converse(text, chat_id, output, on_new_message)
        elif NON_TEXT_CONTENT & message.keys():
            await output.send_text_message(chat_id, TEXT_ONLY)
        # Anything else is a service message (someone joined a group…), not addressed to us.

    async def _handle_button(
        self, query: dict[str, Any], output: TelegramOutput, on_new_message: NewMessageHandler
    ) -> None:
        # First, so that the button stops spinning even if the answer takes a while.
        await output.answer_callback_query(query["id"])
        chat = (query.get("message") or {}).get("chat") or query.get("from") or {}
        if "id" not in chat:
            return
        chat_id = str(chat["id"])
        payload = payload_of_callback(query, self.payloads)
        if payload is None:
            await output.send_text_message(chat_id, BUTTON_EXPIRED)
            return
        await self._converse(payload, chat_id, output, on_new_message)

    async def _converse(
        self, text: str, chat_id: str, output: TelegramOutput, on_new_message: NewMessageHandler
    ) -> None:
        verdict = check_message(text, chat_id, self.max_message_length)  # bot/channels/guard.py
        if verdict.error:  # not an id Telegram gives: nobody to answer
            logger.warning("Telegram : message refusé (%s).", verdict.error)
            return
        if verdict.reply:
            await output.send_text_message(chat_id, verdict.reply)
            return
        try:
            await on_new_message(
                UserMessage(verdict.text, output, chat_id, input_channel=self.name())
            )
        except Exception:
            logger.exception(
                "Telegram : l'assistant n'a pas pu répondre à la conversation %s.", chat_id
            )
            await output.send_text_message(chat_id, SOMETHING_WENT_WRONG)


def _update_of(request: Request) -> Optional[dict[str, Any]]:
    """The update if the body is one (a JSON object with an integer `update_id`)."""
    try:
        body = request.json
    except Exception:  # Sanic raises InvalidUsage on a body that is not JSON
        return None
    if isinstance(body, dict) and isinstance(body.get("update_id"), int):
        return body
    return None
