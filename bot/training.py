"""Train a model only when what it learns from has changed.

A model is named after a hash of its inputs (configuration, domain, NLU, rules, stories, and the
code of our own pipeline components), so "is there a model for these inputs?" is a file lookup,
and an unchanged project never retrains.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Optional

from bot.settings import MODELS_DIR, PROJECT_ROOT, service_environment

TRAINING_DATA = ("domain.yml", "data/nlu", "data/rules", "data/stories", "components")
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


def training_fingerprint(config: Path = DEFAULT_CONFIG, root: Path = PROJECT_ROOT) -> str:
    """A short hash of the configuration and of every file the model learns from."""
    digest = hashlib.sha256(config.read_bytes())
    for path in _training_files(root):
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
