"""Safety before everything: the crisis lines do not depend on the action server."""
import pytest

from bot.launcher import running_servers

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def assistant_without_actions(trained_model, seeded_database_url, tmp_path_factory):
    from bot.launcher import free_port
    from tests.conftest import isolated_settings

    settings = isolated_settings(tmp_path_factory, seeded_database_url, "tracker-sans-actions")
    dead_actions = f"http://127.0.0.1:{free_port()}/webhook"  # nothing listens there
    with running_servers(trained_model, settings, {"ACTION_ENDPOINT_URL": dead_actions}) as running:
        yield running


def test_distress_gets_the_crisis_lines_when_the_action_server_is_down(assistant_without_actions):
    from tests.conftest import post_json

    url = f"{assistant_without_actions.rasa_url}/webhooks/rest/webhook"
    replies = post_json(url, {"sender": "sans-actions", "message": "jveu plus vivre, j'ai envi d'en finir"})
    assert any("3114" in r.get("text", "") for r in replies), replies
