"""bot/without_tensorflow.py: a model without TensorFlow components is served without importing
TensorFlow, and anything of Rasa's that needs it says so instead of half-working.

The canary of a Rasa upgrade: if Rasa imports TensorFlow from one more module, the first test
fails; if Rasa stops importing it on its own, the second does, and the hook can go."""
import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT, service_environment
from bot.without_tensorflow import components_of, needs_tensorflow

SERVING_IMPORTS = """
import sys, asyncio
from bot import without_tensorflow
if {hook}:
    without_tensorflow.install()
import rasa.server, rasa.core.run, rasa.core.agent
import bot.channels.rest, bot.channels.socketio, bot.channels.telegram
import bot.incremental_tracker_store, bot.lock_store, bot.privacy.tracker_store
"""


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=service_environment(),
                          capture_output=True, text=True, timeout=600)


@pytest.mark.integration
def test_our_model_is_served_without_importing_tensorflow(trained_model):
    code = SERVING_IMPORTS.format(hook=True) + f"""
agent = rasa.core.agent.Agent.load({str(trained_model)!r})
parse = asyncio.run(agent.parse_message("des bouquins sur la pair-aidance"))
assert parse["intent"]["name"] == "recommend_readings", parse["intent"]
assert "tensorflow" not in sys.modules, "Rasa imports TensorFlow from a new module"
print("ok")
"""
    result = run_python(code)
    assert result.stdout.strip().endswith("ok"), result.stderr[-3000:]


def test_rasa_alone_imports_tensorflow_for_any_model():
    code = SERVING_IMPORTS.format(hook=False) + "print('tensorflow' in sys.modules)"
    assert run_python(code).stdout.strip().endswith("True")


def test_a_tensorflow_part_of_rasa_used_without_tensorflow_says_so():
    code = """
from bot import without_tensorflow
without_tensorflow.install()
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
try:
    DIETClassifier()
except without_tensorflow.TensorFlowNotLoaded as error:
    print("refusé :", error)
"""
    assert "a besoin de TensorFlow" in run_python(code).stdout


@pytest.mark.integration
def test_the_model_of_config_yml_needs_no_tensorflow_and_diet_does(trained_model):
    assert not needs_tensorflow(components_of(trained_model))
    assert needs_tensorflow({"rasa.nlu.classifiers.diet_classifier.DIETClassifier"})
    assert needs_tensorflow({"rasa.core.policies.ted_policy.TEDPolicy"})
