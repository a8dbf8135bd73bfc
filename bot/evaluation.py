"""Score a trained model on the held-out French questions (tests/nlu/), written apart from training.

Two sets: the frozen one (tests/nlu/frozen/, written on 2026-12-04 by helper sessions that never
opened data/nlu/, and never used to choose a training example), whose figures the README reports,
and the older heldout.yml, kept as a regression test only: training examples were added after
reading its errors, and it shares sentences with the training data.

The label of an FAQ question is its family (`faq/gem`), as the response selector output names it, so a
right intent with the wrong answer counts as wrong. A message the model declines to answer
(`nlu_fallback`) counts as wrong for accuracy, but as an honest non-answer for out-of-scope
recall, since the visitor then gets the fallback rather than a bluff.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from bot.intent_labels import fallback_candidates, load_intent_labels
from bot.settings import PROJECT_ROOT

HELDOUT_FILE = PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"
FROZEN_SET = PROJECT_ROOT / "tests" / "nlu" / "frozen"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
NON_ANSWERS = {OUT_OF_SCOPE, FALLBACK}


@dataclass(frozen=True)
class Prediction:
    text: str
    expected: str
    predicted: str
    confidence: float
    # The classifier's guesses before any fallback rule, best first: enough to replay the
    # decision under other fallback thresholds (benchmarks/understanding.py).
    ranking: tuple[tuple[str, float], ...] = ()


@dataclass
class EvaluationReport:
    examples: int
    accuracy: float
    macro_f1: float
    out_of_scope_recall: float
    out_of_scope_precision: float
    confident_errors: int
    fallbacks: int
    # Of the in-scope questions only (out-of-scope ones are scored by recall and precision).
    in_scope_accuracy: float = 0.0
    # Of the in-scope questions that fell back and that a button can name (data/intent_labels.csv),
    # the share whose right answer is among the "vouliez-vous dire…" buttons.
    buttons_hit_rate: float = 0.0
    buttons_questions: int = 0
    confused_pairs: list[tuple[str, str, int]] = field(default_factory=list)
    errors: list[Prediction] = field(default_factory=list)
    seconds: float = 0.0
    report_path: Optional[str] = None

    def summary_fr(self) -> str:
        lines = [
            f"Jeu de test : {self.examples} questions",
            f"  Exactitude des intentions : {self.accuracy:.1%} (dans le sujet : {self.in_scope_accuracy:.1%})",
            f"  F1 macro : {self.macro_f1:.3f}",
            f"  Hors sujet : rappel {self.out_of_scope_recall:.1%}, précision {self.out_of_scope_precision:.1%}",
            f"  Erreurs données avec assurance : {self.confident_errors}",
            f"  Replis (« vouliez-vous dire… ») : {self.fallbacks}, bonne réponse parmi les boutons : "
            f"{self.buttons_hit_rate:.1%} de {self.buttons_questions}",
            "  Confusions les plus fréquentes :",
        ]
        lines += [f"    {a} → {b} : {n}" for a, b, n in self.confused_pairs[:8]]
        if self.report_path:
            lines.append(f"Rapport : {self.report_path}")
        return "\n".join(lines)


def load_heldout(path: Path = FROZEN_SET) -> list[tuple[str, str]]:
    """(text, label) pairs; FAQ labels are the full retrieval intent (`faq/gem`)."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        (m.get("text"), m.get("intent_response_key") or m.get("intent"))
        for m in data.intent_examples
    ]


def in_buttons(prediction: Prediction) -> bool:
    """Whether the fallback's buttons, as actions/fallback.py draws them from this ranking, offer
    the expected answer."""
    ranking = [{"name": name, "confidence": confidence} for name, confidence in prediction.ranking]
    return prediction.expected in {label.intent for label in fallback_candidates(ranking, [])}


def label_of(parse: dict) -> tuple[str, float]:
    """The label a parse result answers with, and its confidence."""
    intent = parse.get("intent") or {}
    name, confidence = intent.get("name") or FALLBACK, float(intent.get("confidence") or 0)
    if name == "faq":
        # A selector trained for every retrieval intent (Rasa's default) answers under "default".
        selectors = parse.get("response_selector") or {}
        selected = (selectors.get("faq") or selectors.get("default") or {}).get("response", {})
        name = selected.get("intent_response_key") or name
    return name, confidence


def ranking_of(parse: dict) -> tuple[tuple[str, float], ...]:
    """The intent ranking without the fallback the FallbackClassifier puts on top."""
    return tuple((ranked["name"], float(ranked.get("confidence") or 0))
                 for ranked in parse.get("intent_ranking") or [] if ranked.get("name") != FALLBACK)


def predict(model: Path, examples: Iterable[tuple[str, str]]) -> list[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> list[Prediction]:
        predictions = []
        for text, expected in examples:
            parse = await agent.parse_message(text)
            name, confidence = label_of(parse)
            predictions.append(Prediction(text, expected, name, confidence, ranking_of(parse)))
        return predictions

    return asyncio.run(parse_all())


def score(predictions: list[Prediction], seconds: float = 0.0) -> EvaluationReport:
    from sklearn.metrics import f1_score

    expected = [p.expected for p in predictions]
    predicted = [p.predicted for p in predictions]
    labels = sorted(set(expected))
    correct = sum(e == p for e, p in zip(expected, predicted))
    oos_true = [p for p in predictions if p.expected == OUT_OF_SCOPE]
    oos_said = [p for p in predictions if p.predicted in NON_ANSWERS]
    errors = [p for p in predictions if p.expected != p.predicted]
    confused = Counter((p.expected, p.predicted) for p in errors)
    in_scope = [p for p in predictions if p.expected != OUT_OF_SCOPE]
    buttonable = [p for p in in_scope if p.predicted == FALLBACK and p.expected in load_intent_labels()]
    return EvaluationReport(
        examples=len(predictions),
        accuracy=correct / len(predictions),
        macro_f1=float(f1_score(expected, predicted, labels=labels, average="macro", zero_division=0)),
        out_of_scope_recall=sum(p.predicted in NON_ANSWERS for p in oos_true) / max(len(oos_true), 1),
        out_of_scope_precision=sum(p.expected == OUT_OF_SCOPE for p in oos_said) / max(len(oos_said), 1),
        confident_errors=sum(p.predicted not in NON_ANSWERS for p in errors),
        fallbacks=sum(p.predicted == FALLBACK for p in predictions),
        in_scope_accuracy=sum(p.expected == p.predicted for p in in_scope) / max(len(in_scope), 1),
        buttons_hit_rate=sum(map(in_buttons, buttonable)) / max(len(buttonable), 1),
        buttons_questions=len(buttonable),
        confused_pairs=[(a, b, n) for (a, b), n in confused.most_common(10)],
        errors=errors,
        seconds=seconds,
    )


def write_report(report: EvaluationReport, predictions: list[Prediction], out_dir: Path) -> Path:
    """A Markdown report, a JSON file of the figures, and the confusion-matrix picture."""
    out_dir.mkdir(parents=True, exist_ok=True)
    picture = out_dir / "confusion.png"
    draw_confusion_matrix(predictions, picture)
    figures = {k: v for k, v in asdict(report).items() if k not in {"errors", "report_path"}}
    (out_dir / "evaluation.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    lines = ["# Évaluation sur le jeu de test", "", "```", report.summary_fr(), "```", "",
             f"![Matrice de confusion]({picture.name})", "", "## Questions mal classées", "",
             "| question | attendu | prédit | confiance |", "|---|---|---|---|"]
    lines += [
        f"| {p.text.replace('|', '/')} | {p.expected} | {p.predicted} | {p.confidence:.2f} |"
        for p in report.errors
    ]
    path = out_dir / "rapport.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def draw_confusion_matrix(predictions: list[Prediction], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = sorted({p.expected for p in predictions} | {p.predicted for p in predictions})
    matrix = confusion_matrix(
        [p.expected for p in predictions], [p.predicted for p in predictions], labels=labels
    )
    figure, axes = plt.subplots(figsize=(14, 12))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlabel("prédit")
    axes.set_ylabel("attendu")
    for row in range(len(labels)):
        for column in range(len(labels)):
            if matrix[row, column]:
                axes.text(column, row, matrix[row, column], ha="center", va="center", fontsize=6)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def evaluate(model: Path, heldout: Path = FROZEN_SET) -> tuple[EvaluationReport, list[Prediction]]:
    started = time.monotonic()
    predictions = predict(model, load_heldout(heldout))
    return score(predictions, time.monotonic() - started), predictions

