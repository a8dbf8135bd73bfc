"""Human labels of the intents, for the "vouliez-vous dire…" buttons (data/intent_labels.csv).

Librarians edit the CSV; each button sends the question of its row, so that the assistant
answers it as if the visitor had typed it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.settings import PROJECT_ROOT

LABELS_FILE = PROJECT_ROOT / "data" / "intent_labels.csv"


@dataclass(frozen=True)
class IntentLabel:
    intent: str
    label: str
    question: str


@lru_cache(maxsize=4)
def load_intent_labels(path: Path = LABELS_FILE) -> dict[str, IntentLabel]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return {row["intent"]: IntentLabel(row["intent"], row["label"], row["question"]) for row in rows}


def fallback_candidates(
    intent_ranking: list[dict], faq_ranking: list[dict], limit: int = 2, floor: float = 0.1
) -> list[IntentLabel]:
    """The best guesses worth proposing: labelled intents, FAQ families resolved to their key.

    An FAQ family's score is the `faq` intent's confidence times the selector's confidence, so
    that the two rankings compare.
    """
    labels = load_intent_labels()
    scored: list[tuple[float, str]] = []
    for ranked in intent_ranking:
        name, confidence = ranked.get("name"), float(ranked.get("confidence") or 0)
        if name == "faq":
            for selected in faq_ranking[:limit]:
                key = selected.get("intent_response_key")
                scored.append((confidence * float(selected.get("confidence") or 0), key))
        elif name in labels:
            scored.append((confidence, name))
    scored.sort(key=lambda pair: -pair[0])
    chosen: list[IntentLabel] = []
    for score, name in scored:
        if score >= floor and name in labels and labels[name] not in chosen:
            chosen.append(labels[name])
    return chosen[:limit]
