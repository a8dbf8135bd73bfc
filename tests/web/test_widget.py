"""The website chat widget in headless Chromium, against the real servers (`make run`'s).

What a visitor would notice: the page and its widget load without anything from the
Internet; a question typed with the keyboard alone gets the right answer and its source link;
quick replies work; a reload keeps the conversation; HTML in a message is only text; axe-core
finds no serious accessibility violation; a lost server is said and retried.
"""
from __future__ import annotations

import gzip
import json
import re
import uuid
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration

QUESTION = "C'est quoi la pair-aidance ?"
QUESTION_FAMILY = "definition_pair_aidance"
URL = re.compile(r"https?://[^\s<>\"]+")


def faq_answer(family: str) -> tuple[list[str], list[str]]:
    """The answer written in data/nlu for a FAQ family: its paragraphs (Rasa's socket.io channel
    sends one message per paragraph) and the web addresses it cites."""
    path = PROJECT_ROOT / "data" / "nlu" / f"faq_{family}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = data["responses"][f"utter_faq/{family}"][0]["text"]
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    links = [url.rstrip(".,;:!?»)") for url in URL.findall(text)]
    return paragraphs, links


@pytest.fixture(scope="module")
def expected_answer() -> dict:
    paragraphs, links = faq_answer(QUESTION_FAMILY)
    assert links, f"la réponse « {QUESTION_FAMILY} » ne cite aucune source en ligne"
    return {"question": QUESTION, "paragraphs": paragraphs, "links": links}


def test_demo_page_loads_the_widget_quickly(demo_page, run_scenario, widget_bundle, results_dir):
    timing = run_scenario("page_loads", url=demo_page)
    metrics = {
        "widget_bytes": widget_bundle.stat().st_size,
        "widget_bytes_gzipped": len(gzip.compress(widget_bundle.read_bytes(), compresslevel=9)),
        "page_load_to_widget_ready_ms": round(timing["widgetReady"]),
        "open_to_connected_ms": round(timing["openToConnectedMs"]),
        "dom_content_loaded_ms": round(timing["domContentLoaded"]),
    }
    (results_dir / "widget-metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    assert metrics["widget_bytes_gzipped"] < 40_000
    assert metrics["page_load_to_widget_ready_ms"] < 3_000


def test_keyboard_question_gets_the_answer_and_its_source_link(
    demo_page, run_scenario, expected_answer
):
    run_scenario("keyboard_question", url=demo_page, **expected_answer)


def test_quick_reply_button_sends_its_payload(demo_page, run_scenario, say):
    sender = f"widget-{uuid.uuid4().hex}"
    greeting = "bonjour"
    buttons = [b for message in say(sender, greeting) for b in message.get("buttons", [])]
    assert buttons, "la salutation ne propose aucune réponse suggérée"
    answer = [m["text"] for m in say(sender, buttons[0]["payload"]) if m.get("text")]
    run_scenario(
        "quick_reply", url=demo_page, greeting=greeting, title=buttons[0]["title"],
        answer=answer[0].strip().split("\n\n")[0],
    )


def test_reload_keeps_the_conversation(demo_page, run_scenario, expected_answer):
    run_scenario(
        "reload_keeps_conversation", url=demo_page, question=QUESTION,
        paragraphs=expected_answer["paragraphs"], followUp="merci",
    )


def test_html_in_messages_is_shown_as_text_and_never_run(demo_page, run_scenario):
    run_scenario("html_is_text", url=demo_page, typed="<img src=x onerror=alert(1)>")


def test_no_serious_accessibility_violation_with_the_widget_open(
    demo_page, run_scenario, expected_answer, results_dir
):
    screenshots = {
        "desktop": str(results_dir / "widget-open.png"),
        "phone": str(results_dir / "widget-open-phone.png"),
    }
    run_scenario(
        "accessibility", url=demo_page, question=QUESTION,
        paragraphs=expected_answer["paragraphs"], screenshots=screenshots,
    )
    assert all(Path(path).stat().st_size > 0 for path in screenshots.values())


def test_unreachable_server_is_said_and_the_message_sent_when_it_is_back(
    demo_page, run_scenario, expected_answer
):
    run_scenario(
        "server_unreachable", url=demo_page, question=QUESTION,
        paragraphs=expected_answer["paragraphs"],
    )
