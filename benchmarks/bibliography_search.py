"""How long `search_references` takes on a catalogue a hundred times the seed's size.

Builds 5,000 references (the 47 of the seed plus generated ones, with realistic titles,
authors, years, themes and keywords) in a temporary SQLite file, and in a temporary PostgreSQL
database when a server answers, then times 1,000 searches mixing filters and free text, each
in its own session as an action does. Prints a Markdown table of median and p95 per search.

    .venv/bin/python benchmarks/bibliography_search.py [--references 5000] [--searches 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.bibliography import terms  # noqa: E402
from bot.bibliography.database import (  # noqa: E402
    make_engine,
    temporary_postgres_database,
    upgrade_database,
)
from bot.bibliography.models import (  # noqa: E402
    DOC_TYPES,
    Author,
    Authorship,
    Keyword,
    Reference,
    Theme,
)
from bot.bibliography.search import search_references  # noqa: E402
from bot.bibliography.seed import load_seed_files  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get(
    "BIBLIO_BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
SUBJECTS = [
    "La pair-aidance",
    "Le travail pair",
    "Les médiateurs de santé pairs",
    "La médiation en santé",
    "La médiation sociale",
    "Le soutien par les pairs",
    "Les savoirs expérientiels",
    "Les groupes d'entraide mutuelle",
    "Le rétablissement",
    "Les patients experts",
    "Les proches aidants",
    "L'intervention sociale",
    "La réduction des risques",
    "L'accompagnement par les pairs",
    "La pairémulation",
    "Les travailleuses paires",
]
ANGLES = [
    "en santé mentale",
    "dans le travail social",
    "à l'hôpital",
    "en psychiatrie",
    "auprès des personnes sans abri",
    "dans le champ du handicap",
    "en addictologie",
    "au Québec",
    "en France",
    "dans les quartiers populaires",
    "à l'université",
    "dans les CAARUD",
    "en milieu rural",
    "chez les jeunes adultes",
]
KINDS = [
    "enjeux et pratiques",
    "une revue de la littérature",
    "retour d'expérience",
    "analyse d'un dispositif de formation",
    "professionnalisation d'un métier",
    "évaluation d'un programme",
    "entretiens avec des professionnels",
    "guide pratique",
]
QUERIES = [
    "des articles sur les médiatrices de santé",
    "pair-aidance en psychiatrie",
    "travailleurs pairs et hébergement",
    "savoirs d'expérience",
    "formation des pairs aidants",
    "groupe d'entraide mutuelle",
    "rétablissement",
    "médiation sociale dans les quartiers",
    "je cherche des livres récents sur le soutien par les pairs",
    "patients experts à l'hôpital",
    "réduction des risques et usagers de drogues",
    "proches aidants en santé mentale",
]
SYLLABLES = "ba be bo da de di fa ga go la le li lo ma me mo na no pa ra ri sa se ta vi".split()


def generate(session: Session, count: int, rng: random.Random) -> None:
    """Add references until the catalogue holds `count`; texts lemmatized in one batch."""
    themes = list(session.scalars(select(Theme.id)))
    theme_rows = {t.id: t for t in session.scalars(select(Theme))}
    keywords = [Keyword(label=f"{w} {i}") for i, w in enumerate(ANGLES * 6)]
    keywords += list(session.scalars(select(Keyword)))
    summaries = [s for s in session.scalars(select(Reference.summary)) if s] + [None] * 10
    authors = [
        Author(
            family="".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title(),
            given=rng.choice(["Anne", "Paul", "Léa", "Jean-Marc", "Inès", None]),
        )
        for _ in range(1500)
    ]
    authors = list({a.name_key: a for a in authors}.values())
    existing = session.scalar(select(Reference.id).order_by(Reference.id.desc()).limit(1)) or 0
    references = []
    for number in range(count - existing):
        reference = Reference(
            type=rng.choice(DOC_TYPES),
            title=f"{rng.choice(SUBJECTS)} {rng.choice(ANGLES)} : {rng.choice(KINDS)}",
            year=rng.choice([None] + list(range(1995, 2027))),
            venue=rng.choice(["Vie sociale", "Santé publique", "Rhizome", "ESF éditeur"]),
            summary=rng.choice(summaries),
            doi=f"10.9999/bench.{number}" if rng.random() < 0.5 else None,
        )
        for author in rng.sample(authors, rng.choice([0, 1, 1, 2, 3, 5])):
            reference.authorships.append(Authorship(author=author))
        reference.themes = [theme_rows[t] for t in rng.sample(themes, rng.randint(1, 3))]
        reference.keywords = rng.sample(keywords, rng.randint(0, 4))
        references.append(reference)
    terms.warm_up(
        [r.title for r in references]
        + [r.summary for r in references]
        + [k.label for k in keywords]
    )
    session.add_all(references)


def random_search(rng: random.Random, families: list[str]) -> dict:
    """A search as the conversation makes them: a few filters, often the visitor's words."""
    search: dict = {"limit": 3, "offset": rng.choice([0, 0, 0, 3])}
    if rng.random() < 0.3:
        search["doc_type"] = rng.choice(DOC_TYPES)
    if rng.random() < 0.3:
        search["theme"] = rng.choice(
            ["sante_mentale", "pair_aidance", "travail_pair", "psychiatrie", "gem"]
        )
    if rng.random() < 0.2:
        family = rng.choice(families).lower()
        if len(family) > 4 and rng.random() < 0.3:  # a typo: two letters swapped
            i = rng.randrange(1, len(family) - 2)
            family = family[:i] + family[i + 1] + family[i] + family[i + 2 :]
        search["author"] = family
    if rng.random() < 0.2:
        search["year"] = rng.choice([2019, "recent", (2010, 2020)])
    if rng.random() < 0.6:
        search["text"] = rng.choice(QUERIES)
    return search


def measure(url: str, references: int, searches: int) -> tuple[list[float], list[float]]:
    upgrade_database(url)
    engine = make_engine(url)
    load_seed_files(engine)
    with Session(engine) as session, session.begin():
        generate(session, references, random.Random(1))
    with Session(engine) as session:
        families = list(session.scalars(select(Author.family)))
    rng = random.Random(2)
    plan = [random_search(rng, families) for _ in range(searches)]
    for search in plan[:20]:  # spaCy, caches, connection pool: not what a visitor waits for
        with Session(engine) as session:
            search_references(session, **search)
    with_text, without_text = [], []
    for search in plan:
        with Session(engine) as session:
            started = time.perf_counter()
            search_references(session, **search)
            elapsed = (time.perf_counter() - started) * 1000
        (with_text if "text" in search else without_text).append(elapsed)
    engine.dispose()
    return with_text, without_text


def row(backend: str, label: str, times: list[float]) -> str:
    if not times:
        return f"| {backend} | {label} | 0 | – | – |"
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return f"| {backend} | {label} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=5000)
    parser.add_argument("--searches", type=int, default=1000)
    args = parser.parse_args()
    lines = ["| database | searches | count | median (ms) | p95 (ms) |", "|---|---|---:|---:|---:|"]
    with (
        tempfile.TemporaryDirectory() as folder,
        temporary_postgres_database(POSTGRES_ADMIN_URL, "biblio_bench") as postgres_url,
    ):
        backends = [("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")]
        backends += [("PostgreSQL", postgres_url)] if postgres_url else []
        for backend, url in backends:
            with_text, without_text = measure(url, args.references, args.searches)
            lines += [
                row(backend, "all", with_text + without_text),
                row(backend, "with text", with_text),
                row(backend, "filters only", without_text),
            ]
    if not postgres_url:
        lines.append(f"\nPostgreSQL skipped: no server answers at {POSTGRES_ADMIN_URL}.")
    print(f"{args.references} references, {args.searches} searches\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
