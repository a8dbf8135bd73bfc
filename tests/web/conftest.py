"""The demo page and the widget bundle for the browser tests, and a way to run a scenario.

The browser scenarios are Node scripts (tests/web/scenarios.mjs) driving Debian's Chromium
through playwright-core; each test here runs one and reports its assertion message.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Iterator

import pytest

from bot.settings import PROJECT_ROOT, RESULTS_DIR
from bot.launcher import free_port

SCENARIOS = Path(__file__).with_name("scenarios.mjs")
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCENARIO_TIMEOUT_SECONDS = 240

# The Rasa server lets browsers in only from the demo page's origin (CORS, derived from
# WEB_PORT in bot.settings), and the session-wide `servers` fixture reads the settings when it
# starts. Choosing the demo page's port now, before any fixture runs, makes both agree, and
# keeps these tests off the port of a `make run` that may be running beside them.
os.environ["WEB_PORT"] = str(free_port())
os.environ.pop("CORS_ORIGINS", None)


@pytest.fixture(scope="session")
def widget_bundle() -> Path:
    """The widget built from its sources, as `make web` builds it."""
    installed = (PROJECT_ROOT / "node_modules" / "playwright-core").exists()
    if shutil.which("npm") is None or not installed:
        pytest.fail("Les dépendances du widget manquent : lancez « make web » (Node.js 20, npm).")
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium est introuvable ({CHROMIUM}) : lancez « make web », qui l'installe.")
    subprocess.run(["npm", "run", "--silent", "build"], cwd=PROJECT_ROOT, check=True)
    from bot.web.server import WIDGET_BUNDLE

    return WIDGET_BUNDLE


@pytest.fixture(scope="session")
def demo_page(servers, widget_bundle) -> Iterator[str]:
    from bot.web.server import running_demo_page

    with running_demo_page(servers) as url:
        yield url


@pytest.fixture(scope="session")
def results_dir() -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR


@pytest.fixture(scope="session")
def run_scenario() -> Callable[..., dict]:
    """Run one browser scenario; fail the test with its message if it fails."""

    def run(name: str, **params) -> dict:
        completed = subprocess.run(
            ["node", str(SCENARIOS), name],
            check=False,
            cwd=PROJECT_ROOT,
            env={
                **os.environ,
                "SCENARIO_PARAMS": json.dumps(params),
                "CHROMIUM_PATH": str(CHROMIUM),
            },
            capture_output=True,
            text=True,
            timeout=SCENARIO_TIMEOUT_SECONDS,
        )
        if completed.returncode != 0:
            message = f"Scénario « {name} » en échec :\n{completed.stderr.strip()}"
            pytest.fail(message, pytrace=False)
        return json.loads(completed.stdout.strip().splitlines()[-1])

    return run
