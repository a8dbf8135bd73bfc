"""The demo page: a library web page with the chat widget, served on its own port.

It is another origin than the Rasa server's, as on a real library site, so that the widget is
tried with the same cross-origin connection (and CORS settings) as in production. Standard
library only: it serves three files and needs nothing more.
"""
from __future__ import annotations

import json
import logging
import threading
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from bot.settings import Settings, load_settings

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
DEMO_DIR = WEB_DIR / "demo"
WIDGET_BUNDLE = WEB_DIR / "dist" / "assistant.js"
RASA_URL_PLACEHOLDER = '"__RASA_URL__"'
RETENTION_PLACEHOLDER = "__RETENTION_DAYS__"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}


def demo_url(settings: Settings) -> str:
    return f"http://{settings.rasa_host}:{settings.web_port}/"


def demo_page(rasa_url: str) -> bytes:
    """The demo page, its configuration object pointing at this Rasa server."""
    html = (DEMO_DIR / "index.html").read_text(encoding="utf-8")
    return html.replace(RASA_URL_PLACEHOLDER, json.dumps(rasa_url)).encode("utf-8")


def privacy_page(retention_days: int) -> bytes:
    """The privacy notice the widget links to, with the retention period actually enforced."""
    html = (DEMO_DIR / "confidentialite.html").read_text(encoding="utf-8")
    return html.replace(RETENTION_PLACEHOLDER, str(retention_days)).encode("utf-8")


def make_handler(rasa_url: str) -> type[BaseHTTPRequestHandler]:
    routes = {
        "/": lambda: demo_page(rasa_url),
        "/index.html": lambda: demo_page(rasa_url),
        "/confidentialite.html": lambda: privacy_page(load_settings().retention_days),
        "/demo.css": lambda: (DEMO_DIR / "demo.css").read_bytes(),
        "/assistant.js": WIDGET_BUNDLE.read_bytes,
    }

    class DemoPageHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path not in routes:
                self.send_error(HTTPStatus.NOT_FOUND, "Page introuvable")
                return
            body = routes[path]()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", CONTENT_TYPES[Path(path).suffix or ".html"])
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            logger.debug("%s %s", self.address_string(), format % args)

    return DemoPageHandler


@contextmanager
def running_demo_page(settings: Settings) -> Iterator[str]:
    """The demo page, served from a background thread for the time of the block; yields its URL."""
    if not WIDGET_BUNDLE.exists():
        raise RuntimeError(
            "Le widget n'est pas construit : lancez « make web » (npm ci, puis npm run build)."
        )
    try:
        address = (settings.rasa_host, settings.web_port)
        server = ThreadingHTTPServer(address, make_handler(settings.rasa_url))
    except OSError as error:
        raise RuntimeError(
            f"La page de démonstration ne peut pas utiliser le port {settings.web_port} "
            f"({error.strerror}) : choisissez-en un autre avec la variable WEB_PORT."
        ) from error
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="demo-page", daemon=True)
    thread.start()
    try:
        yield demo_url(settings)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
