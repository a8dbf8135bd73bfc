"""The "vouliez-vous dire…" fallback with rasa-sdk's Tracker and CollectingDispatcher."""
import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionSuggestIntents


def run(intent_ranking, faq_ranking=()):
    latest = {
        "text": "…",
        "intent": {"name": "nlu_fallback", "confidence": 0.55},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in intent_ranking],
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": k, "confidence": c} for k, c in faq_ranking]}
        },
    }
    dispatcher = CollectingDispatcher()
    tracker = Tracker("t", {}, latest, [], False, None, {}, "action_listen")
    asyncio.run(ActionSuggestIntents().run(dispatcher, tracker, {}))
    return dispatcher.messages[0]


def test_two_best_guesses_become_buttons_with_their_questions():
    message = run(
        [("nlu_fallback", 0.55), ("faq", 0.45), ("recommend_readings", 0.3)],
        [("faq/gem", 0.8), ("faq/trouver_pair_aidant", 0.2)],
    )
    titles = [b["title"] for b in message["buttons"]]
    assert titles[:2] == ["Les GEM", "Des lectures"]
    assert message["buttons"][0]["payload"] == "C'est quoi un groupe d'entraide mutuelle ?"
    assert "eurekoi.org" in message["text"]


def test_a_question_closest_to_out_of_scope_gets_the_honest_answer():
    message = run([("nlu_fallback", 0.55), ("out_of_scope", 0.46), ("bot_challenge", 0.31)])
    assert message["response"] == "utter_out_of_scope"


def test_no_guess_worth_proposing_gets_the_default_answer():
    message = run([("nlu_fallback", 0.55), ("greet", 0.05)])
    assert message["response"] == "utter_default"
