"""Zotero's export formats and the documented CSV, read into records of the seed file."""

from __future__ import annotations

import pytest

from bot.librarian.formats import FormatError, detect_format, read_records
from tests.librarian.conftest import SAMPLES


def records(name: str):
    path = SAMPLES / name
    return read_records(path, detect_format(path))


def by_title(found, start: str) -> dict:
    return next(r.raw for r in found if r.raw and r.raw["title"].startswith(start))


def test_csl_json_keeps_accents_authors_and_reports_the_broken_record():
    found = records("zotero.json")
    assert len(found) == 7
    article = by_title(found, "Pair-aidance et rétablissement")
    assert [a["family"] for a in article["authors"]] == ["Lefèvre-Ducasse", "N'Diaye", "Château"]
    assert article["year"] == 2021 and article["pages"] == "45-67" and article["language"] == "fr"
    assert article["type"] == "article" and article["keywords"] == [
        "pair-aidance",
        "rétablissement",
        "équipes mobiles",
    ]
    chapter = by_title(found, "Les savoirs expérientiels à l'hôpital")
    assert "<i>" not in chapter["title"] and chapter["year"] is None  # rich text removed, no year
    report = by_title(found, "Médiation en santé")
    assert report["authors"] == [{"family": "Agence nationale de l'échantillon", "given": None}]
    assert report["year"] == 2022
    broken = [r for r in found if r.error]
    assert [(r.position, r.line) for r in broken] == [(6, 63)]
    assert "titre manquant" in broken[0].error


def test_ris_record_without_end_is_reported_alone():
    found = records("zotero.ris")
    assert len(found) == 6
    broken = [r for r in found if r.error]
    assert [(r.position, r.line) for r in broken] == [(5, 47)]
    assert "ER" in broken[0].error
    article = by_title(found, "Les pairs-aidants dans les centres")
    assert [a["given"] for a in article["authors"]] == ["Cécile", "Jean-Noël", "Astrid"]
    assert article["pages"] == "12-30" and article["language"] == "fr"
    book = by_title(found, "Le soutien par les pairs")
    assert book["type"] == "livre" and book["isbn"] == "978-2-999990-01-2"
    site = by_title(found, "Carte des groupes")
    assert (
        site["type"] == "site"
        and site["url"] == "https://www.example.org/gem/carte"
        and site["year"] is None
    )


def test_bibtex_converts_latex_accents_and_keeps_organisations_whole():
    found = records("zotero.bib")
    assert len(found) == 6  # the @string is not a reference
    article = by_title(found, "La pair-aidance en addictologie")
    assert article["title"] == "La pair-aidance en addictologie : évaluation d'un programme"
    assert article["venue"] == "Revue française des pratiques pairs"  # from the @string
    assert article["authors"] == [
        {"family": "Dupré", "given": "Amélie"},
        {"family": "Nguyen", "given": "Van Thanh"},
        {"family": "Collectif Pair'Aidance", "given": None},
    ]
    assert article["pages"] == "5-22" and article["language"] == "fr"
    thesis = by_title(found, "La médiation sociale dans les quartiers")
    assert thesis["type"] == "these" and thesis["year"] is None
    broken = [r for r in found if r.error]
    assert [(r.position, r.line) for r in broken] == [(5, 39)]


def test_csv_with_semicolons_and_several_authors():
    found = records("references.csv")
    first = by_title(found, "Les médiateurs sociaux")
    assert first["authors"] == [
        {"family": "Béranger", "given": "Zoé"},
        {"family": "Ferreira", "given": "João"},
    ]
    assert first["themes"] == ["mediation_sociale", "precarite"]
    assert [(r.position, r.line) for r in found if r.error] == [(4, 5)]


def test_unknown_or_unreadable_files_are_one_french_sentence(tmp_path):
    with pytest.raises(FormatError, match="extension"):
        detect_format(tmp_path / "export.xlsx")
    with pytest.raises(FormatError, match="introuvable"):
        read_records(tmp_path / "absent.json", "csl-json")
    bad = tmp_path / "export.json"
    bad.write_text("[{", encoding="utf-8")
    with pytest.raises(FormatError, match="JSON valide"):
        read_records(bad, "csl-json")
    csv_file = tmp_path / "liste.csv"
    csv_file.write_text("nom;annee\nx;2020\n", encoding="utf-8")
    with pytest.raises(FormatError, match="titre"):
        read_records(csv_file, "csv")


def test_excel_csv_in_windows_encoding_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("titre;annee\nLa médiation à l'hôpital;2020\n".encode("cp1252"))
    [record] = read_records(path, "csv")
    assert record.raw["title"] == "La médiation à l'hôpital"
