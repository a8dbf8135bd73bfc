"""`rasa run` with two changes that make a turn cheaper and the workers lighter.

1. The action server's answers are checked by a JSON Schema validator built once. Rasa 3.6
   checks each answer with `jsonschema.validate`, which first checks the schema itself against
   JSON Schema's meta-schema, on every call: removing that took reading turns from 6.6 to 10.9
   messages/s at 10 conversations (benchmarks/serving.py --profile, README « Service »). The same
   schema, checked once and compiled once, checks the same answers and raises the same error.
2. spaCy's French model is loaded once, before Sanic forks its workers, without the parser and
   the named-entity recogniser, which no component of ours reads (Rasa only disables the parser,
   and still loads it). The workers then share its memory instead of loading a copy each (the
   pages of a forked process stay shared until written), and start seconds sooner.
3. Each worker follows the model named in LIVE_MODEL_FILE (bot/live_model.py), so that a new
   model reaches every worker, not only the one a `PUT /model` request lands on.
4. TensorFlow is not imported when the model has no TensorFlow component
   (bot/without_tensorflow.py): 2.5 s and about 500 MB less.

    python -m bot.rasa_server run --model … (the arguments of `rasa`)
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence

import yaml
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

from bot import live_model, without_tensorflow
from bot.settings import PROJECT_ROOT, load_settings

UNUSED_SPACY_PIPES = ("parser", "ner")


# Rasa is imported inside the functions: in `main`, only once the TensorFlow hook is in place.


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(_action: Any, result: Dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, without checking the schema on every call."""
    from rasa.shared.constants import DOCS_BASE_URL

    error: ValidationError | None = best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


@functools.lru_cache(maxsize=4)
def load_spacy_model(name: str) -> Any:
    """SpacyNLP.load_model, without the pipes we never read, and once per name and process."""
    import spacy
    from rasa.nlu.utils.spacy_utils import SpacyModel

    return SpacyModel(model=spacy.load(name, exclude=list(UNUSED_SPACY_PIPES)), model_name=name)


def configured_spacy_model(config: Any = PROJECT_ROOT / "config.yml") -> Optional[str]:
    """The spaCy model that config.yml's SpacyNLP names, if any."""
    pipeline = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("pipeline") or []
    return next((c.get("model") for c in pipeline if c.get("name") == "SpacyNLP"), None)


def following_the_live_model(load_agent_on_start: Callable) -> Callable:
    """Rasa's start-up listener of each worker, then the watch of the live model's file."""

    async def load_and_follow(model_path: str, endpoints: Any, remote_storage: Any, app: Any, loop: Any) -> Any:
        from rasa.core.agent import load_agent

        agent = await load_agent_on_start(model_path, endpoints, remote_storage, app, loop)
        pointer = load_settings().live_model_file
        live_model.acknowledge(pointer, agent.model_name or "")

        async def load(model: Path) -> Any:
            return await load_agent(model_path=str(model), remote_storage=remote_storage, endpoints=endpoints)

        app.add_task(live_model.follow(app, load, pointer))
        return agent

    return load_and_follow


def model_argument(argv: Sequence[str]) -> Optional[Path]:
    """The model named by `--model` (or `-m`) on Rasa's command line."""
    for flag in ("--model", "-m"):
        if flag in argv[:-1]:
            return Path(argv[argv.index(flag) + 1])
    return None


def main() -> None:
    model = model_argument(sys.argv)
    if model is not None and model.is_file() and not without_tensorflow.needs_tensorflow(
            without_tensorflow.components_of(model)):
        without_tensorflow.install()

    import rasa.core.run
    from rasa.__main__ import main as rasa_main
    from rasa.core.actions.action import RemoteAction
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    RemoteAction._validate_action_result = validate_action_result
    SpacyNLP.load_model = staticmethod(load_spacy_model)
    rasa.core.run.load_agent_on_start = following_the_live_model(rasa.core.run.load_agent_on_start)
    name = configured_spacy_model()
    if name:
        load_spacy_model(name)  # in the parent process: shared by every forked worker
    rasa_main()


if __name__ == "__main__":
    main()
