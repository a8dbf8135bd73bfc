"""Telegram `Update` payloads as the Bot API sends them (fields and shapes of real updates)."""
from __future__ import annotations

import itertools
import random
from typing import Any

_update_ids = itertools.count(random.randint(100_000_000, 800_000_000))
_chat_ids = itertools.count(random.randint(10_000_000, 90_000_000) * 10)
DATE = 1718035200


def new_chat_id() -> int:
    """A private chat of its own for each test: its id is also the conversation id."""
    return next(_chat_ids)


def _user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Camille", "language_code": "fr"}


def _message(chat_id: int, **content: Any) -> dict[str, Any]:
    return {
        "message_id": random.randint(1, 10_000),
        "from": _user(chat_id),
        "chat": {"id": chat_id, "first_name": "Camille", "type": "private"},
        "date": DATE,
        **content,
    }


def text_message(chat_id: int, text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command_length = len(text.split()[0])
        content["entities"] = [{"offset": 0, "length": command_length, "type": "bot_command"}]
    return {"update_id": next(_update_ids), "message": _message(chat_id, **content)}


def edited_message(chat_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "edited_message": _message(chat_id, text=text, edit_date=DATE + 30),
    }


def callback_query(chat_id: int, data: str, keyboard: dict[str, Any]) -> dict[str, Any]:
    """A touch on a button of the bot's message carrying `keyboard` (its reply_markup)."""
    bot = {"id": 123456789, "is_bot": True, "first_name": "Biblio", "username": "bibliotheque_test_bot"}
    sent = _message(chat_id, text="Que voulez-vous savoir ?", reply_markup=keyboard)
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(random.randint(10**17, 10**18)),
            "from": _user(chat_id),
            "message": {**sent, "from": bot},
            "chat_instance": "-4871624961826371882",
            "data": data,
        },
    }


def _file(unique: str, **fields: Any) -> dict[str, Any]:
    return {"file_id": f"AgACAgQAAxkBAAI{unique}", "file_unique_id": f"AQAD{unique}", **fields}


MEDIA = {
    "photo": {"photo": [
        _file("ph1", file_size=1203, width=90, height=67),
        _file("ph2", file_size=48150, width=800, height=600),
    ], "caption": "c'est quoi ce livre ?"},
    "sticker": {"sticker": _file(
        "st1", type="regular", width=512, height=512, is_animated=False, is_video=False, emoji="👍"
    )},
    "voice": {"voice": _file("vo1", duration=4, mime_type="audio/ogg", file_size=15112)},
    "document": {"document": _file(
        "do1", file_name="question.pdf", mime_type="application/pdf", file_size=80211
    )},
}


def media_message(chat_id: int, kind: str) -> dict[str, Any]:
    return {"update_id": next(_update_ids), "message": _message(chat_id, **MEDIA[kind])}
