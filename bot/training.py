"""Train a model only when what it learns from has changed.

A model is named after a hash of its inputs (configuration, domain, NLU, rules, stories, and the
code of the components of ours that the configuration names, with the project modules they
import), so "is there a model for these inputs?" is a file lookup, and an unchanged project never
retrains. Two configurations (config.yml and the one `make bench` compares it with) keep their
models apart, and a change to one component retrains only the configurations that use it.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Optional

from bot.settings import MODELS_DIR, PROJECT_ROOT, service_environment

TRAINING_DATA = ("domain.yml", "data/nlu", "data/rules", "data/stories")
INPUT_SUFFIXES = {".yml", ".yaml", ".py"}
MODEL_PREFIX = "assistant-"
DEFAULT_CONFIG = PROJECT_ROOT / "config.yml"


def _training_files(root: Path) -> Iterable[Path]:
    for name in TRAINING_DATA:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in INPUT_SUFFIXES)


_OWN_MODULE = re.compile(rb"\b((?:components|bot)(?:\.\w+)+)")


def _module_file(module: bytes, root: Path) -> Optional[Path]:
    parts = module.decode().split(".")
    for size in range(len(parts), 1, -1):  # "components.x.Class" -> components/x.py
        path = root.joinpath(*parts[:size]).with_suffix(".py")
        if path.is_file():
            return path
    return None


def component_files(config: Path, root: Path = PROJECT_ROOT) -> list[Path]:
    """Our modules that `config` names, and the project modules they import."""
    named = {_module_file(m, root) for m in _OWN_MODULE.findall(config.read_bytes())} - {None}
    imported = {_module_file(m, root) for path in named for m in _OWN_MODULE.findall(path.read_bytes())}
    return sorted(named | imported - {None})


def training_fingerprint(config: Path = DEFAULT_CONFIG, root: Path = PROJECT_ROOT) -> str:
    """A short hash of the configuration, of every file the model learns from, and of our code in it."""
    digest = hashlib.sha256(config.read_bytes())
    for path in [*_training_files(root), *component_files(config, root)]:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(fingerprint: str, models_dir: Path = MODELS_DIR) -> Path:
    return models_dir / f"{MODEL_PREFIX}{fingerprint}.tar.gz"


def current_model(models_dir: Path = MODELS_DIR) -> Optional[Path]:
    """The model trained on the project's present data, if there is one."""
    path = model_path(training_fingerprint(), models_dir)
    return path if path.exists() else None


def latest_model(models_dir: Path = MODELS_DIR) -> Optional[Path]:
    models = sorted(models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def train(
    config: Optional[Path] = None, models_dir: Path = MODELS_DIR, force: bool = False
) -> Path:
    """Train with Rasa unless a model for the same inputs exists; return the model's path."""
    config = config or DEFAULT_CONFIG
    fingerprint = training_fingerprint(config)
    target = model_path(fingerprint, models_dir)
    if target.exists() and not force:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(config),
        "--domain", "domain.yml",
        "--data", "data/nlu", "data/rules", "data/stories",
        "--out", str(models_dir),
        "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        "--force",
    ]
    started = time.monotonic()
    subprocess.run(command, cwd=PROJECT_ROOT, env=service_environment(), check=True)
    _timing_file(target).write_text(json.dumps({"training_seconds": round(time.monotonic() - started, 1)}))
    return target


def _timing_file(model: Path) -> Path:
    return model.with_name(model.name.removesuffix(".tar.gz") + ".json")


def training_seconds(model: Path) -> Optional[float]:
    """How long the training of `model` took, when it was measured (benchmarks/serving.py)."""
    try:
        return json.loads(_timing_file(model).read_text())["training_seconds"]
    except (OSError, ValueError, KeyError):
        return None
