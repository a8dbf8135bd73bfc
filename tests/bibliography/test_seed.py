"""Loading the librarians' YAML files: idempotent, updates in place, reports bad records."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.bibliography.models import Author, Keyword, Reference, Theme
from bot.bibliography.seed import load_seed

SEED_COUNT = len(yaml.safe_load(Path("data/bibliography/references.yml").read_text("utf-8")))


def load(engine, references: Path, themes: Path):
    with Session(engine) as session, session.begin():
        return load_seed(session, references, themes)


def snapshot(engine) -> dict:
    """Every row that a load writes, in a comparable form."""
    with Session(engine) as session:
        references = session.scalars(select(Reference).order_by(Reference.id)).all()
        return {
            "references": [
                (
                    r.id,
                    r.seed_key,
                    r.title,
                    r.doi,
                    r.year,
                    r.title_terms,
                    r.added_on,
                    [(a.position, a.author_id, a.role) for a in r.authorships],
                    [t.id for t in r.themes],
                    [k.id for k in r.keywords],
                )
                for r in references
            ],
            "authors": session.execute(select(Author.id, Author.family, Author.given)).all(),
            "keywords": session.execute(select(Keyword.id, Keyword.label)).all(),
            "themes": session.execute(select(Theme.id, Theme.label, Theme.synonyms)).all(),
        }


def edit_records(path: Path, edit) -> None:
    records = yaml.safe_load(path.read_text("utf-8"))
    edit(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), "utf-8")


def test_loading_twice_changes_nothing(empty_engine, seed_copy):
    first = load(empty_engine, *seed_copy)
    assert (first.created, first.problems) == (SEED_COUNT, [])
    before = snapshot(empty_engine)
    second = load(empty_engine, *seed_copy)
    assert (second.created, second.updated, second.unchanged) == (0, 0, SEED_COUNT)
    assert (second.themes_created, second.themes_updated) == (0, 0)
    assert snapshot(empty_engine) == before


def test_an_edited_record_is_updated_not_duplicated(empty_engine, seed_copy):
    references, themes = seed_copy
    load(empty_engine, references, themes)

    def edit(records):
        records[0]["title"] = "Titre corrigé par une bibliothécaire"
        records[0]["authors"].append({"family": "Nouvelle", "given": "Autrice"})
        records[1]["key"] = "cle-renommee"  # found again by its DOI

    edit_records(references, edit)
    report = load(empty_engine, references, themes)
    assert (report.created, report.updated, report.problems) == (0, 2, [])
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count(Reference.id))) == SEED_COUNT
        edited = session.scalars(
            select(Reference).where(Reference.title == "Titre corrigé par une bibliothécaire")
        ).one()
        assert [a.family for a in edited.authors] == ["Bonnami", "Nouvelle"]
        assert [a.position for a in edited.authorships] == [0, 1]
        assert " corrig " in edited.title_terms or " corriger " in edited.title_terms
        renamed = session.scalars(
            select(Reference).where(Reference.doi == "10.1684/ipe.2016.1545")
        ).one()
        assert renamed.seed_key == "cle-renommee"


def test_a_malformed_record_is_reported_and_the_others_load(empty_engine, seed_copy):
    references, themes = seed_copy

    def edit(records):
        records[2]["year"] = "deux mille seize"
        records[4]["type"] = "podcast"
        records[5]["themes"] = ["pair_aidance", "jardinage"]
        del records[6]["title"]
        records[7]["doi"] = records[0]["doi"]
        records[8]["titre"] = "un champ mal nommé"
        records[9]["isbn"] = "978-2-7101-3008-0"  # wrong check digit

    edit_records(references, edit)
    report = load(empty_engine, references, themes)
    assert report.created == SEED_COUNT - 7
    problems = {(p.position, p.field) for p in report.problems}
    assert problems == {
        (3, "year"),
        (5, "type"),
        (6, "themes[2]"),
        (7, "title"),
        (8, "doi"),
        (9, "titre"),
        (10, "isbn"),
    }
    for problem in report.problems:
        text = str(problem)
        assert text.startswith("references.yml, fiche n° ") and "champ « " in text
        assert problem.line is not None and problem.file == references
    assert "deux mille seize" in str(report.problems[0])
    assert "fiche(s) non chargée(s)" in report.summary_fr()


def test_a_file_that_is_not_yaml_is_reported(empty_engine, seed_copy):
    references, themes = seed_copy
    references.write_text("- key: a\n  title: [pas fermé\n", "utf-8")
    report = load(empty_engine, references, themes)
    assert report.created == 0 and report.themes_created > 0
    assert len(report.problems) == 1 and report.problems[0].line is not None
    assert "YAML" in str(report.problems[0])


def test_a_record_may_not_take_the_doi_of_another_record(empty_engine, seed_copy):
    references, themes = seed_copy
    load(empty_engine, references, themes)
    records = yaml.safe_load(references.read_text("utf-8"))
    bonnami, cloutier = records[0]["key"], records[1]["key"]
    copy = {
        "key": "doublon-2024",
        "title": "Doublon",
        "type": "article",
        "doi": "HTTPS://DOI.ORG/" + records[0]["doi"].upper(),
    }

    def edit(records):
        records[0]["doi"] = records[1]["doi"]
        records.append(copy)

    edit_records(references, edit)
    report = load(empty_engine, references, themes)
    assert (report.created, report.updated) == (0, 0)
    assert [(p.key, p.field) for p in report.problems] == [
        (bonnami, "doi"),
        ("doublon-2024", "doi"),
    ]
    assert f"« {cloutier} »" in str(report.problems[0])
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count(Reference.id))) == SEED_COUNT
