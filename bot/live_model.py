"""The model every Rasa worker serves, named in a file that they all watch.

Rasa's `PUT /model` loads a model into the one worker that receives the request; with several
workers (SANIC_WORKERS) the others would go on with the old one. So the model to serve is named
in a file (LIVE_MODEL_FILE, var/modele-en-service.txt by default): the launcher writes it at
start, `python -m bot entrainer` when it has a new model. Each worker checks it every second,
loads the model it names as `PUT /model` does (conversations go on: they live in the tracker
store, not in the model), and then names the model it serves in a file of its own beside it
(`<file>.<pid>`), which `entrainer` waits for before saying the new model is live.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any, Callable, Optional

logger = logging.getLogger(__name__)

CHECK_SECONDS = 1.0


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(text, encoding="utf-8")
    draft.replace(path)


def publish(model: Path, pointer: Path) -> None:
    """Name `model` as the one to serve."""
    _write_atomically(pointer, str(Path(model).resolve()))


def published(pointer: Path) -> Optional[Path]:
    try:
        text = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return Path(text) if text else None


def _receipt(pointer: Path, pid: int) -> Path:
    return pointer.with_name(f"{pointer.name}.{pid}")


def acknowledge(pointer: Path, model_name: str) -> None:
    """This worker serves `model_name`."""
    _write_atomically(_receipt(pointer, os.getpid()), model_name)


def start_with(model: Path, pointer: Path) -> None:
    """Before the workers start: `model` is the one to serve, and no worker serves any yet (a
    receipt left by an earlier run could carry the pid of some other process by now)."""
    for receipt in pointer.parent.glob(f"{pointer.name}.*"):
        receipt.unlink(missing_ok=True)
    publish(model, pointer)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def served(pointer: Path) -> dict[int, str]:
    """The model each running worker says it serves; receipts of dead workers are removed."""
    models = {}
    for receipt in pointer.parent.glob(f"{pointer.name}.*"):
        pid = receipt.name.rsplit(".", 1)[1]
        if not pid.isdigit():
            continue
        if not _alive(int(pid)):
            receipt.unlink(missing_ok=True)
            continue
        try:
            models[int(pid)] = receipt.read_text(encoding="utf-8").strip()
        except OSError:
            continue
    return models


def wait_until_served(model: Path, pointer: Path, timeout: float) -> bool:
    """Whether every running worker serves `model` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        models = served(pointer)
        if models and set(models.values()) == {Path(model).name}:
            return True
        time.sleep(0.2)
    return False


async def follow(app: Any, load: Callable[[Path], Any], pointer: Path) -> None:
    """In a worker: load whatever model the pointer names, for as long as the worker runs.

    `load` is Rasa's own agent loading (a coroutine function taking the model path).
    """
    refused: Optional[Path] = None
    while True:
        await asyncio.sleep(CHECK_SECONDS)
        wanted = published(pointer)
        agent = getattr(app.ctx, "agent", None)
        if (wanted is None or wanted == refused or agent is None or agent.model_name == wanted.name
                or not wanted.exists()):
            continue
        try:
            new_agent = await load(wanted)
        except Exception:  # a broken model file must not stop the worker: it keeps the old one
            logger.exception("Le modèle %s n'a pas pu être chargé ; l'assistant garde l'ancien.", wanted)
            refused = wanted
            continue
        new_agent.lock_store = agent.lock_store
        app.ctx.agent = new_agent
        acknowledge(pointer, wanted.name)
        logger.info("Nouveau modèle en service : %s", wanted.name)
