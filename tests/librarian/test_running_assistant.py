"""The librarians' commands against the real assistant: conversations through the REST channel
fill Rasa's tracker store, which `revue` and `statistiques` read; references imported while the
assistant runs are recommended at once; `entrainer` gives a running assistant a new model while
its conversations go on."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.request
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.__main__ import main
from bot.librarian.conversation_store import read_conversations
from bot.librarian.importing import import_references
from bot.librarian.model_reload import loaded_model, reload_model
from bot.librarian.review import unclear_turns
from bot.librarian.training_data import normalize_example
from bot.settings import load_settings
from bot.launcher import free_port
from tests.conftest import post_json
from tests.librarian.conftest import SAMPLES

pytestmark = pytest.mark.integration
TOKEN = "jeton-de-test"


def texts(messages) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def stored_ids(senders) -> set[str]:
    """The ids the conversation store keeps: keyed hashes when the privacy store is configured."""
    senders = list(senders)
    try:
        from bot.privacy.sender_ids import stored_sender_id
    except ImportError:
        return set(senders)
    return set(senders) | {stored_sender_id(sender) for sender in senders}


def test_review_and_statistics_read_the_real_conversations(
    servers, say, monkeypatch, tmp_path, capsys
):
    prefix = f"revue-{uuid.uuid4().hex[:8]}"
    visits = {
        "a": ["bonjour", "c'est quoi un GEM ?", "et ça ?", "le truc des pairs", "merci"],
        "b": ["Le truc des pairs ?", "témoignage", "je voudrais parler à un bibliothécaire"],
        "c": ["je cherche des livres sur la pair-aidance", "d'autres ?", "le truc des pairs"],
    }
    for sender, messages in visits.items():
        for message in messages:
            assert say(f"{prefix}-{sender}", message), message
    monkeypatch.setenv("TRACKER_STORE_URL", servers.tracker_store_url)
    monkeypatch.setenv("DATABASE_URL", servers.database_url)

    stored = stored_ids(f"{prefix}-{sender}" for sender in visits)
    mine = [c for c in read_conversations(servers.tracker_store_url) if c.sender_id in stored]
    assert sorted(len(c.turns) for c in mine) == [3, 3, 5]
    turns = {t.text: t for c in mine for t in c.turns}
    assert turns["c'est quoi un GEM ?"].intent == "faq/gem"
    assert turns["je voudrais parler à un bibliothécaire"].intent == "human_handoff"
    assert len(turns["je cherche des livres sur la pair-aidance"].recommended) == 3
    # What the model made of the vague messages is in the store: the review must list exactly those.
    unclear = {t.text for _sender, t in unclear_turns(mine)}
    assert unclear and unclear <= {
        "et ça ?",
        "le truc des pairs",
        "Le truc des pairs ?",
        "témoignage",
    }

    review_file = tmp_path / "revue.yml"
    assert main(["revue", "--sortie", str(review_file)]) == 0
    text = review_file.read_text(encoding="utf-8")
    review = yaml.safe_load(text)
    assert review["version"] == "3.1"
    listed = {line[2:] for block in review["nlu"] for line in block["examples"].splitlines()}
    for message in unclear:
        assert any(normalize_example(message) == normalize_example(line) for line in listed), (
            message
        )
    assert not {"bonjour", "merci", "c'est quoi un GEM ?"} & listed  # understood
    assert all(block["intent"] != "nlu_fallback" for block in review["nlu"])
    if "le truc des pairs" in unclear:
        assert "« le truc des pairs » ×3" in text  # three messages, one line, counted

    page = tmp_path / "statistiques.html"
    assert main(["statistiques", "--sortie", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 4
    for title in (
        "Conversations et messages par semaine",
        "Les questions les plus posées",
        "Incompréhensions et demandes de bibliothécaire",
        "Les lectures les plus recommandées",
    ):
        assert title in html
    assert "Parler à un bibliothécaire" in html and "Les GEM" in html
    assert "Gardien" in html  # a reading recommended by the assistant, named from the bibliography
    assert "conversation(s)" in capsys.readouterr().out


@pytest.fixture(scope="module")
def assistant_with_token(trained_model, seeded_database_url, tmp_path_factory):
    """A stack of its own (bibliography, conversations), with Rasa's API open to the token."""
    from bot.launcher import running_servers

    folder = tmp_path_factory.mktemp("assistant-jeton")
    database = folder / "bibliotheque.sqlite3"
    shutil.copy(make_url(seeded_database_url).database, database)
    tracker = folder / "conversations.sqlite3"
    settings = replace(
        load_settings(),
        rasa_port=free_port(),
        action_port=free_port(),
        database_url=f"sqlite:///{database}",
        tracker_store_url=f"sqlite:///{tracker}",
        tracker_store_db=str(tracker),
        lock_store_url=str(folder / "verrous.sqlite3"),
        live_model_file=folder / "modele-en-service.txt",
        rasa_workers=2,
    )
    with running_servers(trained_model, settings, extra_env={"RASA_AUTH_TOKEN": TOKEN}) as running:
        yield running, folder


def test_imported_references_are_recommended_by_the_running_assistant(assistant_with_token):
    running, folder = assistant_with_token
    references = folder / "references.yml"
    shutil.copy(
        Path(__file__).resolve().parents[2] / "data" / "bibliography" / "references.yml", references
    )
    themes = Path(__file__).resolve().parents[2] / "data" / "bibliography" / "themes.yml"
    report = import_references(
        SAMPLES / "zotero.json",
        references_path=references,
        themes_path=themes,
        database_url=running.database_url,
    )
    assert len(report.created) == 5 and not report.database.problems

    def ask(message: str) -> str:
        sender = f"lecteur-{uuid.uuid4().hex[:8]}"
        return texts(
            post_json(
                f"{running.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message}
            )
        )

    assert "Brûlé, L. (2023). Devenir médiateur de santé pair" in ask(
        "vous avez une thèse sur les médiateurs de santé pairs ?"
    )
    # The example of docs/bibliothecaires.md.
    assert "Lefèvre-Ducasse, H., N'Diaye, I. et Château, G. (2021)" in ask(
        "vous avez des lectures de Lefèvre-Ducasse ?"
    )


def test_a_new_model_replaces_the_running_one_while_conversations_go_on(
    assistant_with_token, trained_model, tmp_path, monkeypatch, capsys
):
    running, _folder = assistant_with_token
    url = running.rasa_url
    assert loaded_model(url, TOKEN) == trained_model.name
    refused = reload_model(trained_model, url, token="mauvais-jeton")
    assert not refused.loaded and "refuse le jeton" in refused.message
    new_model = tmp_path / "assistant-nouveau.tar.gz"
    shutil.copy(trained_model, new_model)

    answers, failures, stop = [], [], threading.Event()
    sender = f"boucle-{uuid.uuid4().hex[:8]}"

    def converse() -> None:
        questions = ["c'est quoi la pair-aidance ?", "et un travailleur pair ?", "merci"]
        number = 0
        while not stop.is_set():
            question = questions[number % len(questions)]
            try:
                reply = post_json(
                    f"{url}/webhooks/rest/webhook",
                    {"sender": sender, "message": question},
                    timeout=300,
                )
                (answers if reply else failures).append((time.monotonic(), question, reply))
            except Exception as error:  # any failed turn is what this test is about
                failures.append((time.monotonic(), question, repr(error)))
            number += 1

    visitor = threading.Thread(target=converse, daemon=True)
    visitor.start()
    try:
        time.sleep(3)
        started = time.monotonic()
        result = reload_model(new_model, url, TOKEN, running.live_model_file)
        assert result.loaded, result.message
        # Every worker serves it: each of these requests may reach either of the two.
        assert {loaded_model(url, TOKEN) for _ in range(8)} == {"assistant-nouveau.tar.gz"}
        # The command a librarian types: the project's model is up to date, so it is loaded back.
        monkeypatch.setenv("RASA_PORT", str(running.rasa_port))
        monkeypatch.setenv("RASA_AUTH_TOKEN", TOKEN)
        monkeypatch.setenv("LIVE_MODEL_FILE", str(running.live_model_file))
        assert main(["entrainer"]) == 0
        assert "Nouveau modèle chargé" in capsys.readouterr().out
        assert {loaded_model(url, TOKEN) for _ in range(8)} == {trained_model.name}
        time.sleep(3)
    finally:
        stop.set()
        visitor.join(timeout=300)
    assert failures == []
    assert sum(1 for moment, _q, _r in answers if moment > started) >= 2
    # The conversation went on with its history: the tracker kept every turn.
    with urllib.request.urlopen(
        f"{url}/conversations/{sender}/tracker?token={TOKEN}", timeout=30
    ) as response:
        events = json.loads(response.read())["events"]
    assert sum(e["event"] == "user" for e in events) == len(answers)
