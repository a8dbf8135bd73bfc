"""The project's command line (`python -m bot …`), in French for the librarians."""
from __future__ import annotations

import argparse
import sys
import time
from typing import Optional, Sequence

from bot import training
from bot.librarian.cli import french_argparse
from bot.librarian.cli import register as register_librarian_commands
from bot.privacy.cli import register as register_privacy_commands


def cmd_base(args: argparse.Namespace) -> int:
    """Create or upgrade the bibliography database, then load the seed file."""
    from bot.bibliography.seed import migrate_and_seed

    print("Mise à jour de la base bibliographique…", flush=True)
    report = migrate_and_seed()
    print(report.summary_fr(), flush=True)
    return 0


def cmd_entrainer(args: argparse.Namespace) -> int:
    """Train if the data changed, then give the model to the running assistant, if one runs."""
    import subprocess

    from bot.librarian.model_reload import reload_model
    from bot.librarian.progress import Progress
    from bot.settings import load_settings

    progress = Progress(total_steps=2)
    model = training.current_model()
    if model and not args.force:
        print(f"Le modèle est à jour : {model.name}", flush=True)
    else:
        started = time.monotonic()
        try:
            # Rasa names each component as it trains it: that is the progress shown.
            with progress.step("Entraînement du modèle (une à deux minutes)", animate=False):
                model = training.train(force=args.force)
        except subprocess.CalledProcessError:
            print("L'entraînement a échoué : « python -m bot valider » montre les erreurs des données.",
                  file=sys.stderr, flush=True)
            return 1
        print(f"Modèle entraîné en {time.monotonic() - started:.0f} s : {model.name}", flush=True)
    with progress.step("Mise en service dans l'assistant en marche"):
        result = reload_model(model, load_settings().rasa_url)
    print(result.message, flush=True)
    return 0


def cmd_lancer(args: argparse.Namespace) -> int:
    from bot.launcher import serve_forever

    serve_forever(_require_model())
    return 0


def cmd_discuter(args: argparse.Namespace) -> int:
    from bot.launcher import chat_in_terminal

    chat_in_terminal(_require_model())
    return 0


def cmd_evaluer(args: argparse.Namespace) -> int:
    from bot.librarian.cli import evaluate

    print(evaluate(_require_model(), args.format), flush=True)
    return 0


def cmd_telegram(args: argparse.Namespace) -> int:
    from bot.telegram_webhook import delete_webhook, register_webhook

    return register_webhook() if args.action == "webhook" else delete_webhook()


def _require_model():
    model = training.current_model()
    if model is None:
        print("Aucun modèle à jour : lancez d'abord « python -m bot entrainer ».", file=sys.stderr)
        raise SystemExit(1)
    return model


def build_parser() -> argparse.ArgumentParser:
    french_argparse()
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Assistant de la bibliothèque sur la pair-aidance : commandes d'entretien.",
    )
    commands = parser.add_subparsers(dest="commande", metavar="COMMANDE", required=True)
    commands.add_parser("base", help="crée ou met à jour la base bibliographique et charge les références").set_defaults(func=cmd_base)
    train = commands.add_parser("entrainer", help="entraîne le modèle s'il a changé")
    train.add_argument("--force", action="store_true", help="entraîne même si rien n'a changé")
    train.set_defaults(func=cmd_entrainer)
    commands.add_parser("lancer", help="démarre l'assistant (Rasa et serveur d'actions)").set_defaults(func=cmd_lancer)
    commands.add_parser("discuter", help="discute avec l'assistant dans le terminal").set_defaults(func=cmd_discuter)
    evaluate = commands.add_parser("evaluer", help="évalue la compréhension sur le jeu de test")
    evaluate.add_argument("--format", choices=["md", "html"], default="md", help="rapport Markdown (md) ou page HTML (html)")
    evaluate.set_defaults(func=cmd_evaluer)
    register_librarian_commands(commands)
    register_privacy_commands(commands)
    telegram = commands.add_parser("telegram", help="connecte ou déconnecte le robot Telegram")
    telegram_actions = telegram.add_subparsers(dest="action", metavar="ACTION", required=True)
    telegram_actions.add_parser(
        "webhook", help="enregistre le webhook (adresse, secret, commandes) auprès de Telegram"
    )
    telegram_actions.add_parser("supprimer", help="retire le webhook : Telegram n'envoie plus rien")
    telegram.set_defaults(func=cmd_telegram)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
