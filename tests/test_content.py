"""What the assistant says can be traced: every link of an answer or of a reference is well formed
and listed in docs/sources/ with what it supports, every FAQ answer ends with its « Source(s) : »
paragraph in one style, and no answer runs over three short paragraphs."""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"https?://[^\s<>\"'»)]+")
SOURCES_TEXT = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "docs" / "sources").glob("*.md"))
MAX_PARAGRAPHS = 3
MAX_PARAGRAPH_CHARACTERS = 700


def _responses() -> dict[str, str]:
    texts = {}
    for path in [ROOT / "domain.yml", *sorted((ROOT / "data" / "nlu").glob("*.yml"))]:
        for name, variants in (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).items():
            texts[name] = variants[0]["text"]
    return texts


def _reference_links() -> list[tuple[str, str]]:
    records = yaml.safe_load((ROOT / "data" / "bibliography" / "references.yml").read_text(encoding="utf-8"))
    return [(record["key"], record[field]) for record in records for field in ("url", "source_page")
            if str(record.get(field) or "").startswith("http")]


RESPONSES = _responses()
FAQ_ANSWERS = {name: text for name, text in RESPONSES.items() if name.startswith("utter_faq/")}
ANSWER_LINKS = sorted({(name, url.rstrip(".,;:")) for name, text in RESPONSES.items() for url in URL.findall(text)})
LINKS = ANSWER_LINKS + _reference_links()


def test_the_answers_and_references_have_links_to_check():
    assert len(FAQ_ANSWERS) == 18 and len(ANSWER_LINKS) > 30 and len(LINKS) > 90


@pytest.mark.parametrize(("owner", "url"), LINKS)
def test_every_link_is_well_formed(owner, url):
    parts = urlsplit(url)
    assert parts.scheme in {"http", "https"} and "." in parts.netloc.strip("."), (owner, url)
    assert not re.search(r"\s|[.,;:]$", url), (owner, url)


@pytest.mark.parametrize(("owner", "url"), LINKS)
def test_every_link_is_listed_in_docs_sources(owner, url):
    assert url in SOURCES_TEXT, f"{owner} : ajoutez {url} dans docs/sources/ avec la phrase qu'il appuie"


@pytest.mark.parametrize("name", sorted(FAQ_ANSWERS))
def test_every_faq_answer_ends_with_its_sources_in_one_style(name):
    *_, last = FAQ_ANSWERS[name].split("\n\n")
    label, _, items = last.partition(" : ")
    documents = items.split(" ; ")
    assert label == ("Source" if len(documents) == 1 else "Sources"), last
    assert all(" — http" in document or not URL.search(document) for document in documents), last


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_no_answer_runs_over_three_short_paragraphs(name):
    paragraphs = RESPONSES[name].split("\n\n")
    if name in FAQ_ANSWERS:
        paragraphs = paragraphs[:-1]  # the sources
    assert len(paragraphs) <= MAX_PARAGRAPHS, name
    assert max(len(paragraph) for paragraph in paragraphs) <= MAX_PARAGRAPH_CHARACTERS, name
