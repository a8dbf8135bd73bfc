"""`python -m bot confidentialite purger | effacer ID`: the retention period and erasure."""
from __future__ import annotations

import argparse
import sys

from bot.privacy.retention import ConversationStoreError, erase_conversation, purge_expired
from bot.privacy.sender_ids import SenderIdKeyError
from bot.settings import load_settings


def cmd_purger(args: argparse.Namespace) -> int:
    settings = load_settings()
    report = purge_expired(settings)
    print(report.summary_fr(settings.retention_days), flush=True)
    return 0


def cmd_effacer(args: argparse.Namespace) -> int:
    erased = erase_conversation(args.identifiant)
    if not erased:
        print(
            "Aucune conversation enregistrée pour cet identifiant : déjà effacée (délai de "
            "conservation), jamais enregistrée, ou identifiant inexact (il se copie tel quel, "
            "majuscules comprises).",
            file=sys.stderr, flush=True,
        )
        return 1
    print(f"Conversation effacée ({erased} événements).", flush=True)
    return 0


def _reported(command):
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (ConversationStoreError, SenderIdKeyError) as error:
            print(f"Erreur : {error}", file=sys.stderr, flush=True)
            return 1

    return run


def register(commands: argparse._SubParsersAction) -> None:
    privacy = commands.add_parser(
        "confidentialite", help="efface les conversations anciennes, ou celle d'un visiteur"
    )
    actions = privacy.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser(
        "purger", help="efface les conversations plus anciennes que RETENTION_DAYS (90 jours)"
    ).set_defaults(func=_reported(cmd_purger))
    erase = actions.add_parser(
        "effacer", help="efface la conversation d'un visiteur, à sa demande"
    )
    erase.add_argument(
        "identifiant", metavar="ID",
        help="l'identifiant du visiteur (session du widget, numéro de discussion Telegram)",
    )
    erase.set_defaults(func=_reported(cmd_effacer))
