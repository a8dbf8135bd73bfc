"""Reading recommendations from the SQL bibliography (bot.readings does the work)."""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import readings
from bot.bibliography.database import make_engine

logger = logging.getLogger(__name__)
QUERY_SLOT = "reading_query"


@lru_cache(maxsize=1)
def _engine():
    """One engine (and connection pool) per action server process."""
    return make_engine()


def _answer_with_database(
    dispatcher: CollectingDispatcher,
    compute: Callable[[Session], readings.ReadingAnswer],
) -> List[EventType]:
    try:
        with Session(_engine()) as session, session.begin():
            answer = compute(session)
    except SQLAlchemyError:
        logger.exception("La bibliographie ne répond pas.")
        dispatcher.utter_message(text=readings.unavailable_text())
        return []
    dispatcher.utter_message(text=answer.text, buttons=answer.buttons)
    slot_value = answer.query.to_slot() if answer.query else None
    return [SlotSet(QUERY_SLOT, slot_value)]


def _message(tracker: Tracker) -> tuple[str, dict[str, str]]:
    latest = tracker.latest_message or {}
    return latest.get("text") or "", readings.entities_by_name(latest.get("entities") or [])


def _last_faq(tracker: Tracker) -> Optional[str]:
    """The FAQ family of the last FAQ question asked in this conversation, if any."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        selector = (event.get("parse_data") or {}).get("response_selector") or {}
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent == "faq":
            return (selector.get("faq") or {}).get("response", {}).get("intent_response_key")
    return None


def _recommend(session: Session, tracker: Tracker) -> readings.ReadingAnswer:
    text, entities = _message(tracker)
    previous = readings.ReadingQuery.from_slot(tracker.get_slot(QUERY_SLOT))
    query = readings.build_query(session, text, entities, previous, _last_faq(tracker))
    return readings.recommend(session, query)


class ActionRecommendReadings(Action):
    def name(self) -> Text:
        return "action_recommend_readings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return _answer_with_database(dispatcher, lambda s: _recommend(s, tracker))


class ActionMoreReadings(Action):
    """The next page; with no search under way, the message is taken as a new request."""

    def name(self) -> Text:
        return "action_more_readings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        previous = readings.ReadingQuery.from_slot(tracker.get_slot(QUERY_SLOT))
        if previous is None:
            return _answer_with_database(dispatcher, lambda s: _recommend(s, tracker))
        text, _ = _message(tracker)
        return _answer_with_database(dispatcher, lambda s: readings.more(s, previous, text))


class ActionReadingDetails(Action):
    """Details of a listed reading; with no list yet ("un article de Cloutier" read as a
    request for details), the message is taken as a request for readings."""

    def name(self) -> Text:
        return "action_reading_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text, entities = _message(tracker)
        previous = readings.ReadingQuery.from_slot(tracker.get_slot(QUERY_SLOT))
        if "reference_id" not in entities and not (previous and previous.shown):
            return _answer_with_database(dispatcher, lambda s: _recommend(s, tracker))
        return _answer_with_database(
            dispatcher, lambda s: readings.details(s, previous, entities, text)
        )
