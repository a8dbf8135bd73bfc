"""Entities: the pipeline of config.yml against the DIET pipeline it replaced, on the same set.

Both models answer the questions of tests/nlu/entities.yml (written apart from data/nlu/, with
typos and missing accents), in one run. An entity counts as found when its type and its value
are right (the value the actions read: « bouquins » must give `livre`; an author's name is
compared without case or accents); where it stands in the sentence does not matter. Precision,
recall and F1 are given per entity type.

- ours: the model of config.yml (components/entity_matcher.py);
- DIET: the configuration of 2026-11-27 (benchmarks/configs/diet-ted.yml) on the same data.

Both are the full models `bot.training` trains and keeps (the serving benchmark serves the same
two), reused while configuration and data are unchanged.

    .venv/bin/python -m benchmarks.entities
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.reporting import decimal, markdown_table, run_header, save  # noqa: E402
from bot import training  # noqa: E402
from bot.bibliography.terms import fold  # noqa: E402
from bot.settings import PROJECT_ROOT  # noqa: E402

ENTITY_SET = PROJECT_ROOT / "tests" / "nlu" / "entities.yml"
OUR_CONFIG = PROJECT_ROOT / "config.yml"
DIET_CONFIG = PROJECT_ROOT / "benchmarks" / "configs" / "diet-ted.yml"
ENTITY_TYPES = ("doc_type", "theme", "author", "year", "rank")
OURS, DIET = "notre pipeline (config.yml)", "DIET (configuration du 27/11/2026)"

Found = Counter  # (entity type, folded value) -> how many times in one sentence


@dataclass(frozen=True)
class Case:
    text: str
    expected: Found


@dataclass
class EntityScores:
    """Counts per entity type, and the sentences where the model was wrong."""

    true_positives: Counter = field(default_factory=Counter)
    false_positives: Counter = field(default_factory=Counter)
    false_negatives: Counter = field(default_factory=Counter)
    mistakes: list[tuple[str, list, list]] = field(default_factory=list)

    def precision(self, entity: str) -> float:
        said = self.true_positives[entity] + self.false_positives[entity]
        return self.true_positives[entity] / said if said else 1.0

    def recall(self, entity: str) -> float:
        there = self.true_positives[entity] + self.false_negatives[entity]
        return self.true_positives[entity] / there if there else 1.0

    def f1(self, entity: str) -> float:
        p, r = self.precision(entity), self.recall(entity)
        return 2 * p * r / (p + r) if p + r else 0.0

    def figures(self) -> dict:
        return {entity: {"precision": round(self.precision(entity), 3), "recall": round(self.recall(entity), 3),
                         "f1": round(self.f1(entity), 3), "support": self.true_positives[entity]
                         + self.false_negatives[entity]} for entity in ENTITY_TYPES}


def found(entities: Iterable[dict]) -> Found:
    return Counter((e["entity"], fold(str(e["value"]))) for e in entities if e.get("entity") in ENTITY_TYPES)


def load_cases(path: Path = ENTITY_SET) -> list[Case]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [Case(m.get("text"), found(m.get("entities") or [])) for m in load_data(str(path)).training_examples]


def score(cases: Sequence[Case], predicted: Sequence[Found]) -> EntityScores:
    scores = EntityScores()
    for case, said in zip(cases, predicted):
        right, extra, missed = case.expected & said, said - case.expected, case.expected - said
        for counts, kept in ((right, scores.true_positives), (extra, scores.false_positives),
                             (missed, scores.false_negatives)):
            for (entity, _), n in counts.items():
                kept[entity] += n
        if extra or missed:
            scores.mistakes.append((case.text, sorted(missed.elements()), sorted(extra.elements())))
    return scores


def predict_entities(model: Path, texts: Sequence[str]) -> list[Found]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> list[Found]:
        return [found((await agent.parse_message(text)).get("entities") or []) for text in texts]

    return asyncio.run(parse_all())


def evaluate(model: Path, cases: Optional[Sequence[Case]] = None) -> EntityScores:
    cases = cases if cases is not None else load_cases()
    return score(cases, predict_entities(model, [c.text for c in cases]))


def table(results: dict[str, EntityScores], support: EntityScores) -> str:
    rows = []
    for entity in ENTITY_TYPES:
        row = [entity, support.figures()[entity]["support"]]
        for scores in results.values():
            row += [decimal(scores.precision(entity), 2), decimal(scores.recall(entity), 2),
                    decimal(scores.f1(entity), 2)]
        rows.append(row)
    headers = ["entité", "à trouver"]
    for name in results:
        headers += [f"{name} : précision", "rappel", "F1"]
    return markdown_table(headers, rows)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args(argv)
    header = run_header()
    cases = load_cases()
    print(f"{len(cases)} phrases, {sum(sum(c.expected.values()) for c in cases)} entités à trouver.", flush=True)
    results: dict[str, EntityScores] = {}
    seconds: dict[str, float] = {}
    for name, config in ((OURS, OUR_CONFIG), (DIET, DIET_CONFIG)):
        model = training.train(config=config)
        seconds[name] = training.training_seconds(model) or float("nan")
        started = time.monotonic()
        results[name] = evaluate(model, cases)
        print(f"  {name} : {len(results[name].mistakes)} phrases avec une erreur, "
              f"{time.monotonic() - started:.1f} s pour tout analyser", flush=True)
    markdown = "\n\n".join([
        f"## Entités — {ENTITY_SET.relative_to(PROJECT_ROOT)}\n\n{header['date']}, {header['machine']}",
        table(results, results[OURS]),
        markdown_table(("système", "entraînement du modèle complet (s)"), [(n, f"{s:.0f}") for n, s in seconds.items()]),
        *(f"### Erreurs : {name}\n\n" + markdown_table(
            ("phrase", "manquées", "en trop"),
            [(text.replace("|", "/"), ", ".join(f"{e}={v}" for e, v in missed) or "—",
              ", ".join(f"{e}={v}" for e, v in extra) or "—") for text, missed, extra in scores.mistakes])
          for name, scores in results.items()),
    ])
    figures = {**header, "sentences": len(cases), "training_seconds": seconds,
               "systems": {name: scores.figures() for name, scores in results.items()}}
    path = save("entities", figures, markdown)
    print(f"\n{markdown}\n\nChiffres : {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
