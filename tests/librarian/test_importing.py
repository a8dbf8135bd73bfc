"""`biblio importer`: references into the seed file and the database, duplicates merged."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.bibliography.database import make_engine
from bot.bibliography.models import Reference
from bot.bibliography.records import RecordError
from bot.bibliography.seed import load_seed_files
from bot.librarian.exporting import export_references
from bot.librarian.importing import import_references
from tests.librarian.conftest import SAMPLES

TODAY = dt.date(2025, 3, 14)


@pytest.fixture
def paths(project):
    folder = project / "data" / "bibliography"
    return {"references_path": folder / "references.yml", "themes_path": folder / "themes.yml"}


def run(name, paths, database_url, **options):
    return import_references(
        SAMPLES / name, database_url=database_url, today=TODAY, **paths, **options
    )


def seed_records(paths) -> dict[str, dict]:
    return {
        r["key"]: r for r in yaml.safe_load(paths["references_path"].read_text(encoding="utf-8"))
    }


def count_references(database_url) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        count = session.scalar(select(func.count(Reference.id)))
    engine.dispose()
    return count


def test_zotero_export_goes_into_the_seed_file_and_the_database(paths, database_url):
    before = seed_records(paths)
    report = run("zotero.json", paths, database_url)

    assert len(report.created) == 5
    assert [(key, position) for key, position, _ in report.merged] == [
        ("bonnami-2019-reconnaissance-savoirs-experientiels", 7)
    ]
    [problem] = report.problems
    assert (
        problem.line == 63
        and problem.message.startswith("fiche n° 6")
        and "titre manquant" in problem.message
    )

    after = seed_records(paths)
    assert len(after) == len(before) + 5
    new = after["lefevre-ducasse-2021-pair-aidance-retablissement"]
    assert new["doi"] == "10.99999/rfpp.2021.003"  # normalised from the https://doi.org/ form
    assert new["authors"][2] == {"family": "Château", "given": "Gaëlle"}
    assert "pair_aidance" in new["themes"]  # from the keyword "pair-aidance"
    assert new["added_on"] == TODAY and new["source_page"] == "import de zotero.json"
    merged = after["bonnami-2019-reconnaissance-savoirs-experientiels"]
    assert merged["language"] == "fr" and "formation professionnelle" in merged["keywords"]
    assert merged["title"] == before["bonnami-2019-reconnaissance-savoirs-experientiels"]["title"]
    text = paths["references_path"].read_text(encoding="utf-8")
    assert text.startswith("# Bibliographie de l'assistant")  # the librarians' guide is kept

    assert report.database is not None and not report.database.problems
    assert count_references(database_url) == len(after)
    # The file is still a valid seed: loading it again changes nothing.
    engine = make_engine(database_url)
    again = load_seed_files(engine, **paths)
    engine.dispose()
    assert (again.created, again.updated, again.problems) == (0, 0, [])


def test_trial_run_writes_nothing(paths, database_url, tmp_path):
    before = paths["references_path"].read_bytes()
    report = run("zotero.json", paths, database_url, dry_run=True)
    assert len(report.created) == 5 and "rien n'a été écrit" in report.summary_fr()
    assert paths["references_path"].read_bytes() == before
    assert not (tmp_path / "bibliotheque.sqlite3").exists()


def test_importing_twice_or_in_another_format_never_doubles(paths, database_url):
    run("zotero.json", paths, database_url)
    count = count_references(database_url)
    again = run("zotero.json", paths, database_url)
    assert (again.created, again.merged, len(again.known)) == ([], [], 6)
    ris = run("zotero.ris", paths, database_url)
    # Same title in capitals with a final period, same year: the same article.
    assert ("lefevre-ducasse-2021-pair-aidance-retablissement", 6) in ris.known
    assert len(ris.created) == 4 and ris.problems[0].line == 47
    assert count_references(database_url) == count + 4


def test_bibtex_duplicate_by_title_and_year_is_completed(paths, database_url):
    report = run("zotero.bib", paths, database_url)
    assert ("gardien-2017-accompagnement-soutien-pairs", 6, ["language"]) in report.merged
    assert len(report.created) == 4
    assert sorted(seed_records(paths)["dupre-2022-pair-aidance-addictologie"]["themes"]) == [
        "addictions",
        "pair_aidance",
    ]


def test_csv_bad_records_are_reported_with_their_field_and_the_rest_imported(paths, database_url):
    report = run("references.csv", paths, database_url, extra_themes=["travail_social"])
    assert len(report.created) == 3
    assert [(p.line, "isbn" in p.message) for p in report.problems] == [(5, False), (6, True)]
    assert all("travail_social" in r["themes"] for r in report.created)
    with pytest.raises(RecordError, match="inconnu"):
        run("references.csv", paths, database_url, extra_themes=["nimporte_quoi"])


def test_exports_can_be_imported_again_without_change(paths, database_url, tmp_path):
    run("zotero.json", paths, database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        export_references(session, tmp_path / "biblio.json", "csl-json")
        export_references(session, tmp_path / "biblio.csv", "csv")
    engine.dispose()
    items = json.loads((tmp_path / "biblio.json").read_text(encoding="utf-8"))
    article = next(
        i for i in items if i["id"] == "lefevre-ducasse-2021-pair-aidance-retablissement"
    )
    assert (
        article["type"] == "article-journal" and article["author"][0]["family"] == "Lefèvre-Ducasse"
    )
    assert article["DOI"] == "10.99999/rfpp.2021.003" and article["issued"] == {
        "date-parts": [[2021]]
    }
    for name in ("biblio.json", "biblio.csv"):
        report = import_references(tmp_path / name, database_url=database_url, **paths)
        assert (report.created, report.merged, report.problems) == ([], [], []), name
