"""Rasa's NLU files read with their line numbers, and new examples added without reformatting.

Rasa's own loader forgets where an example came from; a librarian needs "faq_gem.yml, ligne 12".
So the files are read here as YAML nodes, whose marks give each example's line, and edited as
text, so that comments and layout stay as the librarian left them.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import yaml

from bot.bibliography.terms import fold
from bot.librarian.problems import Problem

# "[texte](entité)", "[texte](entité:valeur)" or '[texte]{"entity": "e", "value": "v"}'.
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|\{(?P<json>[^}]+)\})")
_EXAMPLE_LINE = re.compile(r"^(?P<indent>\s*)- (?P<text>.*)$")


@dataclass(frozen=True)
class Entity:
    name: str
    text: str
    value: Optional[str]  # the explicit value, None when the text itself is the value


@dataclass(frozen=True)
class Example:
    text: str  # as written, annotations included
    file: Path
    line: int

    @property
    def plain(self) -> str:
        """The sentence a visitor would type: annotations replaced by their text."""
        return ANNOTATION.sub(lambda m: m.group("text"), self.text)

    @property
    def entities(self) -> list[Entity]:
        return [_entity(match) for match in ANNOTATION.finditer(self.text)]


@dataclass
class IntentBlock:
    intent: str
    file: Path
    line: int
    examples: list[Example] = field(default_factory=list)


@dataclass(frozen=True)
class Response:
    name: str
    file: Path
    line: int
    texts: tuple[str, ...]


@dataclass
class NluData:
    blocks: list[IntentBlock] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # folded text → canonical value
    responses: list[Response] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def examples_by_intent(self) -> dict[str, list[Example]]:
        found: dict[str, list[Example]] = {}
        for block in self.blocks:
            found.setdefault(block.intent, []).extend(block.examples)
        return found


def normalize_example(text: str) -> str:
    """What makes two examples "the same": case, accents, punctuation and spaces ignored."""
    plain = ANNOTATION.sub(lambda m: m.group("text"), text)
    return " ".join(re.findall(r"[a-z0-9]+", fold(plain)))


def read_nlu(nlu_dir: Path) -> NluData:
    data = NluData()
    for path in sorted(Path(nlu_dir).glob("*.yml")):
        read_nlu_file(path, data)
    return data


def read_nlu_file(path: Path, data: Optional[NluData] = None) -> NluData:
    """One file's intent blocks, synonyms and responses, added to `data`."""
    data = data if data is not None else NluData()
    root = compose_yaml(path, data.problems)
    if not isinstance(root, yaml.MappingNode):
        return data
    for key, value in root.value:
        if key.value == "nlu" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                _read_item(path, item, data)
        elif key.value == "responses" and isinstance(value, yaml.MappingNode):
            for name, variants in value.value:
                texts = tuple(
                    str(text.value)
                    for variant in getattr(variants, "value", [])
                    if isinstance(variant, yaml.MappingNode)
                    for label, text in variant.value
                    if label.value == "text" and isinstance(text, yaml.ScalarNode)
                )
                data.responses.append(Response(name.value, path, name.start_mark.line + 1, texts))
    return data


def compose_yaml(path: Path, problems: list[Problem]) -> Optional[yaml.Node]:
    """The file's YAML node tree, or None with the reason added to `problems`."""
    try:
        return yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except FileNotFoundError:
        problems.append(
            Problem(path, None, "fichier introuvable", "vérifiez le chemin du fichier.", "fichier")
        )
    except UnicodeDecodeError:
        problems.append(
            Problem(
                path,
                None,
                "le fichier n'est pas en UTF-8",
                "enregistrez-le en UTF-8 (« Enregistrer sous », encodage UTF-8).",
                "fichier",
            )
        )
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(
            Problem(
                path,
                mark.line + 1 if mark else None,
                f"le fichier n'est pas du YAML valide ({getattr(error, 'problem', None) or error})",
                "vérifiez l'indentation (des espaces, pas de tabulations) et les deux-points de cette ligne.",
                "yaml",
            )
        )
    return None


def _read_item(path: Path, item: yaml.Node, data: NluData) -> None:
    if not isinstance(item, yaml.MappingNode):
        return
    fields = {key.value: value for key, value in item.value}
    examples = fields.get("examples")
    if not isinstance(examples, yaml.ScalarNode):
        return
    lines = _example_lines(examples)
    if "intent" in fields:
        block = IntentBlock(str(fields["intent"].value), path, item.start_mark.line + 1)
        block.examples = [Example(text, path, line) for text, line in lines]
        data.blocks.append(block)
    elif "synonym" in fields:
        for text, _line in lines:
            data.synonyms[fold(text).strip()] = str(fields["synonym"].value)


def _example_lines(node: yaml.ScalarNode) -> list[tuple[str, int]]:
    """Each "- example" of a block with its line in the file (a literal block keeps lines)."""
    first_line = node.start_mark.line + 2 if node.style == "|" else node.start_mark.line + 1
    found = []
    for offset, raw in enumerate(str(node.value).splitlines()):
        match = _EXAMPLE_LINE.match(raw)
        if match and match.group("text").strip():
            line = first_line + offset if node.style == "|" else first_line
            found.append((match.group("text").strip(), line))
    return found


def _entity(match: re.Match) -> Entity:
    text = match.group("text")
    if match.group("short"):
        name, _, value = match.group("short").partition(":")
        return Entity(name.strip(), text, value.strip() or None)
    try:
        described = yaml.safe_load("{" + match.group("json") + "}") or {}
    except yaml.YAMLError:
        described = {}
    value = described.get("value")
    return Entity(str(described.get("entity", "")), text, None if value is None else str(value))


def append_examples(path: Path, intent: str, texts: Iterable[str]) -> int:
    """Add examples at the end of the intent's block in `path`; a new block if it has none.

    Returns how many lines were added. The file is replaced at once (written beside, then
    renamed), so a running training or validation never reads half a file.
    """
    texts = [t.strip() for t in texts if t.strip()]
    if not texts:
        return 0
    lines = (
        Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
        if Path(path).exists()
        else []
    )
    at, indent = _block_end(lines, intent)
    new = [f"{indent}- {text}\n" for text in texts]
    if at is None:
        if not lines:
            lines = ['version: "3.1"\n', "nlu:\n"]
        elif not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        at = _nlu_section_end(lines)
        new = [f"- intent: {intent}\n", "  examples: |\n"] + [f"    - {text}\n" for text in texts]
    lines[at:at] = new
    write_atomically(path, "".join(lines))
    return len(texts)


def _block_end(lines: list[str], intent: str) -> tuple[Optional[int], str]:
    """Where the examples of `- intent: <intent>` end in the file, and their indentation."""
    header = re.compile(rf"^\s*- intent:\s*['\"]?{re.escape(intent)}['\"]?\s*(#.*)?$")
    for number, line in enumerate(lines):
        if not header.match(line):
            continue
        for examples_at in range(number + 1, len(lines)):
            if re.match(r"^\s*examples:\s*\|", lines[examples_at]):
                break
            if re.match(r"^\s*- ", lines[examples_at]):
                return None, ""
        else:
            return None, ""
        key_indent = len(lines[examples_at]) - len(lines[examples_at].lstrip())
        end, indent = examples_at + 1, " " * (key_indent + 2)
        for position in range(examples_at + 1, len(lines)):
            line = lines[position]
            if not line.strip():
                continue
            if len(line) - len(line.lstrip()) <= key_indent:
                break
            end = position + 1
            indent = line[: len(line) - len(line.lstrip())]
        return end, indent
    return None, ""


def _nlu_section_end(lines: list[str]) -> int:
    """After the last line of the `nlu:` list (before `responses:` if the file has them)."""
    inside, end = False, len(lines)
    for number, line in enumerate(lines):
        if line.startswith("nlu:"):
            inside = True
        elif inside and re.match(r"^[A-Za-z_]+:", line):
            end = number
            break
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return end


def write_atomically(path: Path, text: str) -> None:
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
