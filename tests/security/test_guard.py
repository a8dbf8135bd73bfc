"""The guard on its own (bot/channels/guard.py): examples, then properties over any text."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.guard import (
    BAD_SENDER,
    DISTRESS_PAYLOAD,
    DISTRESS_SCAN_LENGTH,
    EMPTY,
    NOT_A_TEXT,
    TOO_LONG,
    check_message,
    clean_text,
    parse_json_object,
    valid_sender_id,
)
from bot.launcher import action_server_command, rasa_server_command
from bot.settings import Settings

LIMIT = 1000
DISTRESS = "je n'en peux plus, j'ai envie d'en finir"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("c'est quoi un GEM ?", "c'est quoi un GEM ?"),
        ("  bon\x00jour\x07  ", "bonjour"),
        ("\u202etexte\u200b caché\ufeff", "texte caché"),
        ("\ud800salut\udfff", "salut"),
        ("e\u0301te\u0301", "été"),  # composed (NFC)
        ("ligne\u2028suivante", "ligne\nsuivante"),
        ("👩\u200d👩\u200d👧", "👩\u200d👩\u200d👧"),  # the emoji joiners are kept
    ],
)
def test_invisible_characters_are_removed_and_the_rest_kept(text, expected):
    assert check_message(text, "visiteur", LIMIT).text == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t\r", "\x00\x01\x7f", "\u200b\ufeff", "\u00a0\u3000", "\uffff"]
)
def test_nothing_to_read_gets_the_empty_notice(text):
    assert check_message(text, "visiteur", LIMIT).reply == EMPTY


def test_over_the_limit_gets_the_length_notice_and_nothing_for_the_model():
    verdict = check_message("a" * (LIMIT + 1), "visiteur", LIMIT)
    assert verdict.text is None and verdict.reply == TOO_LONG.format(limit=LIMIT)
    assert check_message("a" * LIMIT, "visiteur", LIMIT).text == "a" * LIMIT


@pytest.mark.parametrize(
    "text",
    [DISTRESS + " " + "a" * 3000, "blabla " * 700 + DISTRESS, DISTRESS + "😀" * 5000],
)
def test_distress_over_the_limit_still_gets_the_crisis_intent(text):
    assert check_message(text, "visiteur", LIMIT).text == DISTRESS_PAYLOAD


def test_distress_beyond_the_scanned_part_is_not_searched():
    text = "a " * DISTRESS_SCAN_LENGTH + DISTRESS
    assert check_message(text, "visiteur", LIMIT).reply == TOO_LONG.format(limit=LIMIT)


@pytest.mark.parametrize("message", [42, None, ["x"], {"$gt": ""}, True, 1.5])
def test_a_message_that_is_not_a_text_is_an_error(message):
    assert check_message(message, "visiteur", LIMIT).error == NOT_A_TEXT


@pytest.mark.parametrize(
    "sender, valid",
    [
        ("moi", True), ("-1001234567890", True), ("0f" * 16, True), ("a" * 128, True),
        ("", False), ("a" * 129, False), ("../x", False), ("a/b", False), ("a b", False),
        ("é", False), ("a\x00", False), ("%2e", False), ("x@y.fr", False), (42, False),
        (None, False),
    ],
)
def test_sender_ids(sender, valid):
    assert valid_sender_id(sender) is valid
    assert (check_message("bonjour", sender, LIMIT).error == BAD_SENDER) is not valid


@pytest.mark.parametrize(
    "body, parsed",
    [
        (b'{"a": 1}', {"a": 1}),
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),
        (b"", None), (b"{", None), (b"[1]", None), (b'"x"', None), (b"null", None),
        (b'{"a": "\xff"}', None), (b"[" * 50_000 + b"]" * 50_000, None), (b"1" * 5000, None),
    ],
)
def test_request_bodies(body, parsed):
    assert parse_json_object(body) == parsed


any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=3000)


@settings(max_examples=500, deadline=None)
@given(text=any_text, limit=st.integers(min_value=1, max_value=2000))
def test_any_text_gets_exactly_one_clean_verdict(text, limit):
    verdict = check_message(text, "visiteur", limit)
    assert verdict.error is None
    assert (verdict.text is None) != (verdict.reply is None)
    if verdict.reply is not None:
        assert verdict.reply in (EMPTY, TOO_LONG.format(limit=limit))
    elif verdict.text != DISTRESS_PAYLOAD:
        passed = verdict.text
        assert 0 < len(passed) <= limit
        assert passed == passed.strip() and passed == unicodedata.normalize("NFC", passed)
        passed.encode("utf-8")  # no lone surrogate left: it can be stored and sent
        assert not any(
            unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in passed
        )


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_cleaning_twice_changes_nothing(text):
    assert clean_text(clean_text(text)) == clean_text(text)


def test_rasa_api_is_off_without_a_token_or_a_jwt_secret(tmp_path):
    settings = Settings()  # the defaults: no token, no JWT secret
    assert "--enable-api" not in rasa_server_command(settings, tmp_path / "m.tar.gz")
    with_token = rasa_server_command(settings, tmp_path / "m.tar.gz", "jeton")
    assert with_token[with_token.index("--enable-api") + 1:][:2] == ["--auth-token", "jeton"]


def test_the_action_server_listens_on_the_configured_host_only():
    command = action_server_command(Settings())
    assert command[command.index("--host") + 1] == "127.0.0.1"
