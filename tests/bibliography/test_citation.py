"""French citations and details, as the assistant shows them."""

from __future__ import annotations

from sqlalchemy import select

from bot.bibliography.citation import format_citation, format_details, initials
from bot.bibliography.models import Author, Authorship, Reference


def reference(authors=(), **fields) -> Reference:
    ref = Reference(**{"type": "article", "title": "Titre", **fields})
    for family, given, *role in authors:
        ref.authorships.append(
            Authorship(author=Author(family=family, given=given), role=(role or [None])[0])
        )
    return ref


def test_the_seed_article_as_the_library_cites_it(session):
    bonnami = session.scalars(
        select(Reference).where(Reference.doi == "10.3917/vsoc.191.0225")
    ).one()
    assert format_citation(bonnami) == (
        "Bonnami, A. (2019). La reconnaissance des savoirs expérientiels dans la formation de "
        "pairs aidants. Analyse d'un dispositif de formation au sein de l'IRTS à "
        "Montrouge-Neuilly-sur-Marne. Vie sociale, 25-26, 225-242. "
        "https://doi.org/10.3917/vsoc.191.0225"
    )


def test_two_three_and_more_authors():
    two = reference(
        [("Cloutier", "Guylaine"), ("Maugiron", "Philippe")],
        year=2016,
        venue="L'information psychiatrique",
        volume="92",
        issue="9",
        pages="755-760",
    )
    assert format_citation(two).startswith(
        "Cloutier, G. et Maugiron, P. (2016). Titre. L'information psychiatrique, 92(9), 755-760."
    )
    three = reference([("A", "Anne"), ("B", "Bruno"), ("C", "Chloé")], year=2020)
    assert format_citation(three).startswith("A, A., B, B. et C, C. (2020).")
    four = reference([("A", "Anne"), ("B", "Bruno"), ("C", "Chloé"), ("D", "Dan")], year=2020)
    assert format_citation(four).startswith("A, A., B, B., C, C. et al. (2020).")


def test_edited_book_unknown_year_and_organisation():
    book = reference(
        [("Roelandt", "Jean-Luc", "dir."), ("Staedel", "Bérénice", "dir.")],
        type="livre",
        year=2016,
        venue="Doin",
    )
    assert format_citation(book) == (
        "[sous la direction de] Roelandt, J.-L. et Staedel, B. (2016). Titre. Doin."
    )
    site = reference([("Psycom", None)], type="site", url="http://www.psycom.org/")
    assert format_citation(site) == "Psycom (s. d.). Titre. http://www.psycom.org/"
    anonymous = reference(
        type="formation", title="Médiateur de santé/pair", venue="Université Paris 13"
    )
    assert format_citation(anonymous) == "Médiateur de santé/pair. (s. d.). Université Paris 13."


def test_chapter_and_question_mark_title():
    chapter = reference(
        [("Godrie", "Baptiste")],
        type="chapitre",
        year=2022,
        title="Savoir expérientiel ?",
        venue="Dictionnaire",
        pages="1-9",
    )
    assert (
        format_citation(chapter)
        == "Godrie, B. (2022). Savoir expérientiel ? Dans Dictionnaire (p. 1-9)."
    )


def test_initials():
    assert [initials(g) for g in ("Jean-Luc", "Srividya N.", "Ève", "J.-L.", None)] == [
        "J.-L.",
        "S. N.",
        "È.",
        "J.-L.",
        "",
    ]


def test_details_give_summary_place_and_link():
    ref = reference(
        [("Gardien", "Ève")],
        year=2021,
        summary="Un résumé.",
        availability="catalogue de la bibliothèque",
        url="https://example.org/a",
        doi="10.1234/abc",
    )
    lines = format_details(ref).splitlines()
    assert lines[0].endswith("https://doi.org/10.1234/abc")
    assert lines[1:] == [
        "Résumé : Un résumé.",
        "Où le trouver : catalogue de la bibliothèque",
        "Lien : https://example.org/a",
    ]
