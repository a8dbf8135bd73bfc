"""The widget's privacy notice links to a French privacy page, which `make run` serves."""
from __future__ import annotations

import urllib.request
from dataclasses import replace

import pytest

from bot.settings import load_settings
from bot.web.server import WIDGET_BUNDLE, running_demo_page
from bot.launcher import free_port

pytestmark = pytest.mark.integration


def test_the_demo_server_serves_the_privacy_page_with_the_configured_retention(monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "30")
    settings = replace(load_settings(), rasa_port=free_port(), web_port=free_port())
    with running_demo_page(settings) as url:
        with urllib.request.urlopen(url + "confidentialite.html", timeout=10) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/html")
            page = response.read().decode()
    assert '<html lang="fr">' in page
    assert "<strong>30 jours</strong>" in page and "__RETENTION_DAYS__" not in page
    assert "adresse IP" in page and "effacement" in page


def test_the_widget_shows_the_notice_and_links_to_the_page():
    bundle = WIDGET_BUNDLE.read_text(encoding="utf-8")
    assert "/confidentialite.html" in bundle and "privacyNotice" in bundle
