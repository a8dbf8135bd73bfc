"""Searching the seeded bibliography as the conversation does, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.bibliography.models import Author, Authorship, Reference, Theme
from bot.bibliography.search import find_known_entities, search_references, year_bounds

SEED = yaml.safe_load(Path("data/bibliography/references.yml").read_text("utf-8"))


def keys(result) -> list[str]:
    return [reference.seed_key for reference in result.references]


def seed_keys(condition) -> set[str]:
    return {record["key"] for record in SEED if condition(record)}


def everything(session, **filters):
    return search_references(session, limit=1000, **filters)


@pytest.mark.parametrize("doc_type", ["article", "livre", "rapport", "these", "formation", "site"])
def test_by_document_type(session, doc_type):
    result = everything(session, doc_type=doc_type)
    assert set(keys(result)) == seed_keys(lambda r: r["type"] == doc_type)
    assert result.total == len(result.references) > 0


@pytest.mark.parametrize("theme", ["sante_mentale", "santé mentale", "psychiatrie"])
def test_by_theme_id_label_or_synonym(session, theme):
    result = everything(session, theme=theme)
    assert set(keys(result)) == seed_keys(lambda r: "sante_mentale" in r["themes"])


@pytest.mark.parametrize(
    "typed, family",
    [
        ("bonami", "Bonnami"),
        ("Bonnami", "Bonnami"),
        ("cloutier", "Cloutier"),
        ("gardien", "Gardien"),
        ("GARDIN", "Gardien"),
        ("bonn", "Bonnami"),
        ("Ève Gardien", "Gardien"),
        ("pires", "Pires de Oliveira Padilha"),
        ("molinie", "Molinié"),
    ],
)
def test_by_author_whatever_the_case_accents_typo_or_part(session, typed, family):
    expected = seed_keys(lambda r: family in [a["family"] for a in r["authors"]])
    assert set(keys(everything(session, author=typed))) == expected


def test_an_unknown_author_finds_nothing(session):
    assert everything(session, author="Zzyzx").total == 0


def test_by_year_range_and_recent(session):
    assert set(keys(everything(session, year=2019))) == seed_keys(lambda r: r["year"] == 2019)
    assert set(keys(everything(session, year="2019"))) == seed_keys(lambda r: r["year"] == 2019)
    in_range = seed_keys(lambda r: r["year"] and 2015 <= r["year"] <= 2017)
    assert set(keys(everything(session, year=(2015, 2017)))) == in_range
    assert set(keys(everything(session, year=(2017, 2015)))) == in_range
    this_year = dt.date.today().year
    recent = seed_keys(lambda r: r["year"] and r["year"] > this_year - 5)
    assert recent and set(keys(everything(session, year="recent"))) == recent


def test_recent_means_the_last_five_years():
    assert year_bounds("récent", today=dt.date(2026, 3, 1)) == (2022, 2026)
    assert year_bounds((2010, None)) == (2010, None)


def test_filters_combine(session):
    result = everything(session, doc_type="article", theme="sante_mentale", author="gardien")
    assert set(keys(result)) == seed_keys(
        lambda r: (
            r["type"] == "article"
            and "sante_mentale" in r["themes"]
            and "Gardien" in [a["family"] for a in r["authors"]]
        )
    )


def test_text_matches_lemmas_and_feminine_forms(session):
    # No title says "médiatrices": "médiateurs" must be found through lemma and gender.
    result = search_references(session, text="des médiatrices de santé paires", limit=5)
    assert result.references
    for reference in result.references:
        assert "médiateur" in reference.title.lower() or "médiateurs" in reference.title.lower()


def test_text_ranks_title_words_before_summary_words(session):
    result = search_references(session, text="entraide mutuelle", limit=50)
    in_title = ["entraide mutuelle" in r.title.lower() for r in result.references]
    assert in_title[0] and in_title == sorted(in_title, reverse=True)


def test_request_words_alone_do_not_filter(session):
    assert everything(session, text="je cherche des articles récents").total == len(SEED)


def test_words_that_are_filters_do_not_also_filter_as_text(session):
    # The action passes the whole message as text, the author and year as filters.
    message = "des livres de bonami publiés en 2019"
    result = everything(session, author="Bonnami", year=2019, text=message)
    assert set(keys(result)) == seed_keys(
        lambda r: r["year"] == 2019 and "Bonnami" in [a["family"] for a in r["authors"]]
    )


def test_text_with_no_match_finds_nothing(session):
    assert everything(session, text="astrophysique quantique").total == 0


def test_pages_do_not_overlap_and_cover_the_results(session):
    whole = search_references(session, text="pair-aidance santé", limit=100)
    pages = [
        search_references(session, text="pair-aidance santé", limit=3, offset=start)
        for start in range(0, whole.total, 3)
    ]
    assert [r.id for page in pages for r in page.references] == [r.id for r in whole.references]
    assert all(page.total == whole.total for page in pages)
    assert (
        search_references(session, text="pair-aidance santé", offset=whole.total).references == []
    )


def test_ties_are_ordered_by_year_then_id(session):
    result = everything(session, theme="pair_aidance")
    order = [(-(r.year or 0), r.year is None, r.id) for r in result.references]
    expected = sorted(result.references, key=lambda r: (r.year is None, -(r.year or 0), r.id))
    assert [r.id for r in result.references] == [r.id for r in expected], order
    again = everything(session, theme="pair_aidance")
    assert [r.id for r in again.references] == [r.id for r in result.references]


def test_results_carry_authors_in_order(session):
    result = search_references(session, author="cloutier")
    assert [a.family for a in result.references[0].authors] == ["Cloutier", "Maugiron"]


def test_known_entities_in_a_message(session):
    found = find_known_entities(
        session, "Avez-vous des livres de Bonami sur les médiatrices de santé paires ?"
    )
    assert found == {"authors": ["Bonnami"], "themes": ["mediateur_sante_pair"]}
    assert find_known_entities(session, "quelque chose sur la France ?")["authors"] == []


def test_an_author_added_after_training_is_recognised(session):
    reference = Reference(type="livre", title="Un livre ajouté ce matin", year=2026)
    reference.authorships.append(Authorship(author=Author(family="Zérouali", given="Nadia")))
    session.add(reference)
    session.flush()
    assert find_known_entities(session, "je voudrais le livre de zerouali")["authors"] == [
        "Zérouali"
    ]
    assert find_known_entities(session, "et de zeroualli ?")["authors"] == ["Zérouali"]
    assert keys(search_references(session, author="zerouali")) == [None]


def test_a_synonym_added_to_a_theme_is_recognised(session):
    theme = session.get(Theme, "gem")
    theme.synonyms = [*theme.synonyms, "clubhouse"]
    session.flush()
    assert find_known_entities(session, "des lectures sur les clubhouses")["themes"] == ["gem"]
    assert set(keys(everything(session, theme="clubhouse"))) == seed_keys(
        lambda r: "gem" in r["themes"]
    )


def test_user_text_is_a_parameter_not_sql(session):
    hostile = "'; DROP TABLE reference; --"
    assert everything(session, text=hostile, author=hostile).total == 0
    assert session.scalar(select(Reference.id).limit(1)) is not None
