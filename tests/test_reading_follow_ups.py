"""The follow-ups a visitor tries after a list of readings, through the REST channel of the
running assistant, on the seed bibliography (data/bibliography/)."""
import uuid

import pytest

pytestmark = pytest.mark.integration


def answer(messages) -> str:
    """The answer to the message, after the greeting a new conversation starts with."""
    return messages[-1].get("text", "")


def new_sender() -> str:
    return f"suite-{uuid.uuid4().hex[:12]}"


def test_a_question_in_the_middle_of_a_list_then_the_rest_of_the_list(say):
    sender = new_sender()
    first = answer(say(sender, "des lectures sur la pair-aidance"))
    assert first.startswith("Voici des lectures :") and "\n3. " in first
    assert "GEM" in answer(say(sender, "au fait, c'est quoi un GEM ?"))
    more = answer(say(sender, "d'autres ?"))
    assert more.startswith("Voici la suite :\n4. ")


def test_in_english_when_the_bibliography_records_no_language(say):
    sender = new_sender()
    assert answer(say(sender, "je cherche des livres sur la pair-aidance")).startswith("Voici des livres :")
    reply = answer(say(sender, "et en anglais ?"))
    assert reply.startswith("Je n'ai rien trouvé avec tous vos critères ; j'ai élargi la recherche en "
                            "ignorant la langue. Voici des livres :")


def test_more_recent_keeps_the_subject_and_the_kind_of_document(say):
    sender = new_sender()
    say(sender, "des articles sur la santé mentale")
    assert answer(say(sender, "plus récent ?")).startswith("Voici des articles récents :")


def test_another_author_after_the_readings_of_one(say):
    sender = new_sender()
    first = answer(say(sender, "des lectures de Gardien"))
    assert first.startswith("Voici des lectures de Gardien :")
    other = answer(say(sender, "un autre auteur ?"))
    assert other.startswith("Voici des lectures :\n1. ")
    assert "Gardien" not in other
