"""A dialogue policy that answers distress with the crisis lines, whatever the conversation's state.

Rules need a well-formed conversation (a session started, the bot listening); when the action
server is down, the session start is lost and no rule applies. This policy only looks at the
last message: if its intent is `detresse` (set by the classifier or by bot/safety.py's word
rule) and the bot has not answered it yet, the crisis answer wins over every other policy.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.safety import DISTRESS_INTENT

CRISIS_ANSWER = "utter_detresse"
# Above RulePolicy (4), so that a tie at full confidence goes to the crisis answer.
DISTRESS_POLICY_PRIORITY = 5


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=False
)
class DistressPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"priority": DISTRESS_POLICY_PRIORITY}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "DistressPolicy":
        return cls(config, model_storage, resource, execution_context)

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "DistressPolicy":
        return cls(config, model_storage, resource, execution_context)

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        next_action = self._next_action(tracker)
        if next_action is not None:
            probabilities[domain.index_for_action(next_action)] = 1.0
        return self._prediction(probabilities)

    @staticmethod
    def _next_action(tracker: DialogueStateTracker) -> Optional[str]:
        """The crisis answer right after a distress message, then listening."""
        actions_since_message: List[str] = []
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                if event.intent_name != DISTRESS_INTENT:
                    return None
                break
            if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
                actions_since_message.append(event.action_name)
        else:
            return None
        if not actions_since_message:
            return CRISIS_ANSWER
        if actions_since_message[0] == CRISIS_ANSWER:
            return ACTION_LISTEN_NAME
        return None
