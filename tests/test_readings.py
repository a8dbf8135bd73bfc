"""The reading conversation on the real seed bibliography (SQLite)."""
import pytest
from sqlalchemy.orm import Session

from bot import readings
from bot.bibliography.database import make_engine


@pytest.fixture
def session(seeded_database_url):
    engine = make_engine(seeded_database_url)
    with Session(engine) as session, session.begin():
        yield session
    engine.dispose()


def ask(session, message, entities=None, previous=None, last_faq=None):
    query = readings.build_query(session, message, entities or {}, previous, last_faq)
    return readings.recommend(session, query)


def test_books_on_peer_support_list_the_seed_books_with_authors_and_years(session):
    answer = ask(session, "je cherche des livres sur la pair-aidance", {"doc_type": "livre"})
    assert answer.text.startswith("Voici des livres")
    assert "Gardien, È. (2017)" in answer.text or "Bonnami, A. (2019)" in answer.text
    assert answer.query.shown and len(answer.query.shown) <= readings.PAGE_SIZE


def test_an_article_by_an_author_the_model_extracted_comes_with_its_doi(session):
    answer = ask(session, "un article de Cloutier", {"doc_type": "article", "author": "Cloutier"})
    assert "(2016)" in answer.text and "https://doi.org/10.1684/ipe.2016.1545" in answer.text


def test_an_author_the_model_missed_is_found_in_the_database(session):
    answer = ask(session, "vous avez quelque chose de bonami ?")
    assert "Bonnami" in answer.text


def test_follow_up_keeps_the_theme_and_changes_the_type(session):
    books = ask(session, "des livres sur la santé mentale", {"doc_type": "livre", "theme": "sante_mentale"})
    articles = ask(session, "et des articles ?", {"doc_type": "article"}, previous=books.query)
    assert articles.query.theme == "sante_mentale" and articles.query.doc_type == "article"


def test_a_new_topic_resets_the_search(session):
    books = ask(session, "des livres sur la santé mentale", {"doc_type": "livre", "theme": "sante_mentale"})
    other = ask(session, "des lectures sur les groupes d'entraide mutuelle", {"theme": "gem"}, previous=books.query)
    assert other.query.theme == "gem" and other.query.doc_type is None


def test_readings_after_an_faq_answer_take_its_subject(session):
    answer = ask(session, "vous avez des lectures là-dessus ?", last_faq="faq/gem")
    assert answer.query.theme == "gem"


def test_more_pages_on_without_repeating_then_says_when_there_is_no_more(session):
    first = ask(session, "des lectures sur la pair-aidance", {"theme": "pair_aidance"})
    seen = set(first.query.shown)
    query = first.query
    for _ in range(30):
        page = readings.more(session, query)
        if not page.query or page.query.offset == query.offset:
            assert "pas d'autres lectures" in page.text
            break
        assert not seen & set(page.query.shown)
        seen |= set(page.query.shown)
        query = page.query
    else:
        pytest.fail("la pagination ne s'arrête jamais")


def test_nothing_found_relaxes_a_filter_and_says_which(session):
    answer = ask(session, "des thèses de 1990", {"doc_type": "these", "year": "1990"})
    assert "en ignorant l'année" in answer.text


def test_no_result_at_all_offers_the_librarians(session):
    answer = ask(session, "des lectures sur la cuisine moléculaire")
    assert "eurekoi.org" in answer.text and answer.query is None


def test_details_by_rank_by_button_and_by_author(session):
    listing = ask(session, "je cherche des livres", {"doc_type": "livre"})
    second = readings.details(session, listing.query, {"rank": "2"}, "le deuxième")
    by_word = readings.details(session, listing.query, {}, "et le deuxième ?")
    assert second.text == by_word.text and "Où le trouver" in second.text
    by_id = readings.details(session, listing.query, {"reference_id": str(listing.query.shown[0])}, "")
    assert by_id.text.split("\n")[0] in listing.text


def test_details_without_a_list_explains_what_to_do(session):
    answer = readings.details(session, None, {}, "le DOI du deuxième")
    assert "Je n'ai pas de lecture en cours" in answer.text


def test_the_slot_round_trips(session):
    answer = ask(session, "des livres", {"doc_type": "livre"})
    assert readings.ReadingQuery.from_slot(answer.query.to_slot()) == answer.query


def test_entity_values_the_bibliography_does_not_know_are_replaced_by_the_words(session):
    answer = ask(session, "je cherche des livres sur la pair-aidance", {"theme": "aidance"})
    assert answer.query.doc_type == "livre" and answer.query.theme == "pair_aidance"
    assert answer.text.startswith("Voici des livres")


@pytest.mark.parametrize("cut", ["-", "pair-", "-aidance"])
def test_an_author_cut_at_a_hyphen_is_a_tokenizer_slip_not_a_filter(session, cut):
    answer = ask(session, "je cherche des livres sur la pair-aidance", {"author": cut})
    assert answer.query.author is None and answer.query.theme == "pair_aidance"
    assert answer.text.startswith("Voici des livres")


def test_a_name_cut_at_its_hyphen_is_found_whole_in_the_database(session):
    answer = ask(session, "des articles de Zeroug-Vial", {"author": "Zeroug-"})
    assert answer.query.author == "Zeroug-Vial"
