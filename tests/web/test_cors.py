"""Browsers may use the socket.io channel only from the configured origins (the demo page's by
default): Rasa's CORS headers allow those and no other."""
from __future__ import annotations

import urllib.request

import pytest

pytestmark = pytest.mark.integration


def polling_handshake(rasa_url: str, origin: str) -> tuple[str, str]:
    """An HTTP request of the socket.io channel from a page of `origin`; its body and its CORS
    header. (With several Rasa workers, engine.io's own long-polling is refused: the widget
    speaks WebSocket, which browsers do not submit to CORS, see bot/channels/socketio.py.)"""
    request = urllib.request.Request(f"{rasa_url}/webhooks/socketio/", headers={"Origin": origin})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode(), response.headers.get("Access-Control-Allow-Origin", "")


def test_the_demo_page_origin_is_allowed_by_default(servers):
    demo_origin = f"http://127.0.0.1:{servers.web_port}"
    assert demo_origin in servers.cors_origins
    body, allowed = polling_handshake(servers.rasa_url, demo_origin)
    assert '"status":"ok"' in body.replace(" ", "")
    assert allowed == demo_origin


def test_another_origin_gets_no_cors_permission(servers):
    _, allowed = polling_handshake(servers.rasa_url, "http://site-tiers.example")
    assert allowed == ""
