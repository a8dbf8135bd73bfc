"""What the assistant's answers become on Telegram, and what the channel says by itself.

Answers are sent in Telegram's HTML parse mode, the one whose escaping is simplest and complete
(`&`, `<`, `>`): an answer can never break the message or inject formatting. Telegram limits a
message to 4,096 UTF-16 code units and a button's `callback_data` to 64 bytes; both limits are
handled here so that the channel never has an answer refused.
"""
from __future__ import annotations

import hashlib
import html
from collections import OrderedDict
from typing import Any, Iterable, Optional

from bot.settings import LIBRARIAN_SERVICE_URL

PARSE_MODE = "HTML"
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
# Marks callback_data that stands for a longer payload kept in `ButtonPayloads`.
LONG_PAYLOAD_PREFIX = "#p:"
# Where a piece may end, best first: paragraph, line, sentence, word.
SEPARATORS = ("\n\n", "\n", ". ", "? ", "! ", " ")

# The commands shown in Telegram's menu (registered by `python -m bot telegram webhook`).
COMMANDS = (
    ("start", "Présentation de l'assistant et premières questions"),
    ("aide", "Ce que je sais faire et comment m'écrire"),
)

HELP = (
    "Je suis l'assistant automatique de la bibliothèque : je réponds aux questions sur la "
    "pair-aidance, les travailleurs pairs et les médiateurs de santé-pairs, et je conseille des "
    "lectures, avec leurs sources.\n\n"
    "Écrivez votre question avec vos mots, par exemple :\n"
    "• C'est quoi un médiateur de santé-pair ?\n"
    "• Avez-vous des lectures sur la pair-aidance ?\n"
    "• Un article récent sur le rétablissement ?\n\n"
    "Touchez un bouton sous mes réponses pour continuer. Je ne lis que le texte : ni photos, "
    "ni messages vocaux, ni documents.\n\n"
    "/start : la présentation et quelques questions pour commencer\n"
    "/aide : ce message\n\n"
    "Pour la réponse d'un ou d'une bibliothécaire, écrivez « bibliothécaire » ou posez votre "
    f"question sur Eurêkoi : {LIBRARIAN_SERVICE_URL}"
)
TEXT_ONLY = (
    "Je ne sais lire que du texte : les photos, autocollants, messages vocaux et documents ne me "
    "parviennent pas. Écrivez-moi votre question, par exemple « C'est quoi la pair-aidance ? »."
)
EDITED_MESSAGE = (
    "Je ne lis pas les messages modifiés. Pour que je tienne compte de votre correction, "
    "envoyez-la dans un nouveau message."
)
BUTTON_EXPIRED = "Ce bouton n'est plus disponible : écrivez-moi votre question, je vous réponds."
SOMETHING_WENT_WRONG = (
    "Désolé, je n'arrive pas à répondre pour le moment. Réessayez dans quelques minutes, ou "
    f"posez votre question aux bibliothécaires sur Eurêkoi : {LIBRARIAN_SERVICE_URL}"
)
# Telegram refuses a message without text, even when it carries buttons.
BUTTONS_WITHOUT_TEXT = "Choisissez :"


def escape_html(text: str) -> str:
    return html.escape(text, quote=False)


def _escaped_length(char: str) -> int:
    """A character's cost against the limit, once escaped, in UTF-16 code units."""
    if char in "&<>":
        return len(escape_html(char))
    return 2 if ord(char) > 0xFFFF else 1


def _longest_fitting_prefix(text: str, limit: int) -> int:
    used = 0
    for index, char in enumerate(text):
        used += _escaped_length(char)
        if used > limit:
            return index
    return len(text)


def split_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Cut `text` into pieces that fit Telegram's limit once escaped, at the best boundary.

    The escaped length is what is measured, so that a piece fits whether Telegram counts the
    text before or after parsing the entities. A boundary is only used in the second half of a
    piece, so that one early line break does not produce a string of tiny messages.
    """
    pieces = []
    rest = text.strip()
    while rest:
        fits = _longest_fitting_prefix(rest, limit)
        if fits == len(rest):
            pieces.append(rest)
            break
        cut = fits
        for separator in SEPARATORS:
            found = rest.rfind(separator, 0, fits)
            if found > fits // 2:
                cut = found + len(separator)
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return pieces


class ButtonPayloads:
    """Payloads longer than `callback_data` allows, under a short key, for the clicks to come.

    Bounded and in memory: after a restart an old button is answered from its title instead
    (see `payload_of_callback`).
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._payloads: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def callback_data(self, payload: str) -> str:
        if 0 < len(payload.encode()) <= MAX_CALLBACK_DATA_BYTES and not payload.startswith(
            LONG_PAYLOAD_PREFIX
        ):
            return payload
        key = LONG_PAYLOAD_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return key

    def get(self, key: str) -> Optional[str]:
        return self._payloads.get(key)


def inline_keyboard(buttons: Iterable[dict[str, Any]], payloads: ButtonPayloads) -> dict[str, Any]:
    """Rasa's buttons as an inline keyboard, one per row: French titles are too long to pair."""
    rows = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "").strip()
        if not title:
            continue
        if button.get("url"):
            rows.append([{"text": title, "url": str(button["url"])}])
        else:
            payload = str(button.get("payload") or title)
            rows.append([{"text": title, "callback_data": payloads.callback_data(payload)}])
    return {"inline_keyboard": rows}


def payload_of_callback(callback_query: dict[str, Any], payloads: ButtonPayloads) -> Optional[str]:
    """What the user "said" by touching a button; None when it can no longer be known."""
    data = callback_query.get("data")
    if not isinstance(data, str) or not data:
        return None
    if not data.startswith(LONG_PAYLOAD_PREFIX):
        return data
    remembered = payloads.get(data)
    if remembered:
        return remembered
    # Forgotten (restart): the button's title is a fair rephrasing of what was asked.
    markup = (callback_query.get("message") or {}).get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if button.get("callback_data") == data and button.get("text"):
                return str(button["text"])
    return None
