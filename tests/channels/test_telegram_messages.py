"""Answers as Telegram shows them: escaped, cut under the size limit, buttons as keyboards."""
from bot.channels.telegram_messages import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_MESSAGE_LENGTH,
    ButtonPayloads,
    escape_html,
    inline_keyboard,
    payload_of_callback,
    split_message,
)


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def test_markup_in_an_answer_is_shown_as_typed_not_interpreted():
    escaped = "&lt;b&gt;Pairs &amp; aidants&lt;/b&gt; &gt; 3"
    assert escape_html("<b>Pairs & aidants</b> > 3") == escaped
    assert escape_html("« L'aidance » — 3114") == "« L'aidance » — 3114"


def test_a_short_answer_stays_one_message():
    answer = "Bonjour !\n\nQue voulez-vous savoir ?"
    assert split_message(f"  {answer}  ") == [answer]
    assert split_message("   ") == []


def test_a_long_answer_is_cut_between_paragraphs_and_nothing_is_lost():
    sentence = "La pair-aidance repose sur le vécu. "
    paragraphs = [f"Paragraphe {n}. " + sentence * 30 for n in range(12)]
    text = "\n\n".join(paragraphs)
    pieces = split_message(text)
    assert len(pieces) > 1
    assert all(telegram_length(escape_html(piece)) <= MAX_MESSAGE_LENGTH for piece in pieces)
    assert all(piece.startswith("Paragraphe") and piece.endswith(".") for piece in pieces)
    assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())


def test_a_text_without_spaces_is_cut_hard_rather_than_refused():
    pieces = split_message("x" * 10_000)
    assert [len(p) for p in pieces] == [4096, 4096, 1808]


def test_the_limit_counts_escaped_characters_and_emoji_as_telegram_does():
    for text in ("& " * 5000, "📚 " * 5000):
        pieces = split_message(text)
        assert all(telegram_length(escape_html(piece)) <= MAX_MESSAGE_LENGTH for piece in pieces)
        assert sum(piece.count(text[0]) for piece in pieces) == 5000


def test_buttons_become_one_row_each_with_their_payload():
    keyboard = inline_keyboard(
        [{"title": "Des lectures", "payload": "Avez-vous des lectures ?"},
         {"title": "Eurêkoi", "url": "https://www.eurekoi.org/"}],
        ButtonPayloads(),
    )
    assert keyboard == {"inline_keyboard": [
        [{"text": "Des lectures", "callback_data": "Avez-vous des lectures ?"}],
        [{"text": "Eurêkoi", "url": "https://www.eurekoi.org/"}],
    ]}


def test_a_payload_longer_than_64_bytes_still_comes_back_whole():
    payloads = ButtonPayloads()
    payload = '/reading_details{"reference_id":"12", "rank":"dernier", "theme":"médiation_sociale"}'
    keyboard = inline_keyboard([{"title": "Le détail", "payload": payload}], payloads)
    data = keyboard["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
    query = {"id": "1", "data": data, "message": {"reply_markup": keyboard}}
    assert payload_of_callback(query, payloads) == payload


def test_after_a_restart_a_forgotten_long_payload_falls_back_to_the_button_title():
    payload = "Qu'est-ce qu'un médiateur de santé-pair, et en quoi diffère-t-il d'un pair-aidant ?"
    button = {"title": "Médiateur ou pair-aidant ?", "payload": payload}
    keyboard = inline_keyboard([button], ButtonPayloads())
    data = keyboard["inline_keyboard"][0][0]["callback_data"]
    query = {"id": "1", "data": data, "message": {"reply_markup": keyboard}}
    assert payload_of_callback(query, ButtonPayloads()) == "Médiateur ou pair-aidant ?"
    assert payload_of_callback({"id": "1", "data": data}, ButtonPayloads()) is None
