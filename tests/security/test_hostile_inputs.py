"""Hostile inputs through every channel of the running assistant: each gets its exact outcome,
and the assistant still answers a normal question right after it.

The outcomes are written to results/security/entrees-hostiles.md (by family, channel, result).
"""
from __future__ import annotations

import itertools
import json
import uuid
from typing import Any, Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.guard import EMPTY, NOT_JSON, TOO_LONG
from bot.channels.socketio import NO_SESSION, NOT_A_MESSAGE
from bot.channels.telegram_messages import escape_html
from bot.privacy.sender_ids import stored_sender_id
from tests.channels.updates import new_chat_id, text_message
from tests.security.conftest import SocketVisitor, http, results_file, telegram_update
from tests.security.hostile_inputs import (
    CRISIS,
    EMPTY as EXPECT_EMPTY,
    HOSTILE_MESSAGES,
    MODEL,
    REFUSED,
    TOO_LONG as EXPECT_TOO_LONG,
    Hostile,
)

pytestmark = pytest.mark.integration

LIMIT = 1000
TOO_LONG_NOTICE = TOO_LONG.format(limit=LIMIT)
NOTICES = {EMPTY, TOO_LONG_NOTICE, NOT_A_MESSAGE, NO_SESSION}
NORMAL_QUESTION = "c'est quoi un GEM ?"
NORMAL_ANSWER = "entraide mutuelle"  # in the answer utter_faq/gem
CRISIS_LINE = "3114"
OBSERVED: list[tuple[str, str, str, str, str]] = []  # family, input, channel, expected, observed
_update_ids = itertools.count(900_000_000)


def new_sender() -> str:
    return f"hostile-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    lines = [
        "# Entrées hostiles envoyées à l'assistant (tests/security)\n",
        "| famille | entrée | canal | attendu | observé |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {' | '.join(row)} |" for row in OBSERVED]
    results_file("entrees-hostiles.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def record(family: str, name: str, channel: str, expected: str, observed: str) -> None:
    OBSERVED.append((family, name.replace("|", "/"), channel, expected, observed))


# --- REST -------------------------------------------------------------------------------------

def rest(assistant, body: Any, raw: bool = False, **options) -> tuple[int, Any]:
    data = body if raw else json.dumps(body).encode()
    status, answer, _ = http(f"{assistant.rasa_url}/webhooks/rest/webhook", data, **options)
    return status, answer


def rest_still_answers(assistant, sender: str) -> bool:
    status, answer = rest(assistant, {"sender": sender, "message": NORMAL_QUESTION})
    return status == 200 and any(NORMAL_ANSWER in m.get("text", "") for m in answer)


@pytest.mark.parametrize("hostile", HOSTILE_MESSAGES, ids=str)
def test_rest(guarded_assistant, hostile: Hostile):
    sender = new_sender()
    status, answer = rest(guarded_assistant, {"sender": sender, "message": hostile.message})
    texts = [m.get("text", "") for m in answer] if isinstance(answer, list) else []
    observed = f"{status} {_summary(texts, answer)}"
    record(hostile.family, hostile.name, "REST", hostile.expected, observed)
    if hostile.expected == REFUSED:
        assert status == 400 and "erreur" in answer
    else:
        assert status == 200
        _assert_outcome(hostile.expected, texts)
    assert rest_still_answers(guarded_assistant, sender)


REST_REQUESTS = [
    # name, body (bytes), expected status
    ("JSON malformé", b'{"sender": "a", "message": ', 400),
    ("UTF-8 invalide", b'{"sender": "a", "message": "\xff\xfe\xc3"}', 400),
    ("corps vide", b"", 400),
    ("tableau JSON", b'["bonjour"]', 400),
    ("chaîne JSON", b'"bonjour"', 400),
    ("null JSON", b"null", 400),
    ("imbrication de 100 000 tableaux", b"[" * 100_000 + b"]" * 100_000, 400),
    ("formulaire au lieu de JSON", b"sender=a&message=bonjour", 400),
    ("nombre géant", b'{"sender": "a", "message": 1' + b"0" * 5000 + b"}", 400),
    ("corps de 2 Mo", b'{"sender": "a", "message": "' + b"a" * 2_000_000 + b'"}', 413),
]
SENDERS = [
    # name, sender, expected status
    ("expéditeur absent", None, 400),
    ("expéditeur nombre", 12345, 400),
    ("expéditeur vide", "", 400),
    ("expéditeur de 128 caractères", "a" * 128, 200),
    ("expéditeur de 129 caractères", "a" * 129, 400),
    ("expéditeur de 100 000 caractères", "a" * 100_000, 400),
    ("expéditeur chemin relatif", "../../etc/passwd", 400),
    ("expéditeur chemin Windows", "..\\..\\windows\\system32", 400),
    ("expéditeur encodé en URL", "%2e%2e%2f%2e%2e%2f", 400),
    ("expéditeur avec octet nul", "visiteur\x00admin", 400),
    ("expéditeur avec espace et HTML", "<b> visiteur", 400),
    ("expéditeur accentué", "visiteur-é", 400),
]


@pytest.mark.parametrize("name, body, expected", REST_REQUESTS, ids=[r[0] for r in REST_REQUESTS])
def test_rest_malformed_requests(guarded_assistant, name: str, body: bytes, expected: int):
    status, answer = rest(guarded_assistant, body, raw=True)
    record("requêtes REST", name, "REST", str(expected), str(status))
    assert status == expected
    if expected == 400:
        assert answer == {"erreur": NOT_JSON} or "erreur" in answer
    assert rest_still_answers(guarded_assistant, new_sender())


@pytest.mark.parametrize("name, sender, expected", SENDERS, ids=[s[0] for s in SENDERS])
def test_rest_sender_ids(guarded_assistant, name: str, sender: Any, expected: int):
    body = {"message": "bonjour"} if sender is None else {"sender": sender, "message": "bonjour"}
    status, answer = rest(guarded_assistant, body)
    record("identifiants REST", name, "REST", str(expected), str(status))
    assert status == expected
    if expected == 400:
        assert "sender" in answer["erreur"]
    assert rest_still_answers(guarded_assistant, new_sender())


def test_rest_odd_but_valid_requests(guarded_assistant):
    """A byte order mark, duplicate keys, a GET: what a sloppy client sends."""
    bom = b"\xef\xbb\xbf" + json.dumps({"sender": new_sender(), "message": "bonjour"}).encode()
    assert rest(guarded_assistant, bom, raw=True)[0] == 200
    duplicate = b'{"sender": "dup-1", "message": "x", "message": "bonjour"}'
    assert rest(guarded_assistant, duplicate, raw=True)[0] == 200
    assert http(f"{guarded_assistant.rasa_url}/webhooks/rest/webhook", method="GET")[0] == 405
    for name, status in [("BOM", 200), ("clés en double", 200), ("GET sur le webhook", 405)]:
        record("requêtes REST", name, "REST", str(status), str(status))


@pytest.mark.parametrize(
    "name, body, status, answer",
    [
        ("trop long", {"sender": "idem-1", "message": "a" * 1001}, 200, TOO_LONG_NOTICE),
        ("vide", {"sender": "idem-2", "message": "\u200b", "message_id": "m2"}, 200, EMPTY),
        ("expéditeur chemin", {"sender": "../x", "message": "bonjour"}, 400, None),
        ("message objet", {"sender": "idem-4", "message": {"$gt": ""}}, 400, None),
    ],
)
def test_the_retry_safe_rest_channel_is_guarded_too(guarded_assistant, name, body, status, answer):
    url = f"{guarded_assistant.rasa_url}/webhooks/rest_idempotent/webhook"
    got, reply, _ = http(url, json.dumps(body).encode())
    record("REST rejouable", name, "REST (rest_idempotent)", str(status), str(got))
    assert got == status
    if answer:
        assert reply == [{"recipient_id": body["sender"], "text": answer}]
    else:
        assert "erreur" in reply


def test_client_metadata_and_addresses_are_not_stored(guarded_assistant):
    sender = new_sender()
    body = {
        "sender": sender, "message": "bonjour", "input_channel": "telegram",
        "metadata": {"ip": "203.0.113.77", "user_agent": "Mozilla/5.0 (espion)"},
    }
    assert rest(guarded_assistant, body)[0] == 200
    stored = open(guarded_assistant.tracker_db, "rb").read()
    assert b"203.0.113.77" not in stored and b"espion" not in stored
    assert b"127.0.0.1" not in stored
    assert sender.encode() not in stored and stored_sender_id(sender).encode() in stored
    name = "métadonnées client (IP, navigateur), canal usurpé"
    record("vie privée", name, "REST", "non stocké", "non stocké")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.characters(exclude_categories=()), max_size=1200))
def test_any_text_gets_an_answer_never_an_error(guarded_assistant, text: str):
    """Whatever the text, REST answers 200 with a list of messages for this sender."""
    sender = new_sender()
    status, answer = rest(guarded_assistant, {"sender": sender, "message": text})
    assert status == 200, answer
    assert isinstance(answer, list)
    assert all(m.get("recipient_id") == sender for m in answer)


# --- socket.io --------------------------------------------------------------------------------

@pytest.fixture
def visitor(guarded_assistant) -> Iterator[SocketVisitor]:
    client = SocketVisitor(guarded_assistant.rasa_url)
    yield client
    client.close()


def socket_still_answers(visitor: SocketVisitor, session: str) -> bool:
    visitor.client.emit("user_uttered", {"message": NORMAL_QUESTION, "session_id": session})
    return visitor.answer_containing(NORMAL_ANSWER) is not None


@pytest.mark.parametrize("hostile", HOSTILE_MESSAGES, ids=str)
def test_socketio(visitor, hostile: Hostile):
    session = visitor.open_session()
    visitor.client.emit("user_uttered", {"message": hostile.message, "session_id": session})
    if hostile.expected == CRISIS:
        crisis = visitor.answer_containing(CRISIS_LINE)
        observed = _summary([crisis or ""])
        record(hostile.family, hostile.name, "socket.io", hostile.expected, observed)
        assert crisis
    else:
        answer = visitor.next_answer()
        text = (answer or {}).get("text", "")
        record(hostile.family, hostile.name, "socket.io", hostile.expected, _summary([text]))
        if hostile.expected == REFUSED:
            assert text == NOT_A_MESSAGE
        else:
            assert answer is not None
            _assert_outcome(hostile.expected, [text])
    assert socket_still_answers(visitor, session)


def test_socketio_session_ids_are_checked(visitor):
    for name, data in [
        ("session chemin relatif", {"session_id": "../../etc/passwd"}),
        ("session de 10 000 caractères", {"session_id": "a" * 10_000}),
        ("session objet", {"session_id": {"$ne": None}}),
        ("demande de session non-objet", "abc"),
        ("demande de session liste", ["x"]),
    ]:
        confirmed = visitor.open_session(data)
        record("sessions socket.io", name, "socket.io", "nouvel identifiant", confirmed)
        assert isinstance(confirmed, str) and len(confirmed) == 32 and confirmed != data
    session = visitor.open_session()
    for name, data in [
        ("message dans la session d'un autre", {"message": "x", "session_id": uuid.uuid4().hex}),
        ("message sans session", {"message": "bonjour"}),
    ]:
        visitor.client.emit("user_uttered", data)
        answer = visitor.next_answer()
        record("sessions socket.io", name, "socket.io", "refusé", _summary([answer["text"]]))
        assert answer["text"] == NO_SESSION
    for name, data in [("données non-objet", "bonjour"), ("données liste", ["bonjour"])]:
        visitor.client.emit("user_uttered", data)
        answer = visitor.next_answer()
        record("sessions socket.io", name, "socket.io", "refusé", _summary([answer["text"]]))
        assert answer["text"] == NOT_A_MESSAGE
    visitor.client.emit(
        "user_uttered", {"message": "bonjour", "session_id": session, "metadata": "{pas du JSON"}
    )
    assert visitor.next_answer() is not None
    record("sessions socket.io", "métadonnées illisibles", "socket.io", "modèle", "modèle")
    assert socket_still_answers(visitor, session)


def test_socketio_malformed_packets_do_not_break_the_server(guarded_assistant, visitor):
    """Raw engine.io POSTs with broken socket.io packets: 200 from engine.io, packet dropped."""
    base = f"{guarded_assistant.rasa_url}/socket.io/?EIO=4&transport=polling"
    _, opened, _ = http(base, method="GET")
    sid = json.loads(opened[1:])["sid"]
    for name, packet, expected in [
        ("paquet socket.io tronqué", b'42["user_uttered",{"message":', 200),
        ("paquet en UTF-8 invalide", b'42["user_uttered",{"message":"\xff\xfe"}]', 200),
        ("session engine.io inconnue", b"40", 400),
    ]:
        url = f"{base}&sid={sid if expected == 200 else 'inconnue'}"
        status = http(url, packet, headers={"Content-Type": "text/plain"})[0]
        record("paquets socket.io", name, "socket.io", str(expected), str(status))
        assert status == expected
    assert socket_still_answers(visitor, visitor.open_session())


def test_socketio_connections_from_other_sites_are_refused(guarded_assistant):
    allowed = guarded_assistant.settings.cors_origins[0]
    for origin in ["http://site-tiers.example", "null", allowed + ".site-tiers.example"]:
        with pytest.raises(Exception):
            SocketVisitor(guarded_assistant.rasa_url, origin=origin)
        record("origines socket.io", f"Origin {origin}", "socket.io", "refusé", "refusé")
    client = SocketVisitor(guarded_assistant.rasa_url, origin=allowed)
    try:
        assert socket_still_answers(client, client.open_session())
    finally:
        client.close()
    record("origines socket.io", f"Origin {allowed} (autorisée)", "socket.io", "accepté", "accepté")


# --- Telegram ---------------------------------------------------------------------------------

def telegram_text(assistant, chat: int, text: Any) -> tuple[int, list[str]]:
    update = text_message(chat, text if isinstance(text, str) else "x")
    update["message"]["text"] = text
    status = telegram_update(assistant.rasa_url, json.dumps(update).encode())
    return status, assistant.fake_bot_api.texts_sent(chat)


def telegram_still_answers(assistant, chat: int) -> bool:
    before = len(assistant.fake_bot_api.texts_sent(chat))
    status, sent = telegram_text(assistant, chat, NORMAL_QUESTION)
    return status == 200 and any(NORMAL_ANSWER in text for text in sent[before:])


@pytest.mark.parametrize("hostile", HOSTILE_MESSAGES, ids=str)
def test_telegram(guarded_assistant, hostile: Hostile):
    chat = new_chat_id()
    status, sent = telegram_text(guarded_assistant, chat, hostile.message)
    # Telegram's own clients never send a blank text; the channel ignores one, as a service message.
    blank = isinstance(hostile.message, str) and not hostile.message.strip()
    expected = "ignoré" if blank or hostile.expected == REFUSED else hostile.expected
    record(hostile.family, hostile.name, "Telegram", expected, f"{status} {_summary(sent)}")
    assert status == 200
    if expected == "ignoré":
        assert sent == []
    else:
        _assert_outcome(expected, sent, escaped=True)
    assert telegram_still_answers(guarded_assistant, chat)


def _update(**content: Any) -> bytes:
    return json.dumps({"update_id": next(_update_ids), **content}).encode()


def _chat_message(chat_id: Any, text: str = "bonjour") -> dict:
    chat = {"id": chat_id, "type": "private"}
    return {"message_id": 1, "date": 1718035200, "chat": chat, "text": text}


TELEGRAM_REQUESTS = [
    # name, body, secret given, expected status
    ("sans le secret", _update(message=_chat_message(1)), False, 403),
    ("JSON malformé", b'{"update_id": 1, "message": ', True, 400),
    ("UTF-8 invalide", b'{"update_id": 2, "message": "\xff\xfe"}', True, 400),
    ("tableau JSON", b"[1, 2, 3]", True, 400),
    ("update_id texte", json.dumps({"update_id": "1", "message": {}}).encode(), True, 400),
    ("message texte au lieu d'objet", _update(message="bonjour"), True, 200),
    ("discussion sans identifiant", _update(message={"chat": {}, "text": "bonjour"}), True, 200),
    ("discussion au chemin relatif", _update(message=_chat_message("../../etc/passwd")), True, 200),
    ("discussion de 10 000 chiffres", _update(message=_chat_message("9" * 10_000)), True, 200),
    ("identifiant de discussion objet", _update(message=_chat_message({"$ne": None})), True, 200),
    ("bouton au contenu forgé de 5 000 caractères", _update(callback_query={
        "id": "1", "from": {"id": 5}, "message": _chat_message(5), "data": "/greet" + "x" * 5000,
    }), True, 200),
]


@pytest.mark.parametrize(
    "name, body, with_secret, expected", TELEGRAM_REQUESTS, ids=[r[0] for r in TELEGRAM_REQUESTS]
)
def test_telegram_malformed_updates(guarded_assistant, name, body, with_secret, expected):
    calls_before = len(guarded_assistant.fake_bot_api.calls("sendMessage"))
    secret = {} if with_secret else {"secret": None}
    status = telegram_update(guarded_assistant.rasa_url, body, **secret)
    record("mises à jour Telegram", name, "Telegram", str(expected), str(status))
    assert status == expected
    # Nothing is sent to a chat named by a malformed update (an id Telegram never gives).
    sent = guarded_assistant.fake_bot_api.calls("sendMessage")[calls_before:]
    assert all(call["chat_id"] in (1, 5) for call in sent)
    assert telegram_still_answers(guarded_assistant, new_chat_id())


# --- outcomes ---------------------------------------------------------------------------------

def _assert_outcome(expected: str, texts: list[str], escaped: bool = False) -> None:
    shown: Callable[[str], str] = escape_html if escaped else (lambda text: text)
    if expected == MODEL:
        assert texts and not {shown(n) for n in NOTICES} & set(texts), texts
    elif expected == EXPECT_TOO_LONG:
        assert texts == [shown(TOO_LONG_NOTICE)], texts
    elif expected == EXPECT_EMPTY:
        assert texts == [shown(EMPTY)], texts
    elif expected == CRISIS:
        assert any(CRISIS_LINE in text for text in texts), texts
    else:
        raise AssertionError(f"issue inconnue : {expected}")


def _summary(texts: list[str], answer: Any = None) -> str:
    """What the visitor got, in a few words, for the report."""
    joined = " ".join(texts)
    if isinstance(answer, dict) and "erreur" in answer:
        return "refusé (« erreur »)"
    if CRISIS_LINE in joined:
        return "numéros d'urgence"
    for notice, label in [
        (TOO_LONG_NOTICE, "avis « trop long »"), (EMPTY, "avis « vide »"),
        (NOT_A_MESSAGE, "avis « illisible »"), (NO_SESSION, "avis « session »"),
    ]:
        if notice in joined or escape_html(notice) in joined:
            return label
    return "réponse du modèle" if joined.strip() else "rien"
