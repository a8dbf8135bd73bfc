"""Giving a new model to the running assistant without stopping it.

The model is named in the file every Rasa worker watches (bot/live_model.py): each loads it beside
the old one and swaps them when it is ready, as Rasa's `PUT /model` does for one worker;
conversations go on, and keep their history, which lives in the tracker store rather than in the
model. Rasa's HTTP API, open only when the server was started with a token (`RASA_AUTH_TOKEN`,
see bot/launcher.py), is only asked which model it serves; every call sends the token.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

TOKEN_VARIABLE = "RASA_AUTH_TOKEN"
# Loading a model of this project takes seconds; a busy machine may need more.
LOAD_TIMEOUT_SECONDS = 120


@dataclass
class ReloadResult:
    """What happened, in a French sentence, and whether the running assistant has the model."""

    message: str
    loaded: bool = False
    server_found: bool = True


def auth_token() -> Optional[str]:
    return os.environ.get(TOKEN_VARIABLE) or None


def _call(
    url: str,
    token: Optional[str],
    method: str = "GET",
    body: Optional[dict] = None,
    timeout: float = 5,
) -> tuple[int, bytes]:
    if token:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"token": token})
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def loaded_model(rasa_url: str, token: Optional[str]) -> Optional[str]:
    """The file name of the model the server runs (GET /status), or None if it does not say."""
    status, body = _call(f"{rasa_url}/status", token)
    if status != 200:
        return None
    return Path(json.loads(body or b"{}").get("model_file") or "").name or None


def reload_model(
    model: Path, rasa_url: str, token: Optional[str] = None, pointer: Optional[Path] = None
) -> ReloadResult:
    """Give `model` to the assistant at `rasa_url` if one runs there, and wait until every one
    of its workers serves it (bot/live_model.py)."""
    from bot import live_model
    from bot.settings import load_settings

    token = token if token is not None else auth_token()
    pointer = pointer or load_settings().live_model_file
    try:
        status, _body = _call(f"{rasa_url}/status", token)
    except OSError:
        return ReloadResult(
            f"Aucun assistant ne tourne à {rasa_url} : le nouveau modèle servira à son prochain démarrage.",
            server_found=False,
        )
    if token and status in (401, 403):
        return ReloadResult(
            f"L'assistant de {rasa_url} refuse le jeton : donnez à {TOKEN_VARIABLE} la même valeur "
            "qu'au démarrage de l'assistant."
        )
    already = set(live_model.served(pointer).values()) == {model.name}
    live_model.publish(model, pointer)
    if already:
        return ReloadResult(f"L'assistant en marche utilise déjà ce modèle ({model.name}).", loaded=True)
    if not live_model.wait_until_served(model, pointer, LOAD_TIMEOUT_SECONDS):
        return ReloadResult(
            f"L'assistant de {rasa_url} n'a pas pris le modèle {model.name} en {LOAD_TIMEOUT_SECONDS} s : "
            f"vérifiez que son LIVE_MODEL_FILE est bien {pointer}, ou redémarrez-le (Ctrl-C puis « make run »)."
        )
    workers = len(live_model.served(pointer))
    return ReloadResult(
        f"Nouveau modèle chargé dans l'assistant en marche, sans interruption ({workers} processus) : "
        f"{model.name}",
        loaded=True,
    )
