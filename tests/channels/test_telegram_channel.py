"""The channel alone, in this process: what reaches Rasa, and what reaches the (fake) Bot API."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import pytest_asyncio
from sanic.compat import Header

from bot.channels.telegram import GREET_MESSAGE, RecentUpdates, SharedRecentUpdates, TelegramInput, command_of
from bot.channels.telegram_api import TelegramSettings
from bot.channels.telegram_messages import (
    EDITED_MESSAGE,
    HELP,
    SOMETHING_WENT_WRONG,
    TEXT_ONLY,
    escape_html,
)
from tests.channels.conftest import SECRET, TOKEN
from tests.channels.updates import (
    MEDIA,
    callback_query,
    edited_message,
    media_message,
    new_chat_id,
    text_message,
)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_VARIABLES = (
    "TELEGRAM_TOKEN", "TELEGRAM_SECRET_TOKEN", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_API_BASE_URL"
)


class Assistant:
    """Stands for Rasa: records what the channel passes on and answers with `reply`."""

    def __init__(self, reply: dict | None = None, fails: bool = False) -> None:
        self.heard: list = []
        self.reply = reply or {"text": "Réponse de l'assistant"}
        self.fails = fails

    async def __call__(self, message) -> None:
        self.heard.append(message)
        if self.fails:
            raise RuntimeError("le serveur d'actions ne répond pas")
        await message.output_channel.send_response(message.sender_id, dict(self.reply))


def channel_to(base_url: str) -> TelegramInput:
    return TelegramInput(TelegramSettings(token=TOKEN, secret_token=SECRET, api_base_url=base_url))


@pytest_asyncio.fixture
async def channel(fake_bot_api) -> TelegramInput:
    channel = channel_to(fake_bot_api.url)
    yield channel
    await channel.api.close()


def request_with(headers: dict) -> SimpleNamespace:
    return SimpleNamespace(headers=Header(headers))


def test_only_the_registered_secret_opens_the_webhook(channel):
    assert channel.is_from_telegram(request_with({SECRET_HEADER: SECRET}))
    assert channel.is_from_telegram(request_with({SECRET_HEADER.lower(): SECRET}))
    assert not channel.is_from_telegram(request_with({SECRET_HEADER: SECRET + "x"}))
    assert not channel.is_from_telegram(request_with({}))


def test_without_token_or_secret_the_channel_starts_and_refuses_everything(monkeypatch):
    for name in TELEGRAM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    unconfigured = TelegramInput.from_credentials(None)
    assert not unconfigured.is_from_telegram(request_with({SECRET_HEADER: ""}))
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", SECRET)
    without_token = TelegramInput.from_credentials(None)
    assert not without_token.is_from_telegram(request_with({SECRET_HEADER: SECRET}))


def test_commands_are_recognised_with_a_bot_name_or_an_argument():
    assert command_of("/start") == "start"
    assert command_of("/aide@bibliotheque_bot") == "aide"
    assert command_of("/START lectures") == "start"
    assert command_of("/ bonjour") is None
    assert command_of("bonjour /aide") is None


def test_recent_updates_are_remembered_within_a_bound():
    recent = RecentUpdates(capacity=2)
    assert recent.first_delivery(1) and recent.first_delivery(2)
    assert not recent.first_delivery(2)
    assert recent.first_delivery(3) and recent.first_delivery(1)  # 1 was forgotten


def test_update_ids_seen_by_one_worker_are_seen_by_the_others(tmp_path):
    path = tmp_path / "verrous.sqlite3"
    one, other = SharedRecentUpdates(path, capacity=2), SharedRecentUpdates(path, capacity=2)
    assert one.first_delivery(101)
    assert not other.first_delivery(101)
    assert other.first_delivery(102) and other.first_delivery(103)
    assert one.first_delivery(101)  # forgotten: more than `capacity` ids came after it


@pytest.mark.asyncio
async def test_a_text_message_reaches_the_assistant_under_the_chat_id(channel, fake_bot_api):
    chat, assistant = new_chat_id(), Assistant()
    await channel.handle_update(text_message(chat, "C'est quoi un GEM ?"), assistant)
    heard = [(m.text, m.sender_id, m.input_channel) for m in assistant.heard]
    assert heard == [("C'est quoi un GEM ?", str(chat), "telegram")]
    [sent] = fake_bot_api.calls("sendMessage", chat)
    assert (sent["chat_id"], sent["parse_mode"]) == (chat, "HTML")
    assert sent["text"] == "Réponse de l'assistant"


@pytest.mark.asyncio
async def test_start_greets_and_aide_is_answered_by_the_channel(channel, fake_bot_api):
    chat, assistant = new_chat_id(), Assistant()
    await channel.handle_update(text_message(chat, "/start"), assistant)
    await channel.handle_update(text_message(chat, "/aide"), assistant)
    assert [m.text for m in assistant.heard] == [GREET_MESSAGE]
    assert fake_bot_api.texts_sent(chat)[-1] == escape_html(HELP)


@pytest.mark.asyncio
async def test_answer_buttons_become_an_inline_keyboard_on_the_last_piece(channel, fake_bot_api):
    chat = new_chat_id()
    reply = {
        "text": "Une longue réponse sur la pair-aidance. " * 250,
        "buttons": [{"title": "D'autres ?", "payload": "d'autres ?"}],
    }
    await channel.handle_update(text_message(chat, "des lectures"), Assistant(reply))
    sent = fake_bot_api.calls("sendMessage", chat)
    assert len(sent) == 3
    assert all(len(call["text"]) <= 4096 for call in sent)
    assert [("reply_markup" in call) for call in sent] == [False, False, True]
    button = {"text": "D'autres ?", "callback_data": "d'autres ?"}
    assert sent[-1]["reply_markup"] == {"inline_keyboard": [[button]]}


@pytest.mark.asyncio
async def test_a_button_touch_stops_the_spinner_first_then_speaks_its_payload(channel, fake_bot_api):
    chat, assistant = new_chat_id(), Assistant()
    question = "Avez-vous des lectures ?"
    keyboard = {"inline_keyboard": [[{"text": "Des lectures", "callback_data": question}]]}
    update = callback_query(chat, question, keyboard)
    await channel.handle_update(update, assistant)
    query_id = update["callback_query"]["id"]
    methods = [
        call["method"] for call in fake_bot_api.calls()
        if call.get("callback_query_id") == query_id or call.get("chat_id") == chat
    ]
    assert methods == ["answerCallbackQuery", "sendMessage"]
    assert [(m.text, m.sender_id) for m in assistant.heard] == [(question, str(chat))]


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", sorted(MEDIA))
async def test_photos_stickers_voice_and_documents_get_the_text_only_answer(
    channel, fake_bot_api, kind
):
    chat, assistant = new_chat_id(), Assistant()
    await channel.handle_update(media_message(chat, kind), assistant)
    assert assistant.heard == []
    assert fake_bot_api.texts_sent(chat) == [escape_html(TEXT_ONLY)]


@pytest.mark.asyncio
async def test_an_edited_message_is_explained_not_answered_twice(channel, fake_bot_api):
    chat, assistant = new_chat_id(), Assistant()
    await channel.handle_update(edited_message(chat, "c'est quoi la pair-aidance ?"), assistant)
    assert assistant.heard == []
    assert fake_bot_api.texts_sent(chat) == [escape_html(EDITED_MESSAGE)]


@pytest.mark.asyncio
async def test_when_the_assistant_fails_the_user_gets_an_apology_not_silence(channel, fake_bot_api):
    chat = new_chat_id()
    await channel.handle_update(text_message(chat, "bonjour"), Assistant(fails=True))
    assert fake_bot_api.texts_sent(chat) == [escape_html(SOMETHING_WENT_WRONG)]


@pytest.mark.asyncio
async def test_an_unreachable_bot_api_is_logged_and_does_not_break_the_turn(caplog):
    unreachable, assistant = channel_to("http://127.0.0.1:9"), Assistant()
    await unreachable.handle_update(text_message(new_chat_id(), "bonjour"), assistant)
    assert len(assistant.heard) == 1
    assert "sendMessage" in caplog.text and TOKEN not in caplog.text
    await unreachable.api.close()
