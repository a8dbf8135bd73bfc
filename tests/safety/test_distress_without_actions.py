"""Safety before everything: the crisis lines do not depend on the action server."""
from dataclasses import replace

import pytest

from bot.launcher import running_servers
from bot.settings import load_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def assistant_without_actions(trained_model, seeded_database_url, tmp_path_factory):
    from tests.conftest import free_port

    tracker = tmp_path_factory.mktemp("tracker-sans-actions") / "conversations.sqlite3"
    settings = replace(
        load_settings(), rasa_port=free_port(), action_port=free_port(),
        database_url=seeded_database_url,
        tracker_store_url=f"sqlite:///{tracker}", tracker_store_db=str(tracker),
    )
    dead_actions = f"http://127.0.0.1:{free_port()}/webhook"  # nothing listens there
    with running_servers(trained_model, settings, {"ACTION_ENDPOINT_URL": dead_actions}) as running:
        yield running


def test_distress_gets_the_crisis_lines_when_the_action_server_is_down(assistant_without_actions):
    from tests.conftest import post_json

    url = f"{assistant_without_actions.rasa_url}/webhooks/rest/webhook"
    replies = post_json(url, {"sender": "sans-actions", "message": "jveu plus vivre, j'ai envi d'en finir"})
    assert any("3114" in r.get("text", "") for r in replies), replies
