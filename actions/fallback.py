"""When the assistant is unsure, it proposes its two best guesses instead of bluffing."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.intent_labels import fallback_candidates


class ActionSuggestIntents(Action):
    def name(self) -> Text:
        return "action_suggest_intents"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        latest = tracker.latest_message or {}
        faq = (latest.get("response_selector") or {}).get("faq") or {}
        candidates = fallback_candidates(latest.get("intent_ranking") or [], faq.get("ranking") or [])
        if not candidates:
            dispatcher.utter_message(response="utter_default")
            return []
        buttons = [{"title": c.label, "payload": c.question} for c in candidates]
        buttons.append({"title": "Aucune des deux", "payload": "/deny"})
        dispatcher.utter_message(
            text="Je ne suis pas sûr d'avoir compris. Vouliez-vous dire :", buttons=buttons
        )
        return []
