"""A pipeline component that makes the distress rule win over every classifier.

It runs after the FallbackClassifier, so that a distress message the model misread or was
unsure about (`nlu_fallback`) is still routed to the crisis answer.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.safety import DISTRESS_INTENT, is_distress


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class DistressOverride(GraphComponent):
    """Sets the `detresse` intent with full confidence when the word rule matches."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DistressOverride":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and is_distress(text):
                self._override(message)
        return messages

    @staticmethod
    def _override(message: Message) -> None:
        winner = {"name": DISTRESS_INTENT, "confidence": 1.0}
        others = [
            ranked
            for ranked in message.get(INTENT_RANKING_KEY) or []
            if ranked.get("name") != DISTRESS_INTENT
        ]
        message.set(INTENT, winner, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [winner, *others], add_to_output=True)
