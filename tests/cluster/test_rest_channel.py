"""The retry-safe REST channel's memory of answers (bot/channels/rest.py), on Rasa's own events.

Here beside the cluster tests that need it; the channel itself is tested through nginx in
test_cluster.py.
"""
import asyncio
from collections import deque

from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.channels.rest import message_id_of, recorded_replies

BUTTONS = [{"title": "Des lectures ?", "payload": "des lectures"}]


def conversation() -> list:
    return [
        ActionExecuted("action_session_start"),
        BotUttered("Bonjour ! Je suis l'assistant automatique de la bibliothèque."),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("bonjour", message_id="m1"),
        ActionExecuted("utter_greet"),
        BotUttered("Que voulez-vous savoir ?", data={"buttons": BUTTONS}),
        ActionExecuted("action_listen"),
        UserUttered("des livres", message_id="m2"),
        ActionExecuted("action_recommend_readings"),
        BotUttered("Voici trois lectures.\n\nBonne lecture !"),
        SlotSet("reading_query", {"page": 1}),
        ActionExecuted("action_listen"),
    ]


def replies(message_id: str):
    # A tracker keeps its events in a deque.
    return asyncio.run(recorded_replies(deque(conversation()), message_id, "visiteur"))


def test_the_first_turn_gives_back_the_session_greeting_then_its_answer():
    assert replies("m1") == [
        {"recipient_id": "visiteur", "text": "Bonjour ! Je suis l'assistant automatique de la bibliothèque."},
        {"recipient_id": "visiteur", "text": "Que voulez-vous savoir ?", "buttons": BUTTONS},
    ]


def test_a_later_turn_gives_back_its_own_answer_split_as_rest_sends_it():
    assert replies("m2") == [
        {"recipient_id": "visiteur", "text": "Voici trois lectures."},
        {"recipient_id": "visiteur", "text": "Bonne lecture !"},
    ]


def test_an_unknown_message_id_means_the_turn_was_never_processed():
    assert replies("m3") is None
    assert asyncio.run(recorded_replies([], "m1", "visiteur")) is None


def test_the_client_id_wins_over_nginx_request_id_and_odd_ids_are_ignored():
    assert message_id_of({"message_id": "c1"}, {"X-Request-ID": "n1"}) == "c1"
    assert message_id_of({}, {"X-Request-ID": "n1"}) == "n1"
    assert message_id_of({"message_id": 12}, {}) is None
    assert message_id_of({"message_id": "x" * 500}, {}) is None
