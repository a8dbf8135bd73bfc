"""Conversations read back from Rasa's SQL tracker store (`endpoints.yml`), for `revue` and
`statistiques`.

Rasa writes one row per event in its `events` table (see rasa/core/tracker_store.py,
`SQLTrackerStore.SQLEvent`): the visitor's messages with the model's reading of them, the
actions that followed, the slots they set. Only reading is done here, with SQLAlchemy and
without Rasa, so that looking at the conversations never disturbs the running assistant.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.evaluation import FALLBACK, label_of

# What the assistant does when it did not understand (rules in data/rules/safety_and_fallback.yml).
FALLBACK_ACTIONS = {"action_suggest_intents", "action_default_fallback", "utter_default"}
HANDOFF_INTENT = "human_handoff"
READING_ACTIONS = {"action_recommend_readings", "action_more_readings"}
READING_SLOT = "reading_query"


class StoreError(RuntimeError):
    """The conversation store cannot be read: a French sentence saying why and what to do."""


@dataclass
class Turn:
    """A visitor's message and what the assistant did with it."""

    text: str
    timestamp: float
    intent: str
    confidence: float
    candidates: list[tuple[str, float]] = field(
        default_factory=list
    )  # best guesses, fallback excluded
    actions: list[str] = field(default_factory=list)
    recommended: list[int] = field(default_factory=list)  # reference ids shown in answer

    @property
    def is_button(self) -> bool:
        """A payload sent by a button ("/deny"), not words typed by the visitor."""
        return self.text.startswith("/")

    @property
    def certainty(self) -> float:
        """How sure the model was: for an FAQ, of the intent and of the answer chosen."""
        return min(self.confidence, self.candidates[0][1]) if self.candidates else self.confidence

    @property
    def fell_back(self) -> bool:
        return self.intent == FALLBACK or bool(FALLBACK_ACTIONS & set(self.actions))

    @property
    def day(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.timestamp).date()


@dataclass
class Conversation:
    sender_id: str
    turns: list[Turn] = field(default_factory=list)

    @property
    def started(self) -> float:
        return self.turns[0].timestamp

    @property
    def asked_for_librarian(self) -> bool:
        return any(t.intent == HANDOFF_INTENT for t in self.turns)


def read_conversations(url: str, since: Optional[dt.date] = None) -> list[Conversation]:
    """Every conversation (a Rasa session with at least one message), oldest first.

    A session starts with Rasa's `action_session_start` (after an hour of silence, see
    `session_config` in domain.yml), so a visitor who comes back later makes a new conversation.
    """
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return []
            rows = connection.execute(
                text(
                    "SELECT sender_id, type_name, timestamp, action_name, data FROM events "
                    "ORDER BY sender_id, id"
                )
            )
            conversations = list(_conversations(rows))
    except SQLAlchemyError as error:
        raise StoreError(
            f"la base des conversations ne répond pas ({str(error).splitlines()[0][:200]}) ; "
            "vérifiez TRACKER_STORE_URL"
        ) from None
    finally:
        engine.dispose()
    if since is not None:
        start = dt.datetime.combine(since, dt.time()).timestamp()
        conversations = [c for c in conversations if c.started >= start]
    return sorted(conversations, key=lambda c: c.started)


def _engine(url: str):
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or not Path(parsed.database).exists():
            raise StoreError(
                f"aucune conversation enregistrée : le fichier {parsed.database} n'existe pas encore "
                "(l'assistant le crée à son premier message ; vérifiez TRACKER_STORE_URL)"
            )
    return create_engine(url, future=True)


def _conversations(rows) -> Iterator[Conversation]:
    current: Optional[Conversation] = None
    last_action: Optional[str] = None
    for sender_id, type_name, timestamp, action_name, data in rows:
        new_session = type_name == "action" and action_name == "action_session_start"
        if current is None or current.sender_id != sender_id or new_session:
            if current is not None and current.turns:
                yield current
            current, last_action = Conversation(sender_id), None
        if type_name == "user":
            current.turns.append(_turn(_json(data), timestamp))
        elif type_name == "action" and action_name and action_name != "action_listen":
            last_action = action_name
            if current.turns:
                current.turns[-1].actions.append(action_name)
        elif type_name == "slot" and current.turns and last_action in READING_ACTIONS:
            event = _json(data)
            if event.get("name") == READING_SLOT and isinstance(event.get("value"), dict):
                shown = event["value"].get("shown") or []
                current.turns[-1].recommended = [int(i) for i in shown if str(i).isdigit()]
    if current is not None and current.turns:
        yield current


def _json(data: Optional[str]) -> dict[str, Any]:
    try:
        value = json.loads(data or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _turn(event: dict[str, Any], timestamp: Optional[float]) -> Turn:
    parse = event.get("parse_data") or {}
    intent, confidence = label_of(parse)
    return Turn(
        text=str(event.get("text") or ""),
        timestamp=float(timestamp or event.get("timestamp") or 0),
        intent=intent,
        confidence=confidence,
        candidates=candidates(parse),
    )


def candidates(parse: dict[str, Any]) -> list[tuple[str, float]]:
    """The model's guesses, FAQ families resolved ("faq/gem"), without the fallback, best first.

    An FAQ family's score is the `faq` intent's confidence times the selector's, as in the
    "vouliez-vous dire…" buttons (bot/intent_labels.py), so that the two rankings compare.
    """
    selector = ((parse.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    scored = []
    for ranked in parse.get("intent_ranking") or []:
        name, confidence = ranked.get("name"), float(ranked.get("confidence") or 0)
        if not name or name == FALLBACK:
            continue
        if name == "faq" and selector:
            scored += [
                (s.get("intent_response_key"), confidence * float(s.get("confidence") or 0))
                for s in selector[:3]
                if s.get("intent_response_key")
            ]
        else:
            scored.append((name, confidence))
    return sorted(scored, key=lambda pair: -pair[1])
