"""Overlap between an evaluation set and the training data: exact and near-duplicate sentences.

A held-out set measures what a stranger's question gets only if its sentences are not the
training sentences again. Sentences are compared after folding case, accents and punctuation;
two are near-duplicates when their character trigrams overlap by at least NEAR_DUPLICATE
(Jaccard), which catches a changed word or a typo but not two questions on the same subject.

    .venv/bin/python -m bot.overlap [tests/nlu/frozen]
"""
from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT

NEAR_DUPLICATE = 0.8


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    letters = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(re.findall(r"[a-z0-9]+", letters))


def trigrams(text: str) -> frozenset[str]:
    padded = f"  {text} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


@dataclass(frozen=True)
class Overlap:
    evaluated: str
    trained: str
    similarity: float


def overlaps(evaluated: list[str], trained: list[str], threshold: float = NEAR_DUPLICATE) -> list[Overlap]:
    """Each evaluated sentence that has an exact or near twin among the trained ones."""
    by_text = {folded(t): t for t in trained}
    grams = [(original, trigrams(text)) for text, original in by_text.items()]
    found = []
    for sentence in evaluated:
        key = folded(sentence)
        if key in by_text:
            found.append(Overlap(sentence, by_text[key], 1.0))
            continue
        mine = trigrams(key)
        best = max(((len(mine & theirs) / len(mine | theirs), original) for original, theirs in grams),
                   default=(0.0, ""))
        if best[0] >= threshold:
            found.append(Overlap(sentence, best[1], round(best[0], 3)))
    return found


def sentences(path: Path) -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [message.get("text") for message in load_data(str(path)).intent_examples]


def main(argv: list[str]) -> int:
    evaluated_path = Path(argv[0]) if argv else PROJECT_ROOT / "tests" / "nlu" / "frozen"
    found = overlaps(sentences(evaluated_path), sentences(PROJECT_ROOT / "data" / "nlu"))
    for overlap in found:
        print(f"{overlap.similarity:.2f}  « {overlap.evaluated} »  ~  « {overlap.trained} »")
    print(f"{len(found)} phrase(s) de {evaluated_path} en double ou presque dans data/nlu/")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
