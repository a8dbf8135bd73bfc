"""The reading actions with rasa-sdk's Tracker and CollectingDispatcher, on a real database."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import readings as reading_actions


@pytest.fixture(autouse=True)
def bibliography(seeded_database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_database_url)
    reading_actions._engine.cache_clear()
    yield
    reading_actions._engine.cache_clear()


def tracker(text, intent, entities=(), slots=None, events=()):
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": name, "value": value} for name, value in entities],
    }
    return Tracker("test", slots or {}, latest, list(events), False, None, {}, "action_listen")


def run(action, current_tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current_tracker, {}))
    return dispatcher.messages, events


def query_of(events):
    return next(e["value"] for e in events if e.get("name") == reading_actions.QUERY_SLOT)


def test_recommend_filters_by_type_and_sets_the_query_slot():
    messages, events = run(
        reading_actions.ActionRecommendReadings(),
        tracker("des livres sur la pair-aidance", "recommend_readings", [("doc_type", "livre")]),
    )
    assert messages[0]["text"].startswith("Voici des livres")
    assert any(b["payload"].startswith("/reading_details") for b in messages[0]["buttons"])
    assert query_of(events)["doc_type"] == "livre"


def test_more_pages_on_from_the_slot():
    _, events = run(
        reading_actions.ActionRecommendReadings(),
        tracker("des lectures sur la pair-aidance", "recommend_readings"),
    )
    first = query_of(events)
    messages, events = run(
        reading_actions.ActionMoreReadings(),
        tracker("d'autres ?", "more_readings", slots={reading_actions.QUERY_SLOT: first}),
    )
    assert query_of(events)["offset"] == 3
    assert not set(first["shown"]) & set(query_of(events)["shown"])


def test_unknown_author_says_so_and_offers_the_librarians():
    messages, _ = run(
        reading_actions.ActionRecommendReadings(),
        tracker("un livre de Zyxwvut", "recommend_readings", [("author", "Zyxwvut"), ("doc_type", "livre")]),
    )
    assert "élargi" in messages[0]["text"] or "eurekoi.org" in messages[0]["text"]


def test_details_of_a_button_reference():
    messages, _ = run(
        reading_actions.ActionRecommendReadings(),
        tracker("un article de Cloutier", "recommend_readings", [("author", "Cloutier")]),
    )
    reference_id = messages[0]["buttons"][0]["payload"].split('"')[3]
    messages, _ = run(
        reading_actions.ActionReadingDetails(),
        tracker("/reading_details", "reading_details", [("reference_id", reference_id)]),
    )
    assert "10.1684/ipe.2016.1545" in messages[0]["text"]


def test_database_down_apologises_with_the_librarian_link(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/absent")
    reading_actions._engine.cache_clear()
    messages, events = run(
        reading_actions.ActionRecommendReadings(),
        tracker("des livres", "recommend_readings", [("doc_type", "livre")]),
    )
    assert "momentanément indisponible" in messages[0]["text"]
    assert "eurekoi.org" in messages[0]["text"]
    assert events == []


def test_details_asked_before_any_list_are_taken_as_a_request_for_readings():
    messages, events = run(
        reading_actions.ActionReadingDetails(),
        tracker("un article de Cloutier", "reading_details", [("author", "Cloutier")]),
    )
    assert "10.1684/ipe.2016.1545" in messages[0]["text"]
    assert query_of(events)["author"] == "Cloutier"
