"""Rasa's own conversation tests (tests/conversations/), against the running action server."""
import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT, service_environment

pytestmark = pytest.mark.integration


def test_every_conversation_story_passes(trained_model, servers, tmp_path):
    command = [
        sys.executable, "-m", "rasa", "test", "core",
        "--model", str(trained_model),
        "--stories", "tests/conversations",
        "--endpoints", "endpoints.yml",
        "--out", str(tmp_path),
        "--fail-on-prediction-errors",
    ]
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=service_environment(servers),
        capture_output=True, text=True,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, details
