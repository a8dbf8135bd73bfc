"""`rasa run` with the action server's answers checked by a JSON Schema validator built once.

Rasa 3.6 checks each answer of the action server with `jsonschema.validate`, which first checks
the schema itself against JSON Schema's meta-schema, on every call: removing that took reading
turns from 6.6 to 10.9 messages/s at 10 conversations (benchmarks/serving.py --profile, README
« Mesures »). The same schema, checked once and compiled once, checks the same answers and
raises the same error.

    python -m bot.rasa_server run --model … (the arguments of `rasa`)
"""
from __future__ import annotations

import functools
from typing import Any, Dict

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(_action: RemoteAction, result: Dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, without checking the schema on every call."""
    error: ValidationError | None = best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def main() -> None:
    from rasa.__main__ import main as rasa_main

    RemoteAction._validate_action_result = validate_action_result
    rasa_main()


if __name__ == "__main__":
    main()
