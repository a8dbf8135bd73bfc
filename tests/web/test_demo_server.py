"""The demo page server: the page points the widget at this Rasa server, and nothing else is
served, nor loaded from elsewhere."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import replace

import pytest

from bot.settings import load_settings
from bot.launcher import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(widget_bundle):
    from bot.web.server import running_demo_page

    settings = replace(load_settings(), rasa_port=free_port(), web_port=free_port())
    with running_demo_page(settings) as url:
        yield settings, url


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], ""


def test_the_page_embeds_the_widget_pointing_at_the_rasa_server(demo):
    settings, url = demo
    status, content_type, html = fetch(url)
    assert status == 200 and content_type.startswith("text/html")
    assert f"serverUrl: {json.dumps(settings.rasa_url)}" in html
    assert '<script src="/assistant.js" defer></script>' in html
    assert '<html lang="fr">' in html


def test_nothing_is_loaded_from_another_site(demo):
    _, url = demo
    _, _, html = fetch(url)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    status, content_type, script = fetch(url + "assistant.js")
    assert status == 200 and content_type.startswith("text/javascript")
    assert not re.search(r"https?://(cdn|unpkg|jsdelivr)", script)


def test_unknown_paths_are_not_found(demo):
    _, url = demo
    assert fetch(url + "../bot/settings.py")[0] == 404
    assert fetch(url + "server.py")[0] == 404
