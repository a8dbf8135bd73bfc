"""When the assistant is unsure, it proposes its two best guesses instead of bluffing."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.intent_labels import fallback_candidates
from bot.settings import LIBRARIAN_SERVICE_URL


class ActionSuggestIntents(Action):
    """Two best guesses as buttons; a question most like an out-of-scope one gets that answer."""

    def name(self) -> Text:
        return "action_suggest_intents"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        latest = tracker.latest_message or {}
        ranking = [r for r in latest.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        if ranking and ranking[0].get("name") == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        faq = (latest.get("response_selector") or {}).get("faq") or {}
        candidates = fallback_candidates(ranking, faq.get("ranking") or [])
        if not candidates:
            dispatcher.utter_message(response="utter_default")
            return []
        buttons = [{"title": c.label, "payload": c.question} for c in candidates]
        buttons.append({"title": "Autre chose", "payload": "/deny"})
        dispatcher.utter_message(
            text="Je ne suis pas sûr d'avoir compris. Vouliez-vous dire :\n"
            + "\n".join(f"- {c.label}" for c in candidates)
            + f"\nSinon, reformulez, ou posez votre question à un ou une bibliothécaire : {LIBRARIAN_SERVICE_URL}",
            buttons=buttons,
        )
        return []
