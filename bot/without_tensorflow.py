"""Serving a model that has no TensorFlow component without importing TensorFlow.

Rasa 3.6 imports TensorFlow as soon as its dialogue code is imported, whatever the model: its
policies import the tracker featurizers, which import the entity extractors' helpers, which
import Rasa's Keras callbacks (rasa/utils/train_utils.py); its recipe validator imports DIET,
TED and the ResponseSelector. Measured here: 2.5 s and about 500 MB in the Rasa process (the
pages of libtensorflow that only the importing process ever touches), for a model that never
calls it (README, « Service »).

When the model to serve uses only components known to need no TensorFlow (TENSORFLOW_FREE),
`bot.rasa_server` installs this import hook before Rasa is imported:
- `tensorflow` is reported missing, as on a machine without it (spaCy's thinc then leaves it
  alone);
- the Rasa modules that cannot be imported without it (NEURAL_MODULES: the neural components
  and the Keras helpers) are replaced by empty modules whose names are placeholders. A
  placeholder can be named, subclassed and compared, never used: calling one raises
  `TensorFlowNotLoaded`, which says why. A model with DIET or TED given to the running server
  then fails to load and the live one stays (bot/live_model.py).
tests/test_without_tensorflow.py is the canary: if a Rasa upgrade imports TensorFlow elsewhere,
it fails, and the list below needs the new module.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import sys
import tarfile
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable, Optional, Sequence

NEURAL_MODULES = frozenset({
    "rasa.utils.tensorflow.callback",
    "rasa.utils.tensorflow.data_generator",
    "rasa.nlu.classifiers.diet_classifier",
    "rasa.nlu.selectors.response_selector",
    "rasa.core.policies.ted_policy",
    "rasa.core.policies.unexpected_intent_policy",
})
# Components of a model that run without TensorFlow (checked by the canary test with our own).
TENSORFLOW_FREE_PREFIXES = ("components.",)
TENSORFLOW_FREE = frozenset({
    "rasa.core.policies.ensemble.DefaultPolicyPredictionEnsemble",
    "rasa.core.policies.memoization.MemoizationPolicy",
    "rasa.core.policies.memoization.AugmentedMemoizationPolicy",
    "rasa.core.policies.rule_policy.RulePolicy",
    "rasa.graph_components.converters.nlu_message_converter.NLUMessageConverter",
    "rasa.graph_components.providers.domain_provider.DomainProvider",
    "rasa.graph_components.providers.forms_provider.FormsProvider",
    "rasa.graph_components.providers.responses_provider.ResponsesProvider",
    "rasa.graph_components.providers.rule_only_provider.RuleOnlyDataProvider",
    "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
    "rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler",
    "rasa.nlu.tokenizers.spacy_tokenizer.SpacyTokenizer",
    "rasa.nlu.utils.spacy_utils.SpacyNLP",
})


class TensorFlowNotLoaded(RuntimeError):
    """A TensorFlow part of Rasa was used in a server started without TensorFlow."""


class _Placeholder(type):
    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        raise TensorFlowNotLoaded(
            f"{cls.__module__}.{cls.__name__} a besoin de TensorFlow, que ce serveur n'a pas chargé : "
            "le modèle qu'il sert n'en utilise pas (bot/without_tensorflow.py). Redémarrez-le pour "
            "servir un modèle qui en utilise.")

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _placeholder(f"{cls.__name__}.{name}", cls.__module__)


def _placeholder(name: str, module: str) -> type:
    return _Placeholder(name, (), {"__module__": module})


class _PlaceholderModule(ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = _placeholder(name, self.__name__)
        setattr(self, name, value)
        return value


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return _PlaceholderModule(spec.name)

    def exec_module(self, module: ModuleType) -> None:
        pass


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Optional[Sequence[str]], target: Any = None) -> Any:
        if name == "tensorflow" or name.startswith("tensorflow."):
            raise ModuleNotFoundError(f"No module named {name!r} (not loaded: bot/without_tensorflow.py)",
                                      name=name)
        if name in NEURAL_MODULES:
            return importlib.machinery.ModuleSpec(name, _Loader())
        return None


def install() -> None:
    """From now on in this process, TensorFlow is not imported (call before importing Rasa)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def components_of(model: Path) -> set[str]:
    """The classes a trained model runs at prediction (its metadata's `predict_schema`)."""
    with tarfile.open(model) as archive:
        member = next(m for m in archive.getmembers() if m.name in ("metadata.json", "./metadata.json"))
        metadata = json.load(archive.extractfile(member))
    nodes: Any = metadata["predict_schema"]["nodes"]
    return {node["uses"] for node in (nodes.values() if isinstance(nodes, dict) else nodes)}


def needs_tensorflow(components: Iterable[str]) -> bool:
    return any(not c.startswith(TENSORFLOW_FREE_PREFIXES) and c not in TENSORFLOW_FREE for c in components)
