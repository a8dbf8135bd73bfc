"""`python -m bot statistiques`: how the assistant is used, as one HTML page with charts.

One self-contained file (pictures embedded), so that it can be opened from any folder or sent by
e-mail: conversations and messages per week, the questions most asked (by intent, with the
labels of data/intent_labels.csv), the share of messages not understood and of conversations
that asked for a librarian, week by week, and the readings most recommended. Each chart is
followed by its figures in a table, for those who read rather than look, and for screen readers.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from bot.evaluation import FALLBACK
from bot.intent_labels import load_intent_labels
from bot.librarian.conversation_store import Conversation

TOP = 12
_OTHER_LABELS = {
    FALLBACK: "Non compris",
    "greet": "Salutations",
    "goodbye": "Au revoir",
    "thank": "Remerciements",
    "affirm": "Oui",
    "deny": "Non",
    "out_of_scope": "Hors sujet",
    "detresse": "Détresse (numéros d'urgence donnés)",
}


@dataclass
class Statistics:
    conversations: int = 0
    messages: int = 0
    weeks: list[dt.date] = field(default_factory=list)
    conversations_per_week: Counter = field(default_factory=Counter)
    messages_per_week: Counter = field(default_factory=Counter)
    fallbacks_per_week: Counter = field(default_factory=Counter)
    handoffs_per_week: Counter = field(default_factory=Counter)
    intents: Counter = field(default_factory=Counter)
    readings: Counter = field(default_factory=Counter)  # reference id → times shown
    reading_titles: dict[int, str] = field(default_factory=dict)

    def fallback_rate(self, week: dt.date) -> float:
        return self.fallbacks_per_week[week] / max(self.messages_per_week[week], 1)

    def handoff_rate(self, week: dt.date) -> float:
        return self.handoffs_per_week[week] / max(self.conversations_per_week[week], 1)

    def summary_fr(self) -> str:
        fallbacks = sum(self.fallbacks_per_week.values())
        return (
            f"{self.conversations} conversation(s), {self.messages} message(s) sur {len(self.weeks)} semaine(s) ; "
            f"non compris : {fallbacks / max(self.messages, 1):.0%} des messages ; "
            f"demande d'un bibliothécaire : {sum(self.handoffs_per_week.values()) / max(self.conversations, 1):.0%} "
            "des conversations."
        )


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def compute(conversations: list[Conversation]) -> Statistics:
    stats = Statistics(conversations=len(conversations))
    for conversation in conversations:
        week = week_of(conversation.turns[0].day)
        stats.conversations_per_week[week] += 1
        stats.handoffs_per_week[week] += conversation.asked_for_librarian
        for turn in conversation.turns:
            turn_week = week_of(turn.day)
            stats.messages += 1
            stats.messages_per_week[turn_week] += 1
            stats.fallbacks_per_week[turn_week] += turn.fell_back
            if not turn.is_button:
                stats.intents[FALLBACK if turn.fell_back else turn.intent] += 1
            stats.readings.update(turn.recommended)
    if stats.messages_per_week:
        first, last = min(stats.messages_per_week), max(stats.messages_per_week)
        stats.weeks = [first + dt.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    return stats


def name_readings(stats: Statistics, database_url: Optional[str] = None) -> None:
    """Citations of the readings recommended; left as numbers if the bibliography is unreachable."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from bot.bibliography.citation import format_citation
    from bot.bibliography.database import make_engine
    from bot.bibliography.models import Reference

    if not stats.readings:
        return
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            for reference_id, _count in stats.readings.most_common(TOP):
                reference = session.get(Reference, reference_id)
                if reference is not None:
                    stats.reading_titles[reference_id] = format_citation(reference)
    except SQLAlchemyError:
        pass
    finally:
        engine.dispose()


def intent_label(intent: str) -> str:
    labels = load_intent_labels()
    return labels[intent].label if intent in labels else _OTHER_LABELS.get(intent, intent)


# --- the page ------------------------------------------------------------------------------


def render_html(stats: Statistics, title: str = "Statistiques de l'assistant") -> str:
    generated = dt.datetime.now().strftime("%d/%m/%Y à %H:%M")
    sections = [f"<p class='resume'>{html.escape(stats.summary_fr())}</p>"]
    if not stats.messages:
        sections.append("<p>Aucune conversation sur cette période.</p>")
    else:
        sections += [
            _volume_section(stats),
            _intents_section(stats),
            _rates_section(stats),
            _readings_section(stats),
        ]
    return f"""<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }}
h1 {{ font-size: 1.6rem; }} h2 {{ margin-top: 2.5rem; border-bottom: 1px solid #ccc; }}
img {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; margin: 1rem 0; }} td, th {{ border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }}
td.n {{ text-align: right; }} .resume {{ font-size: 1.1rem; background: #f3f6fa; padding: 1rem; }}
</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>Page créée le {generated} à partir des conversations enregistrées par l'assistant.</p>
{"".join(sections)}
</body></html>
"""


def _volume_section(stats: Statistics) -> str:
    labels = [f"{w:%d/%m}" for w in stats.weeks]
    conversations = [stats.conversations_per_week[w] for w in stats.weeks]
    messages = [stats.messages_per_week[w] for w in stats.weeks]

    def draw(axes):
        positions = range(len(labels))
        axes.bar(
            [p - 0.2 for p in positions],
            conversations,
            width=0.4,
            label="conversations",
            color="#3b6ea5",
        )
        axes.bar(
            [p + 0.2 for p in positions], messages, width=0.4, label="messages", color="#9cc3e6"
        )
        axes.set_xticks(list(positions), labels, rotation=45 if len(labels) > 8 else 0)
        axes.set_xlim(-0.6, max(len(labels), 6) - 0.4)  # a few weeks do not make giant bars
        axes.set_xlabel("semaine du")
        axes.legend()

    rows = [
        (f"semaine du {w:%d/%m/%Y}", stats.conversations_per_week[w], stats.messages_per_week[w])
        for w in stats.weeks
    ]
    return _section(
        "Conversations et messages par semaine",
        _chart(draw, counts_on="y"),
        "Nombre de conversations et de messages par semaine",
        ("semaine", "conversations", "messages"),
        rows,
    )


def _intents_section(stats: Statistics) -> str:
    top = stats.intents.most_common(TOP)
    names = [intent_label(intent) for intent, _ in top][::-1]
    counts = [count for _, count in top][::-1]

    def draw(axes):
        axes.barh(names, counts, color="#3b6ea5")
        axes.set_xlabel("nombre de questions")

    rows = [(intent_label(intent), count, intent) for intent, count in top]
    return _section(
        "Les questions les plus posées",
        _chart(draw, height=max(3, len(names) * 0.4), counts_on="x"),
        "Questions les plus posées, par sujet",
        ("sujet", "questions", "intention"),
        rows,
    )


def _rates_section(stats: Statistics) -> str:
    labels = [f"{w:%d/%m}" for w in stats.weeks]
    fallback = [100 * stats.fallback_rate(w) for w in stats.weeks]
    handoff = [100 * stats.handoff_rate(w) for w in stats.weeks]

    def draw(axes):
        axes.plot(labels, fallback, marker="o", label="messages non compris (%)", color="#c0392b")
        axes.plot(
            labels,
            handoff,
            marker="s",
            label="conversations avec demande de bibliothécaire (%)",
            color="#27ae60",
        )
        axes.set_ylim(0, 100)
        axes.set_xlabel("semaine du")
        axes.legend()

    rows = [
        (
            f"semaine du {w:%d/%m/%Y}",
            f"{stats.fallback_rate(w):.0%}",
            f"{stats.handoff_rate(w):.0%}",
        )
        for w in stats.weeks
    ]
    return _section(
        "Incompréhensions et demandes de bibliothécaire",
        _chart(draw),
        "Part des messages non compris et des conversations où un bibliothécaire a été demandé",
        ("semaine", "non compris", "bibliothécaire demandé"),
        rows,
        note="Les messages non compris sont à revoir avec « python -m bot revue ».",
    )


def _readings_section(stats: Statistics) -> str:
    top = stats.readings.most_common(TOP)
    if not top:
        return "<h2>Les lectures les plus recommandées</h2><p>Aucune lecture recommandée sur cette période.</p>"
    names = [_short(stats.reading_titles.get(i, f"référence n° {i}")) for i, _ in top][::-1]
    counts = [count for _, count in top][::-1]

    def draw(axes):
        axes.barh(names, counts, color="#8e6bb8")
        axes.set_xlabel("nombre de fois proposée")

    rows = [(stats.reading_titles.get(i, f"référence n° {i}"), count) for i, count in top]
    return _section(
        "Les lectures les plus recommandées",
        _chart(draw, height=max(3, len(names) * 0.45), counts_on="x"),
        "Lectures les plus recommandées",
        ("lecture", "fois proposée"),
        rows,
    )


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _section(
    title: str, picture: str, alt: str, header: tuple, rows: list[tuple], note: str = ""
) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='n'>{value}</td>"
            if isinstance(value, int)
            else f"<td>{html.escape(str(value))}</td>"
            for value in row
        )
        + "</tr>"
        for row in rows
    )
    note_html = f"<p>{html.escape(note)}</p>" if note else ""
    return (
        f"<h2>{html.escape(title)}</h2><img alt='{html.escape(alt)}' src='data:image/png;base64,{picture}'>"
        f"{note_html}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _chart(draw, height: float = 3.5, counts_on: str = "") -> str:
    """The picture `draw` makes, as base64 PNG; `counts_on` the axis of counts (whole ticks)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    figure, axes = plt.subplots(figsize=(9, height))
    draw(axes)
    if counts_on:
        getattr(axes, f"{counts_on}axis").set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
