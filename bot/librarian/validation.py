"""`python -m bot valider`: Rasa's data validation, then the project's own rules, in French.

Rasa checks that the domain, the examples, the rules and the stories agree. The project adds what
a librarian most often gets wrong: an FAQ answer without its source, an intent with too few
examples, the same sentence under two intents, an entity value the code does not know, and a
malformed link or DOI in the reading list. Every problem names a file and a line and says how to
fix it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import warnings
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import urlsplit

import yaml

from bot.bibliography.models import DOC_TYPES, LANGUAGES, normalize_doi
from bot.bibliography.records import RecordError, parse_reference
from bot.bibliography.terms import fold
from bot.librarian.problems import Problem
from bot.librarian.training_data import NluData, compose_yaml, normalize_example, read_nlu
from bot.settings import PROJECT_ROOT

MIN_EXAMPLES = 10
FAQ_PREFIX = "faq/"
# A source line ends every FAQ answer: "Source(s) : titre, éditeur — https://…".
_SOURCE = re.compile(r"Sources?\s*:.*https?://\S+", re.S)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
# Entity values the code relies on (docs/contract.md); `theme` comes from themes.yml.
_RANKS = ("1", "2", "3", "dernier")
_FREE_ENTITIES = ("author",)

# Rasa warnings that are part of the design (see tests/test_data_validation.py for why).
_EXPLAINED = (
    "duplicated intents have been found across multiple domain files: faq",
    "The utterance 'utter_transparency' is not used",
    "The utterance 'utter_default' is not used",
    "Slot auto-fill has been removed",
    # The project's own check finds these too, with file and line, accents and case ignored.
    "was found labeled with multiple different intents",
)


def validate_project(
    root: Path = PROJECT_ROOT, with_rasa: bool = True, progress=None
) -> list[Problem]:
    """Every problem found, Rasa's first, then the training data's, then the bibliography's."""
    steps = (
        [("Validation de Rasa (domaine, exemples, règles, histoires)", lambda: rasa_problems(root))]
        if with_rasa
        else []
    )
    steps += [
        ("Exemples et réponses (data/nlu)", lambda: training_data_problems(root)),
        ("Bibliographie (data/bibliography)", lambda: bibliography_problems(root)),
    ]
    problems: list[Problem] = []
    for label, check in steps:
        with progress.step(label) if progress else contextlib.nullcontext():
            problems += check()
    return problems


# --- training data -------------------------------------------------------------------------


def training_data_problems(root: Path = PROJECT_ROOT) -> list[Problem]:
    data = read_nlu(root / "data" / "nlu")
    return (
        data.problems
        + faq_answer_problems(data)
        + example_count_problems(data)
        + duplicate_example_problems(data)
        + entity_value_problems(data, root)
    )


def faq_answer_problems(data: NluData) -> list[Problem]:
    problems = []
    answered = {response.name for response in data.responses}
    for response in data.responses:
        if response.name.startswith(f"utter_{FAQ_PREFIX}") and not any(
            _SOURCE.search(t) for t in response.texts
        ):
            problems.append(
                Problem(
                    response.file,
                    response.line,
                    f"la réponse « {response.name} » ne cite pas sa source",
                    "terminez la réponse par un paragraphe « Source : titre, auteur ou institution, date — "
                    "https://… » (« Sources : » et « ; » entre plusieurs ; la page d'où vient "
                    "l'information, notée dans docs/sources/).",
                    "sans_source",
                )
            )
    for block in data.blocks:
        if block.intent.startswith(FAQ_PREFIX) and f"utter_{block.intent}" not in answered:
            problems.append(
                Problem(
                    block.file,
                    block.line,
                    f"la question fréquente « {block.intent} » n'a pas de réponse",
                    f"ajoutez sous « responses: » une réponse « utter_{block.intent}: » avec sa source "
                    "(copiez la partie responses d'un autre fichier faq_*.yml).",
                    "sans_reponse",
                )
            )
    return problems


def example_count_problems(data: NluData, minimum: int = MIN_EXAMPLES) -> list[Problem]:
    problems = []
    for intent, examples in data.examples_by_intent().items():
        if len(examples) < minimum:
            block = next(b for b in data.blocks if b.intent == intent)
            problems.append(
                Problem(
                    block.file,
                    block.line,
                    f"l'intention « {intent} » n'a que {len(examples)} exemple(s)",
                    f"ajoutez-en au moins {minimum - len(examples)} : d'autres façons de poser la même "
                    "question, avec les mots des visiteurs (fautes et abréviations comprises).",
                    "peu_exemples",
                )
            )
    return problems


def duplicate_example_problems(data: NluData) -> list[Problem]:
    first_seen: dict[str, tuple[str, object]] = {}
    problems = []
    for block in data.blocks:
        for example in block.examples:
            key = normalize_example(example.text)
            if key not in first_seen:
                first_seen[key] = (block.intent, example)
                continue
            intent, other = first_seen[key]
            if intent != block.intent:
                problems.append(
                    Problem(
                        example.file,
                        example.line,
                        f"« {example.plain} » est aussi un exemple de « {intent} » "
                        f"({Problem(other.file, other.line, '').where()})",
                        "gardez la phrase sous une seule intention, celle de la réponse attendue, et "
                        "supprimez l'autre ligne.",
                        "doublon",
                    )
                )
    return problems


def entity_vocabularies(root: Path = PROJECT_ROOT) -> dict[str, Optional[set[str]]]:
    """The values each entity may take; None for free text (an author's name)."""
    themes_node = compose_yaml(root / "data" / "bibliography" / "themes.yml", [])
    themes = {
        str(value.value)
        for item in getattr(themes_node, "value", [])
        for key, value in getattr(item, "value", [])
        if key.value == "id"
    }
    return {
        "doc_type": set(DOC_TYPES),
        "theme": themes,
        "rank": set(_RANKS),
        "language": set(LANGUAGES),
        "year": None,
        "reference_id": None,
        **{name: None for name in _FREE_ENTITIES},
    }


def _valid_value(name: str, value: str, vocabulary: Optional[set[str]]) -> bool:
    if name == "year":
        return bool(re.fullmatch(r"(1[5-9]|20)\d\d|recent", value))
    if name == "reference_id":
        return value.isdigit()
    return vocabulary is None or value in vocabulary


def entity_value_problems(data: NluData, root: Path = PROJECT_ROOT) -> list[Problem]:
    vocabularies = entity_vocabularies(root)
    problems = []
    for block in data.blocks:
        for example in block.examples:
            for entity in example.entities:
                if entity.name not in vocabularies:
                    problems.append(
                        Problem(
                            example.file,
                            example.line,
                            f"entité inconnue « {entity.name} » dans « {example.plain} »",
                            "entités possibles : "
                            + ", ".join(sorted(vocabularies))
                            + " (docs/contract.md).",
                            "entite",
                        )
                    )
                    continue
                value = entity.value or data.synonyms.get(fold(entity.text).strip(), entity.text)
                vocabulary = vocabularies[entity.name]
                if not _valid_value(entity.name, value, vocabulary):
                    allowed = (
                        ", ".join(sorted(vocabulary))
                        if vocabulary
                        else "une année sur quatre chiffres ou recent"
                        if entity.name == "year"
                        else "un nombre"
                    )
                    problems.append(
                        Problem(
                            example.file,
                            example.line,
                            f"« {entity.text} » : la valeur « {value} » de l'entité « {entity.name} » "
                            "n'est pas dans son vocabulaire",
                            f'écrivez [{entity.text}]{{"entity": "{entity.name}", "value": "…"}} '
                            f"avec une valeur parmi : {allowed}.",
                            "valeur_entite",
                        )
                    )
    return problems


# --- bibliography --------------------------------------------------------------------------


def bibliography_problems(root: Path = PROJECT_ROOT) -> list[Problem]:
    path = root / "data" / "bibliography" / "references.yml"
    problems: list[Problem] = []
    node = compose_yaml(path, problems)
    if node is None:
        return problems
    if not isinstance(node, yaml.SequenceNode):
        return [
            Problem(
                path,
                1,
                "le fichier doit être une liste de fiches « - key: … »",
                "comparez avec une fiche existante ; chaque fiche commence par « - key: ».",
                "yaml",
            )
        ]
    known_themes = entity_vocabularies(root)["theme"] or set()
    for position, item in enumerate(node.value, start=1):
        problems += record_problems(path, position, item, known_themes)
    return problems


def record_problems(
    path: Path, position: int, item: yaml.Node, known_themes: set[str]
) -> list[Problem]:
    """Link and DOI formats first (the common slips), then every rule of the seed loader."""
    if not isinstance(item, yaml.MappingNode):
        return [
            Problem(
                path,
                item.start_mark.line + 1,
                f"la fiche n° {position} n'est pas une liste de champs",
                "chaque champ s'écrit « nom: valeur », indenté sous « - key: ».",
                "fiche",
            )
        ]
    lines = {key.value: key.start_mark.line + 1 for key, _value in item.value}
    raw = yaml.safe_load(yaml.serialize(item))
    label = f"fiche n° {position} (« {raw.get('key') or 'sans clé'} »)"
    problems = []
    url = raw.get("url")
    if url not in (None, "") and not is_well_formed_url(str(url)):
        problems.append(
            Problem(
                path,
                lines["url"],
                f"{label} : lien mal formé « {url} »",
                "recopiez le lien entier depuis la barre d'adresse du navigateur : il commence par "
                "https:// (ou http://), sans espace.",
                "lien",
            )
        )
    doi = normalize_doi(None if raw.get("doi") is None else str(raw.get("doi")))
    if doi and not _DOI.match(doi):
        problems.append(
            Problem(
                path,
                lines["doi"],
                f"{label} : DOI mal formé « {raw.get('doi')} »",
                "un DOI s'écrit 10.XXXX/suite, par exemple 10.3917/vsoc.191.0225 ; recopiez-le "
                "depuis la page de la publication, ou laissez null.",
                "doi",
            )
        )
    if problems:
        return problems
    try:
        parse_reference(raw, known_themes)
    except RecordError as error:
        field_name = (error.field or "").split("[")[0].split(".")[0]
        problems.append(
            Problem(
                path,
                lines.get(field_name, item.start_mark.line + 1),
                f"{label}, champ « {error.field or '?'} » : {error.message}",
                "corrigez ce champ (les règles de chaque champ sont en tête du fichier).",
                "fiche",
            )
        )
    return problems


def is_well_formed_url(url: str) -> bool:
    if re.search(r"\s", url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme in ("http", "https")
        and "." in host
        and not host.startswith(".")
        and not host.endswith(".")
    )


# --- Rasa ----------------------------------------------------------------------------------


def rasa_problems(root: Path = PROJECT_ROOT) -> list[Problem]:
    """Rasa's `data validate`, run in this process; its warnings translated and located."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    messages: list[str] = []
    handler = _ListHandler(messages)
    validator_logger = logging.getLogger("rasa.validator")
    validator_logger.addHandler(handler)
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("always")
            _run_rasa_validator(root)
    except Exception as error:  # Rasa's loaders raise many types; each becomes one problem
        return [_loading_problem(root, error)]
    finally:
        validator_logger.removeHandler(handler)
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)] + messages
    problems, seen = [], set()
    for message in messages:
        if message in seen or any(known in message for known in _EXPLAINED):
            continue
        seen.add(message)
        problems.append(translate_rasa_message(root, message))
    return problems


class _ListHandler(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _run_rasa_validator(root: Path) -> None:
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        str(root / "config.yml"),
        str(root / "domain.yml"),
        [str(root / "data" / name) for name in ("nlu", "rules", "stories")],
    )
    validator = Validator.from_importer(importer)
    validator.verify_domain_validity()
    validator.verify_actions_in_stories_rules()
    validator.verify_forms_in_stories_rules()
    validator.verify_form_slots()
    validator.verify_slot_mappings()
    validator.verify_nlu()
    validator.verify_story_structure(True)


def _loading_problem(root: Path, error: Exception) -> Problem:
    text = str(error)
    found = re.search(r"(/[^\s'\"]+\.ya?ml)", text)
    line = re.search(r"line (\d+)", text)
    return Problem(
        Path(found.group(1)) if found else None,
        int(line.group(1)) if line else None,
        f"Rasa ne peut pas lire les données : {text.splitlines()[0] if text else type(error).__name__}",
        "vérifiez l'indentation et la ponctuation YAML de ce fichier (des espaces, pas de "
        "tabulations ; « - » devant chaque exemple).",
        "rasa",
    )


_TRANSLATIONS: tuple[tuple[str, str, str], ...] = (
    (
        r"The intent '(?P<name>[^']+)' is listed in the domain file, but is not found in the NLU",
        "l'intention « {name} » est déclarée dans domain.yml mais n'a aucun exemple",
        "ajoutez des exemples dans un fichier de data/nlu/, ou retirez-la de domain.yml.",
    ),
    (
        r"labeled with intent '(?P<name>[^']+)'. This intent is not listed in your domain",
        "l'intention « {name} » a des exemples mais n'est pas déclarée dans domain.yml",
        "vérifiez l'orthographe du nom (docs/contract.md) ; une intention nouvelle doit être "
        "ajoutée à domain.yml et à une règle par l'équipe.",
    ),
    (
        r"The intent '(?P<name>[^']+)' is not used in any story or rule",
        "l'intention « {name} » n'est utilisée par aucune règle : l'assistant ne saurait pas quoi répondre",
        "ajoutez une règle dans data/rules/ (copiez une règle existante).",
    ),
    (
        r"The utterance '(?P<name>[^']+)' is not used in any story or rule",
        "la réponse « {name} » n'est utilisée par aucune règle",
        "ajoutez une règle qui la donne dans data/rules/, ou supprimez-la.",
    ),
    (
        r"The action '(?P<name>[^']+)' is used in the (stories|'[^']*' block), but",
        "l'action ou réponse « {name} » est utilisée dans une règle ou une histoire mais n'existe pas",
        "vérifiez son nom dans domain.yml (ou le fichier faq_*.yml de la réponse).",
    ),
    (
        r"The intent '(?P<name>[^']+)' is used in your stories, but it is not listed",
        "l'intention « {name} » est utilisée dans une règle ou une histoire mais n'est pas déclarée",
        "vérifiez l'orthographe du nom dans data/rules/ ou data/stories/ (docs/contract.md).",
    ),
    (
        r"Story structure conflict",
        "deux règles ou histoires prévoient des réponses différentes au même moment",
        "relisez les règles citées ci-dessus ; une même question ne doit mener qu'à une réponse.",
    ),
)


def translate_rasa_message(root: Path, message: str) -> Problem:
    for pattern, sentence, fix in _TRANSLATIONS:
        match = re.search(pattern, message)
        if match:
            name = match.groupdict().get("name")
            file, line = locate(root, name) if name else (None, None)
            detail = "" if name else f" ({message.strip()[:300]})"
            return Problem(file, line, sentence.format(name=name) + detail, fix, "rasa")
    return Problem(
        None,
        None,
        f"Rasa signale : {message.strip()[:400]}",
        "si le sens n'est pas clair, transmettez ce message à l'équipe technique.",
        "rasa",
    )


def locate(root: Path, name: str) -> tuple[Optional[Path], Optional[int]]:
    """The first file and line that mention a name (intent, response, action)."""
    candidates: Iterable[Path] = [root / "domain.yml", *sorted((root / "data").rglob("*.yml"))]
    pattern = re.compile(rf"(^|[\s:'\"-]){re.escape(name)}(['\"\s:]|$)")
    for path in candidates:
        try:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    return path, number
        except (OSError, UnicodeDecodeError):
            continue
    return None, None


def summary_fr(problems: list[Problem]) -> str:
    if not problems:
        return "Aucun problème : les données sont prêtes pour « python -m bot entrainer »."
    lines = [str(p) for p in sorted(problems, key=lambda p: (str(p.file or ""), p.line or 0))]
    lines.append(f"\n{len(problems)} problème(s) à corriger avant d'entraîner le modèle.")
    return "\n".join(lines)
