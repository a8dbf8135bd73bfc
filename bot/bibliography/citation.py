"""French citations of references, as a librarian writes them in an answer.

"Bonnami, A. (2019). Titre. Vie sociale, 25-26, 225-242. https://doi.org/…": authors as
"Nom, I.", joined with ", " and " et ", "et al." beyond three; "(s. d.)" when the year is
unknown; "[sous la direction de]" before editors. Plain text only: the same string goes to the
web widget, the terminal and any channel.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.bibliography.models import Author, Reference

MAX_AUTHORS = 3
EDITOR_ROLES = ("dir.", "dir", "ed.", "éd.", "editor")


def format_citation(reference: Reference) -> str:
    """One line: authors (year). Title. Where it was published. Link."""
    title = _title(reference)
    year = f"({reference.year})" if reference.year else "(s. d.)"
    authors = _authors(reference)
    parts = [f"{authors} {year}.", f"{title}."] if authors else [f"{title}.", f"{year}."]
    published = _published_in(reference)
    if published:
        parts.append(f"{published}.")
    link = _link(reference)
    if link:
        parts.append(link)
    return re.sub(r"([.?!…])\.", r"\1", " ".join(parts))


def format_details(reference: Reference) -> str:
    """The citation, then its summary, where to find it and a link, for "les détails du 2 ?"."""
    lines = [format_citation(reference)]
    if reference.summary:
        lines.append(f"Résumé : {reference.summary}")
    if reference.availability:
        lines.append(f"Où le trouver : {reference.availability}")
    link = reference.url or _link(reference)
    if link:
        lines.append(f"Lien : {link}")
    return "\n".join(lines)


def initials(given: Optional[str]) -> str:
    """ "Jean-Luc" → "J.-L.", "Srividya N." → "S. N.", "Ève" → "È."."""
    if not given:
        return ""
    words = []
    for word in given.split():
        pieces = [piece for piece in word.split("-") if piece]
        words.append("-".join(f"{piece.rstrip('.')[0]}." for piece in pieces))
    return " ".join(words)


def _name(author: Author) -> str:
    return f"{author.family}, {initials(author.given)}" if author.given else author.family


def _authors(reference: Reference) -> str:
    authorships = list(reference.authorships)
    if not authorships:
        return ""
    names = [_name(a.author) for a in authorships[:MAX_AUTHORS]]
    if len(authorships) > MAX_AUTHORS:
        text = f"{', '.join(names)} et al."
    elif len(names) > 1:
        text = f"{', '.join(names[:-1])} et {names[-1]}"
    else:
        text = names[0]
    if all((a.role or "").strip().lower() in EDITOR_ROLES for a in authorships):
        text = f"[sous la direction de] {text}"
    return text


def _title(reference: Reference) -> str:
    return f"{reference.title} : {reference.subtitle}" if reference.subtitle else reference.title


def _published_in(reference: Reference) -> str:
    """Journal, volume(issue), pages for an article; "Dans …" for a chapter; else the publisher."""
    venue = reference.venue or ""
    if reference.type == "article":
        number = reference.volume or ""
        if reference.issue:
            number = f"{number}({reference.issue})" if number else reference.issue
        return ", ".join(part for part in (venue, number, reference.pages) if part)
    if reference.type == "chapitre":
        pages = f" (p. {reference.pages})" if reference.pages else ""
        return f"Dans {venue}{pages}" if venue else pages.strip()
    pages = reference.pages if reference.pages and reference.pages.endswith("p.") else None
    return ", ".join(part for part in (venue, pages) if part)


def _link(reference: Reference) -> Optional[str]:
    return f"https://doi.org/{reference.doi}" if reference.doi else reference.url
