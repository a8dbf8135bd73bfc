"""The librarians' sub-commands of `python -m bot`: valider, biblio, revue, statistiques.

`register(commands)` adds them to the project's parser (bot/__main__.py). Expected problems (a
missing file, an unknown format, an unreachable store) end in one French sentence and exit code
2; problems found in the data (validation, rejected records) give exit code 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Callable

from bot.librarian.progress import Progress
from bot.librarian.review import LOW_CONFIDENCE
from bot.settings import RESULTS_DIR, load_settings

USAGE_ERROR = 2


class CommandError(Exception):
    """An expected problem, already phrased in French for the librarian."""


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr, flush=True)
    return USAGE_ERROR


def guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Expected problems become a French sentence, not a traceback."""
    from bot.bibliography.records import RecordError
    from bot.librarian.conversation_store import StoreError
    from bot.librarian.formats import FormatError

    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (CommandError, FormatError, StoreError) as error:
            return _fail(str(error))
        except RecordError as error:
            return _fail(error.message)
        except PermissionError as error:
            return _fail(f"pas le droit d'écrire ou de lire « {error.filename} »")
        except KeyboardInterrupt:
            return _fail("interrompu ; rien n'a été laissé à moitié écrit.")

    return run


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"« {text} » : une date AAAA-MM-JJ est attendue, par exemple 2025-01-31"
        ) from None


def _ratio(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = -1
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"« {text} » : un nombre entre 0 et 1 est attendu, par exemple 0,7"
        )
    return value


# --- valider -------------------------------------------------------------------------------


def cmd_valider(args: argparse.Namespace) -> int:
    from bot.librarian.validation import summary_fr, validate_project

    problems = validate_project(
        with_rasa=not args.sans_rasa, progress=Progress(2 if args.sans_rasa else 3)
    )
    print(summary_fr(problems), flush=True)
    return 1 if problems else 0


# --- evaluer (the command itself lives in bot/__main__.py) ---------------------------------


def evaluate(model: Path, fmt: str) -> str:
    """Score `model` on the frozen held-out set; write the report; its summary, for printing."""
    from bot.evaluation import evaluate as score_model
    from bot.evaluation import write_report
    from bot.librarian.evaluation_report import write_html_report

    progress = Progress(2)
    out_dir = RESULTS_DIR / "evaluation"
    with progress.step("Chargement du modèle et questions du jeu de test (une à deux minutes)"):
        report, predictions = score_model(model)
    with progress.step("Rapport et matrice de confusion"):
        writer = write_html_report if fmt == "html" else write_report
        report.report_path = str(writer(report, predictions, out_dir))
    return report.summary_fr()


# --- biblio --------------------------------------------------------------------------------


def cmd_importer(args: argparse.Namespace) -> int:
    from bot.librarian.importing import import_references

    steps = 2 if args.essai else (3 if args.sans_base else 4)
    report = import_references(
        Path(args.fichier),
        args.format,
        dry_run=args.essai,
        to_database=not args.sans_base,
        extra_themes=args.theme or (),
        progress=Progress(steps),
    )
    print(report.summary_fr(), flush=True)
    if report.database and report.database.problems:
        return 1
    return 1 if report.problems else 0


def cmd_exporter(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from bot.bibliography.database import make_engine
    from bot.librarian.exporting import export_format, export_references

    path = Path(args.fichier)
    fmt = export_format(path, args.format)
    engine = make_engine()
    try:
        with (
            Progress(1).step(f"Export de la bibliographie vers {path.name}"),
            Session(engine) as session,
        ):
            count = export_references(session, path, fmt)
    except SQLAlchemyError:
        raise CommandError(
            "la base bibliographique est introuvable ou vide : lancez « python -m bot base »"
        ) from None
    finally:
        engine.dispose()
    print(
        f"{count} référence(s) écrite(s) dans {path} ({'CSL-JSON' if fmt == 'csl-json' else 'CSV'}).",
        flush=True,
    )
    return 0


def cmd_lister(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from bot.bibliography.database import make_engine
    from bot.librarian.exporting import list_references

    engine = make_engine()
    try:
        with Session(engine) as session:
            lines, total = list_references(
                session,
                " ".join(args.mots) or None,
                args.type,
                args.theme,
                args.auteur,
                args.annee,
                args.nombre,
            )
    except SQLAlchemyError:
        raise CommandError(
            "la base bibliographique est introuvable ou vide : lancez « python -m bot base »"
        ) from None
    finally:
        engine.dispose()
    if not lines:
        print("Aucune référence ne correspond.", flush=True)
        return 0
    print("\n".join(lines), flush=True)
    if total > len(lines):
        print(
            f"… {total - len(lines)} autre(s) : affinez la recherche ou utilisez --nombre.",
            flush=True,
        )
    return 0


# --- revue ---------------------------------------------------------------------------------


def cmd_revue(args: argparse.Namespace) -> int:
    if args.fusionner:
        return _merge_review(Path(args.fusionner), args.essai)
    from bot.librarian.conversation_store import read_conversations
    from bot.librarian.review import group_turns, known_intents, render_review, unclear_turns
    from bot.librarian.training_data import write_atomically

    progress = Progress(3)
    with progress.step("Lecture des conversations"):
        conversations = read_conversations(load_settings().tracker_store_url, args.depuis)
    with progress.step("Regroupement des messages non compris"):
        groups = group_turns(unclear_turns(conversations, args.seuil))
    if not groups:
        print(
            f"Rien à revoir : {len(conversations)} conversation(s), aucun message non compris.",
            flush=True,
        )
        return 0
    out = Path(args.sortie or RESULTS_DIR / "revue" / f"revue-{dt.date.today():%Y-%m-%d}.yml")
    with progress.step(f"Écriture de {out.name}"):
        out.parent.mkdir(parents=True, exist_ok=True)
        days = [c.turns[0].day for c in conversations]
        text = render_review(
            groups,
            known_intents(),
            len(conversations),
            (min(days), max(days)),
            f"python -m bot revue --fusionner {out}",
        )
        write_atomically(out, text)
    messages = sum(g.size for g in groups)
    print(f"{messages} message(s) non compris, en {len(groups)} groupe(s), dans {out}.", flush=True)
    for number, group in enumerate(groups[:10], start=1):
        text, _count = group.texts.most_common(1)[0]
        print(
            f"  {number}. ×{group.size} « {text} » → proposé : {group.suggestion() or 'out_of_scope'}",
            flush=True,
        )
    print(
        f"Corrigez les intentions dans le fichier, puis : python -m bot revue --fusionner {out}",
        flush=True,
    )
    return 0


def _merge_review(path: Path, dry_run: bool) -> int:
    from bot.librarian.review import merge_review

    if not path.exists():
        raise CommandError(f"fichier introuvable : {path}")
    with Progress(1).step(f"Ajout des exemples de {path.name} à data/nlu/"):
        report = merge_review(path, dry_run=dry_run)
    print(report.summary_fr(), flush=True)
    return 1 if report.problems else 0


# --- statistiques --------------------------------------------------------------------------


def cmd_statistiques(args: argparse.Namespace) -> int:
    from bot.librarian.conversation_store import read_conversations
    from bot.librarian.statistics import compute, name_readings, render_html
    from bot.librarian.training_data import write_atomically

    settings = load_settings()
    progress = Progress(3)
    with progress.step("Lecture des conversations"):
        stats = compute(read_conversations(settings.tracker_store_url, args.depuis))
    with progress.step("Titres des lectures recommandées"):
        name_readings(stats, settings.database_url)
    out = Path(args.sortie or RESULTS_DIR / "statistiques.html")
    with progress.step(f"Graphiques et page {out.name}"):
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(out, render_html(stats))
    print(stats.summary_fr(), flush=True)
    print(f"Ouvrez {out.resolve()} dans un navigateur.", flush=True)
    return 0


# --- wiring --------------------------------------------------------------------------------


def register(commands: argparse._SubParsersAction) -> None:
    """Add the librarians' sub-commands to `python -m bot`."""
    check = commands.add_parser(
        "valider", help="vérifie les données (Rasa et règles du projet) avant d'entraîner"
    )
    check.add_argument(
        "--sans-rasa", action="store_true", help="seulement les règles du projet (plus rapide)"
    )
    check.set_defaults(func=guarded(cmd_valider))

    biblio = commands.add_parser("biblio", help="importe, exporte ou cherche des références")
    actions = biblio.add_subparsers(dest="action", metavar="ACTION", required=True)
    importer = actions.add_parser(
        "importer", help="importe un export Zotero (CSL-JSON, RIS, BibTeX) ou un CSV"
    )
    importer.add_argument("fichier", metavar="FICHIER")
    importer.add_argument(
        "--format",
        choices=["csl-json", "ris", "bibtex", "csv"],
        help="si l'extension ne suffit pas",
    )
    importer.add_argument(
        "--essai", action="store_true", help="montre ce qui serait fait, sans rien écrire"
    )
    importer.add_argument(
        "--sans-base", action="store_true", help="écrit references.yml seulement, pas la base"
    )
    importer.add_argument(
        "--theme",
        action="append",
        metavar="THEME",
        help="thème à donner aux références importées (répétable)",
    )
    importer.set_defaults(func=guarded(cmd_importer))
    exporter = actions.add_parser(
        "exporter", help="écrit toute la bibliographie en CSL-JSON (.json) ou CSV (.csv)"
    )
    exporter.add_argument("fichier", metavar="FICHIER")
    exporter.add_argument(
        "--format", choices=["csl-json", "csv"], help="si l'extension ne suffit pas"
    )
    exporter.set_defaults(func=guarded(cmd_exporter))
    lister = actions.add_parser("lister", help="cherche des références, comme l'assistant")
    lister.add_argument("mots", nargs="*", metavar="MOT", help="mots du sujet")
    lister.add_argument(
        "--type", help="article, livre, chapitre, rapport, these, formation ou site"
    )
    lister.add_argument("--theme", help="thème de data/bibliography/themes.yml")
    lister.add_argument("--auteur", help="nom d'un auteur")
    lister.add_argument("--annee", help="année, ou recent")
    lister.add_argument(
        "--nombre", type=int, default=20, help="nombre de références affichées (20)"
    )
    lister.set_defaults(func=guarded(cmd_lister))

    review = commands.add_parser(
        "revue", help="les messages non compris, à apprendre à l'assistant"
    )
    review.add_argument(
        "--sortie", metavar="FICHIER", help="fichier écrit (results/revue/revue-DATE.yml)"
    )
    _add_since(review)
    review.add_argument(
        "--seuil",
        type=_ratio,
        default=LOW_CONFIDENCE,
        help=f"confiance en dessous de laquelle un message est à revoir ({LOW_CONFIDENCE})",
    )
    review.add_argument(
        "--fusionner",
        metavar="FICHIER",
        help="ajoute les exemples d'un fichier de revue corrigé à data/nlu/",
    )
    review.add_argument(
        "--essai", action="store_true", help="avec --fusionner : montre sans rien écrire"
    )
    review.set_defaults(func=guarded(cmd_revue))

    stats = commands.add_parser(
        "statistiques", help="page HTML de graphiques sur l'usage de l'assistant"
    )
    stats.add_argument(
        "--sortie", metavar="FICHIER", help="page écrite (results/statistiques.html)"
    )
    _add_since(stats)
    stats.set_defaults(func=guarded(cmd_statistiques))


def _add_since(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--depuis",
        type=_date,
        metavar="AAAA-MM-JJ",
        help="seulement les conversations depuis cette date",
    )


_ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "affiche cette aide",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "the following arguments are required: %s": "il manque : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix impossible : %(value)r (choisir parmi %(choices)s)",
    "unrecognized arguments: %s": "arguments inconnus : %s",
    "expected one argument": "une valeur est attendue",
    "invalid %(type)s value: %(value)r": "valeur impossible : %(value)r",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s : %(message)s",
}


def french_argparse() -> None:
    """argparse's own words (usage, errors) in French, for this command line's process."""
    original = argparse._

    def translate(text: str) -> str:
        return _ARGPARSE_FR.get(text, original(text))

    if getattr(argparse._, "__name__", "") != "translate":
        argparse._ = translate
