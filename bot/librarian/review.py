"""`python -m bot revue`: what the assistant did not understand, grouped, to be taught back to it.

The messages that ended in the fallback ("vouliez-vous dire…") or that the model read with low
confidence are grouped by similarity (character n-grams, so that "c koi un gem" and "c'est quoi
un GEM" meet), counted, and written as a file of Rasa training data: one block per group, with
the intent the model leaned towards. A librarian corrects the intents, deletes what should not
be learnt, and `revue --fusionner FICHIER` adds the examples to data/nlu/ beside the others.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

from bot.librarian.conversation_store import Conversation, Turn
from bot.librarian.problems import Problem
from bot.librarian.statistics import intent_label
from bot.librarian.training_data import (
    NluData,
    append_examples,
    normalize_example,
    read_nlu,
    read_nlu_file,
)
from bot.settings import PROJECT_ROOT

LOW_CONFIDENCE = 0.7
SIMILARITY = 0.5
SKIP_INTENT = "ignorer"
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")


@dataclass
class Group:
    """Similar messages, most frequent first, and what the model made of them."""

    texts: Counter = field(default_factory=Counter)
    conversations: set[str] = field(default_factory=set)
    confidences: list[float] = field(default_factory=list)
    scores: Counter = field(default_factory=Counter)

    @property
    def size(self) -> int:
        return sum(self.texts.values())

    def suggestion(self) -> Optional[str]:
        return self.scores.most_common(1)[0][0] if self.scores else None


def unclear_turns(
    conversations: list[Conversation], threshold: float = LOW_CONFIDENCE
) -> list[tuple[str, Turn]]:
    """Typed messages that ended in the fallback or were read with low confidence."""
    found = []
    for conversation in conversations:
        for turn in conversation.turns:
            if turn.is_button or not turn.text.strip():
                continue
            if turn.fell_back or turn.certainty < threshold:
                found.append((conversation.sender_id, turn))
    return found


def group_turns(turns: list[tuple[str, Turn]], similarity: float = SIMILARITY) -> list[Group]:
    """Greedy grouping: each message joins the first group whose first message is similar enough."""
    if not turns:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    by_text: dict[str, list[tuple[str, Turn]]] = defaultdict(list)
    for sender, turn in turns:
        by_text[normalize_example(turn.text) or turn.text.strip().lower()].append((sender, turn))
    keys = sorted(by_text, key=lambda k: (-len(by_text[k]), k))
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(keys)
    similarities = cosine_similarity(vectors)
    leaders: list[int] = []
    groups: list[Group] = []
    for index, key in enumerate(keys):
        target = next(
            (g for g, leader in enumerate(leaders) if similarities[index, leader] >= similarity),
            None,
        )
        if target is None:
            leaders.append(index)
            groups.append(Group())
            target = len(groups) - 1
        group = groups[target]
        # Messages that differ only by case, accents or punctuation are one line, counted.
        group.texts[_shown_text(by_text[key][0][1].text)] += len(by_text[key])
        for sender, turn in by_text[key]:
            group.conversations.add(sender)
            group.confidences.append(turn.certainty)
            for name, score in turn.candidates[:3]:
                group.scores[name] += score
    return sorted(groups, key=lambda g: -g.size)


def _shown_text(text: str) -> str:
    """One line, no personal contact details, nothing Rasa would read as an annotation."""
    text = " ".join(text.split()).replace("[", "(").replace("]", ")")
    return _PHONE.sub("<téléphone>", _EMAIL.sub("<courriel>", text))


def known_intents(root: Path = PROJECT_ROOT, data: Optional[NluData] = None) -> list[str]:
    """Intents a reviewed example may go to: the domain's, with FAQ families instead of `faq`."""
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}
    data = data or read_nlu(root / "data" / "nlu")
    families = sorted({b.intent for b in data.blocks if b.intent.startswith("faq/")})
    return [i for i in domain.get("intents") or [] if isinstance(i, str) and i != "faq"] + families


def render_review(
    groups: list[Group],
    intents: list[str],
    conversations: int,
    period: tuple[Optional[dt.date], Optional[dt.date]],
    merge_hint: str,
) -> str:
    start, end = period
    lines = [
        "# Messages que l'assistant n'a pas compris, ou pas avec assurance,",
        f"# dans {conversations} conversation(s)"
        + (f" du {start:%d/%m/%Y} au {end:%d/%m/%Y}." if start and end else "."),
        "#",
        "# Chaque bloc regroupe des messages semblables, sous l'intention que le modèle y voyait le plus.",
        "# Pour chaque bloc :",
        "#   - si l'intention proposée est la bonne, laissez-la ;",
        "#   - sinon, remplacez-la par la bonne (liste en fin de fichier) ;",
        f"#   - pour ne rien apprendre d'un bloc, écrivez « intent: {SKIP_INTENT} » ;",
        "#   - supprimez les lignes d'exemples à ne pas apprendre, et ne gardez aucune donnée personnelle.",
        "# Puis ajoutez les exemples aux données de l'assistant :",
        f"#   {merge_hint}",
        'version: "3.1"',
        "nlu:",
    ]
    for number, group in enumerate(groups, start=1):
        suggestion = group.suggestion() or "out_of_scope"
        mean = sum(group.confidences) / len(group.confidences)
        guesses = ", ".join(
            f"{name} ({score / group.size:.2f})" for name, score in group.scores.most_common(3)
        )
        lines.append(
            f"# Groupe {number} : {group.size} message(s) dans {len(group.conversations)} conversation(s), "
            f"confiance moyenne {mean:.2f}"
        )
        lines.append(f"# Pistes du modèle : {guesses or 'aucune'}")
        repeated = [
            f"« {text} » ×{count}" for text, count in group.texts.most_common() if count > 1
        ]
        if repeated:
            lines.append("# Répétés : " + " ; ".join(repeated))
        lines += [f"- intent: {suggestion}", "  examples: |"]
        lines += [f"    - {text}" for text, _count in group.texts.most_common()]
    lines += ["", "# Intentions possibles :"]
    lines += [f"#   {name} — {intent_label(name)}" for name in intents]
    lines.append(f"#   {SKIP_INTENT} — ne rien apprendre de ce bloc")
    return "\n".join(lines) + "\n"


# --- merging a reviewed file ---------------------------------------------------------------


@dataclass
class MergeReport:
    added: dict[Path, int] = field(default_factory=dict)
    already_there: int = 0
    skipped_blocks: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def summary_fr(self) -> str:
        lines = ["Aperçu (--essai) : rien n'a été écrit."] if self.dry_run else []
        verb = "à ajouter" if self.dry_run else "ajouté(s)"
        for path, count in sorted(self.added.items()):
            lines.append(f"  {count} exemple(s) {verb} à {path.parent.name}/{path.name}")
        if not self.added:
            lines.append("  Aucun exemple ajouté.")
        if self.already_there:
            lines.append(f"  {self.already_there} exemple(s) déjà présent(s), non répété(s).")
        if self.skipped_blocks:
            lines.append(f"  {self.skipped_blocks} bloc(s) « {SKIP_INTENT} » laissé(s) de côté.")
        if self.problems:
            lines.append(f"  {len(self.problems)} problème(s), exemples non ajoutés :")
            lines += [f"  - {p}" for p in self.problems]
        if self.added and not self.dry_run:
            lines.append("Ensuite : « python -m bot valider », puis « python -m bot entrainer ».")
        return "\n".join(lines)


def merge_review(reviewed: Path, root: Path = PROJECT_ROOT, dry_run: bool = False) -> MergeReport:
    """Add the examples of a reviewed file to data/nlu/, each to the file of its intent."""
    report = MergeReport(dry_run=dry_run)
    review = read_nlu_file(Path(reviewed))
    report.problems += review.problems
    if review.problems:
        return report
    project = read_nlu(root / "data" / "nlu")
    intents = set(known_intents(root, project))
    seen = {normalize_example(e.text): (b.intent, e) for b in project.blocks for e in b.examples}
    pending: dict[tuple[Path, str], list[str]] = defaultdict(list)
    for block in review.blocks:
        if block.intent == SKIP_INTENT:
            report.skipped_blocks += 1
            continue
        if block.intent not in intents:
            report.problems.append(
                Problem(
                    block.file,
                    block.line,
                    f"intention inconnue « {block.intent} »",
                    f"choisissez une intention de la liste en fin de fichier, ou « {SKIP_INTENT} ».",
                    "intention",
                )
            )
            continue
        target = _target_file(root, project, block.intent)
        for example in block.examples:
            key = normalize_example(example.text)
            if key in seen:
                intent, other = seen[key]
                if intent == block.intent:
                    report.already_there += 1
                else:
                    report.problems.append(
                        Problem(
                            example.file,
                            example.line,
                            f"« {example.plain} » est déjà un exemple de « {intent} » ({Problem(other.file, other.line, '').where()})",
                            "une phrase ne va que sous une intention : choisissez, et supprimez l'autre ligne.",
                            "doublon",
                        )
                    )
                continue
            seen[key] = (block.intent, example)
            pending[(target, block.intent)].append(example.text)
    for (target, intent), texts in pending.items():
        if not dry_run:
            append_examples(target, intent, texts)
        report.added[target] = report.added.get(target, 0) + len(texts)
    return report


def _target_file(root: Path, project: NluData, intent: str) -> Path:
    """The file that already holds the intent's examples; an FAQ family's own file."""
    if intent.startswith("faq/"):
        own = root / "data" / "nlu" / f"faq_{intent.split('/', 1)[1]}.yml"
        if own.exists():
            return own
    for block in project.blocks:
        if block.intent == intent:
            return block.file
    return root / "data" / "nlu" / "revue.yml"
