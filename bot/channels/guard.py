"""The one gate for what visitors send, whatever the channel (REST, socket.io, Telegram).

Pure validation, no Rasa and no web server: each channel asks `check_message` about one message
and does what the verdict says, in its own way (an HTTP status, a socket.io event, a Telegram
message). A verdict is one of three:
- `text`: pass this on to the assistant (the visitor's text, cleaned of invisible characters);
- `reply`: answer this polite French sentence instead, the model never sees the message;
- `error`: the request itself is malformed (not a text, a bad sender id): a 400 where the
  channel has statuses, nothing given to the assistant.

A message over the length limit is not read by the model, except for one thing: if it contains
words of distress (`bot.safety`, the rule that backs the `detresse` intent), it becomes the
`/detresse` intent, so that the visitor gets the crisis lines rather than a length notice.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

from bot.safety import DISTRESS_INTENT, is_distress

# Telegram chat ids ("-1001234567890"), the widget's session ids (32 hex digits), uuids, and the
# short names of API clients and tests. Nothing that could be a path, markup or an e-mail.
SENDER_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")
# How much of an over-long message is searched for words of distress: a person's message, at
# most; the rest of a huge body is not worth the time of the server.
DISTRESS_SCAN_LENGTH = 20_000
DISTRESS_PAYLOAD = f"/{DISTRESS_INTENT}"
# Format characters kept: the joiners that compose emoji and some scripts' letters.
KEPT_FORMAT_CHARACTERS = frozenset("\u200c\u200d")

TOO_LONG = (
    "Votre message est trop long pour moi : je lis au plus {limit} caractères. Pouvez-vous "
    "poser votre question en quelques phrases ?"
)
EMPTY = (
    "Je n'ai reçu aucun texte. Écrivez-moi votre question, par exemple « C'est quoi la "
    "pair-aidance ? »."
)
NOT_A_TEXT = "Le message doit être un texte (« message » : une chaîne de caractères)."
BAD_SENDER = (
    "Identifiant d'expéditeur invalide (« sender ») : de 1 à 128 caractères parmi A-Z, a-z, "
    "0-9, _ et -."
)
NOT_JSON = "Le corps de la requête doit être un objet JSON en UTF-8."


@dataclass(frozen=True)
class Verdict:
    """Exactly one of the three is set (see the module's docstring)."""

    text: Optional[str] = None
    reply: Optional[str] = None
    error: Optional[str] = None


def valid_sender_id(sender_id: Any) -> bool:
    return isinstance(sender_id, str) and SENDER_ID_PATTERN.fullmatch(sender_id) is not None


def check_message(text: Any, sender_id: Any, max_length: int) -> Verdict:
    """What to do with `text` sent by `sender_id`, with messages limited to `max_length`."""
    if not valid_sender_id(sender_id):
        return Verdict(error=BAD_SENDER)
    return check_text(text, max_length)


def check_text(text: Any, max_length: int) -> Verdict:
    """`check_message` for a channel that vouches for the sender id itself."""
    if not isinstance(text, str):
        return Verdict(error=NOT_A_TEXT)
    scanned_length = max(DISTRESS_SCAN_LENGTH, 2 * max_length)
    cleaned = clean_text(text[:scanned_length])
    if not is_meaningful(cleaned):
        return Verdict(reply=EMPTY)
    if len(cleaned) > max_length or len(text) > scanned_length:
        if is_distress(cleaned):
            return Verdict(text=DISTRESS_PAYLOAD)
        return Verdict(reply=TOO_LONG.format(limit=max_length))
    return Verdict(text=cleaned)


def clean_text(text: str) -> str:
    """The text without what nobody types on purpose, in NFC, without surrounding spaces.

    Removed: control characters (tab and line breaks kept), lone surrogates (JSON's "\\ud800"),
    format characters such as bidirectional overrides, zero-width spaces and byte order marks
    (the emoji joiners kept); line and paragraph separators become line breaks.
    """
    if not text.isprintable():
        text = "".join(_cleaned_character(c) for c in text)
    return unicodedata.normalize("NFC", text).strip()


def _cleaned_character(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cc":
        return char if char in "\t\n\r" else ""
    if category == "Cs" or (category == "Cf" and char not in KEPT_FORMAT_CHARACTERS):
        return ""
    if category in ("Zl", "Zp"):
        return "\n"
    return char


def is_meaningful(text: str) -> bool:
    """At least one letter, digit, punctuation mark or symbol (an emoji is a symbol)."""
    return any(unicodedata.category(c)[0] in "LNPS" for c in text)


def parse_json_object(body: bytes) -> Optional[dict[str, Any]]:
    """The body as a JSON object, or None when it is not UTF-8, not JSON, or not an object.

    A leading byte order mark is allowed (RFC 8259 lets parsers ignore it); nesting too deep for
    Python's parser is refused like any other malformed body.
    """
    try:
        parsed = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None
