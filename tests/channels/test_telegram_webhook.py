"""Telegram updates POSTed to the running assistant; the Bot API calls it makes in return."""
from __future__ import annotations

import pytest

from bot.channels.telegram_messages import EDITED_MESSAGE, HELP, TEXT_ONLY, escape_html
from tests.channels.conftest import post_update, tracker_event_count
from tests.channels.updates import (
    MEDIA,
    callback_query,
    edited_message,
    media_message,
    new_chat_id,
    text_message,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def send(telegram_assistant):
    """POST one update to the assistant's Telegram webhook; return the HTTP status."""

    def post(update: dict, **secret) -> int:
        return post_update(telegram_assistant.rasa_url, update, **secret)

    return post


@pytest.fixture
def events_of(telegram_assistant):
    """How many events the conversation store holds for a chat."""
    return lambda chat: tracker_event_count(telegram_assistant.tracker_db, str(chat))


def test_nothing_calls_telegram_when_the_server_starts(telegram_assistant):
    assert telegram_assistant.calls_during_start == []


def test_a_wrong_or_missing_secret_is_refused_and_the_conversation_untouched(
    send, events_of, fake_bot_api
):
    chat = new_chat_id()
    assert send(text_message(chat, "bonjour"), secret="devine") == 403
    assert send(text_message(chat, "bonjour"), secret=None) == 403
    assert fake_bot_api.calls(chat_id=chat) == []
    assert events_of(chat) == 0
    # The same message with the secret does reach the conversation stored under the chat id.
    assert send(text_message(chat, "bonjour")) == 200
    assert events_of(chat) > 0


def test_a_text_message_is_answered_in_its_chat_in_html(send, fake_bot_api):
    chat = new_chat_id()
    assert send(text_message(chat, "c'est quoi un travailleur pair ?")) == 200
    sent = fake_bot_api.calls("sendMessage", chat)
    assert sent and all(call["chat_id"] == chat and call["parse_mode"] == "HTML" for call in sent)
    answer = "\n".join(fake_bot_api.texts_sent(chat))
    assert "Source" in answer and "http" in answer


def test_start_greets_says_what_it_can_do_and_offers_buttons(send, fake_bot_api):
    chat = new_chat_id()
    assert send(text_message(chat, "/start")) == 200
    said = "\n".join(fake_bot_api.texts_sent(chat))
    assert "assistant automatique" in said and "eurekoi.org" in said
    keyboard = fake_bot_api.calls("sendMessage", chat)[-1]["reply_markup"]["inline_keyboard"]
    assert keyboard
    assert all(len(row) == 1 and row[0]["text"] and row[0]["callback_data"] for row in keyboard)


def test_aide_explains_how_to_use_the_assistant(send, fake_bot_api):
    chat = new_chat_id()
    assert send(text_message(chat, "/aide")) == 200
    assert fake_bot_api.texts_sent(chat) == [escape_html(HELP)]


def test_a_button_is_acknowledged_then_answered(send, fake_bot_api):
    chat = new_chat_id()
    send(text_message(chat, "/start"))
    greeting = fake_bot_api.calls("sendMessage", chat)
    keyboard = greeting[-1]["reply_markup"]
    update = callback_query(chat, keyboard["inline_keyboard"][0][0]["callback_data"], keyboard)

    assert send(update) == 200

    query_id = update["callback_query"]["id"]
    methods = [
        call["method"] for call in fake_bot_api.calls()
        if call.get("callback_query_id") == query_id or call.get("chat_id") == chat
    ]
    after_greeting = methods[len(greeting):]
    assert after_greeting[0] == "answerCallbackQuery"
    assert after_greeting.count("answerCallbackQuery") == 1
    assert "sendMessage" in after_greeting[1:], "the button's question was not answered"


@pytest.mark.parametrize("kind", sorted(MEDIA))
def test_non_text_messages_get_the_text_only_answer(send, events_of, fake_bot_api, kind):
    chat = new_chat_id()
    assert send(media_message(chat, kind)) == 200
    assert fake_bot_api.texts_sent(chat) == [escape_html(TEXT_ONLY)]
    assert events_of(chat) == 0


def test_an_edited_message_is_explained_and_kept_out_of_the_conversation(
    send, events_of, fake_bot_api
):
    chat = new_chat_id()
    assert send(edited_message(chat, "bonjour")) == 200
    assert fake_bot_api.texts_sent(chat) == [escape_html(EDITED_MESSAGE)]
    assert events_of(chat) == 0


def test_an_update_delivered_twice_is_answered_once(send, events_of, fake_bot_api):
    chat = new_chat_id()
    update = text_message(chat, "merci beaucoup")
    assert send(update) == 200
    answered, events = fake_bot_api.calls("sendMessage", chat), events_of(chat)
    assert answered and events
    assert send(update) == 200
    assert fake_bot_api.calls("sendMessage", chat) == answered
    assert events_of(chat) == events


def test_without_telegram_settings_the_assistant_runs_and_refuses_every_update(servers):
    # `servers` starts the assistant as `make run` does, with no TELEGRAM_* variable.
    update = text_message(new_chat_id(), "bonjour")
    assert post_update(servers.rasa_url, update) == 403
    assert post_update(servers.rasa_url, update, secret="") == 403
