"""The commands as a librarian types them: French messages, no traceback, nothing broken."""

from __future__ import annotations

import pytest

from bot.__main__ import main
from bot.bibliography.seed import REFERENCES_FILE
from tests.librarian.conftest import SAMPLES


def test_help_is_in_french(capsys):
    with pytest.raises(SystemExit):
        main(["biblio", "importer", "--help"])
    out = capsys.readouterr().out
    assert "utilisation :" in out and "affiche cette aide" in out and "--essai" in out


@pytest.mark.parametrize(
    "arguments, expected",
    [
        (["biblio", "importer", "absent.json"], "fichier introuvable"),
        (["biblio", "importer", "export.xlsx"], "précisez-le avec --format"),
        (["biblio", "exporter", "biblio.pdf"], "nommez le fichier en .json"),
        (["revue", "--fusionner", "absent.yml"], "fichier introuvable"),
    ],
)
def test_expected_problems_are_one_french_sentence(arguments, expected, capsys):
    assert main(arguments) == 2
    error = capsys.readouterr().err
    last = error.strip().splitlines()[-1]
    assert last.startswith("Erreur : ") and expected in last and "Traceback" not in error


def test_a_wrong_option_value_is_explained(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["statistiques", "--depuis", "hier"])
    assert stopped.value.code == 2
    assert "une date AAAA-MM-JJ est attendue" in capsys.readouterr().err


def test_trial_import_shows_what_would_change_and_writes_nothing(capsys):
    before = REFERENCES_FILE.read_bytes()
    assert (
        main(["biblio", "importer", str(SAMPLES / "zotero.ris"), "--essai"]) == 1
    )  # one bad record
    out = capsys.readouterr().out
    assert "Aperçu (--essai) : rien n'a été écrit." in out and "5 nouvelle(s) à ajouter" in out
    assert "zotero.ris:47 : fiche n° 5 : référence sans fin" in out
    assert REFERENCES_FILE.read_bytes() == before


def test_validate_the_project_without_rasa(capsys):
    assert main(["valider", "--sans-rasa"]) == 0
    assert "Aucun problème" in capsys.readouterr().out


def test_list_and_export_the_bibliography(seeded_database_url, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", seeded_database_url)
    assert (
        main(["biblio", "lister", "savoirs", "expérientiels", "--type", "article", "--nombre", "2"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.count("\n") >= 2 and out.startswith("[") and "autre(s)" in out
    assert main(["biblio", "exporter", str(tmp_path / "biblio.csv")]) == 0
    assert "référence(s) écrite(s)" in capsys.readouterr().out
    assert (tmp_path / "biblio.csv").read_text(encoding="utf-8-sig").startswith("cle;type;titre;")


def test_review_without_any_conversation_yet(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'conversations.sqlite3'}")
    assert main(["revue"]) == 2
    assert "aucune conversation enregistrée" in capsys.readouterr().err
    assert not (tmp_path / "conversations.sqlite3").exists()
