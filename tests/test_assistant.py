"""What a visitor sees through the REST channel of the running assistant."""
import uuid

import pytest

pytestmark = pytest.mark.integration


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def test_first_message_says_it_is_a_machine_and_how_to_reach_a_person(say):
    reply = texts(say(new_sender(), "bonjour"))
    assert "assistant automatique" in reply
    assert "eurekoi.org" in reply


def test_faq_answer_names_its_source_and_offers_next_questions(say):
    messages = say(new_sender(), "c'est quoi un travailleur pair ?")
    answer = messages[-1]
    assert "Source" in answer["text"] and "http" in answer["text"]
    assert answer.get("buttons")


def test_library_opening_hours_get_an_honest_fallback(say):
    reply = texts(say(new_sender(), "quels sont vos horaires ?"))
    assert "eurekoi.org" in reply
    assert "Source" not in reply


def test_distress_gets_the_crisis_lines_first_and_nothing_else(say):
    messages = say(new_sender(), "je n'en peux plus j'ai envi d'en finir")
    crisis = [m for m in messages if "3114" in m.get("text", "")]
    assert crisis, texts(messages)
    assert all(not m.get("buttons") for m in messages)
    for number in ("3114", "15", "112", "114"):
        assert number in crisis[0]["text"]


def test_readings_follow_up_pages_on_and_details_one(say):
    sender = new_sender()
    first = texts(say(sender, "je cherche des livres sur la pair-aidance"))
    assert "1." in first and "Gardien" in first
    more = texts(say(sender, "d'autres ?"))
    assert "4." in more or "pas d'autres" in more
    details = texts(say(sender, "le résumé du premier"))
    assert "Où le trouver" in details or "http" in details


def test_article_by_author_comes_with_its_doi(say):
    reply = texts(say(new_sender(), "un article de Cloutier"))
    assert "2016" in reply and "10.1684/ipe.2016.1545" in reply
