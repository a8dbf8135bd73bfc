"""Giving a new model to the running assistant without stopping it (Rasa's `PUT /model`).

Rasa loads the new model beside the old one and swaps them when it is ready: conversations go
on, and keep their history, which lives in the tracker store rather than in the model. Rasa's
HTTP API is only open when the server was started with a token (`RASA_AUTH_TOKEN`, see
bot/launcher.py), and every call here sends it.
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
# Loading a model of this project takes well under a minute; a busy machine may need more.
LOAD_TIMEOUT_SECONDS = 600


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


def reload_model(model: Path, rasa_url: str, token: Optional[str] = None) -> ReloadResult:
    """Load `model` into the server at `rasa_url` if one runs there and has another model."""
    token = token if token is not None else auth_token()
    try:
        status, _body = _call(f"{rasa_url}/status", token)
    except OSError:
        return ReloadResult(
            f"Aucun assistant ne tourne à {rasa_url} : le nouveau modèle servira à son prochain démarrage.",
            server_found=False,
        )
    if status == 404:
        return ReloadResult(
            f"L'assistant de {rasa_url} ne peut pas recevoir de modèle en marche : il a été démarré sans "
            f"{TOKEN_VARIABLE}. Redémarrez-le (Ctrl-C puis « make run ») pour le nouveau modèle ; "
            f"définissez {TOKEN_VARIABLE} avant, pour les prochaines fois."
        )
    if status in (401, 403):
        return ReloadResult(
            f"L'assistant de {rasa_url} refuse le jeton : donnez à {TOKEN_VARIABLE} la même valeur "
            "qu'au démarrage de l'assistant."
        )
    if loaded_model(rasa_url, token) == model.name:
        return ReloadResult(
            f"L'assistant en marche utilise déjà ce modèle ({model.name}).", loaded=True
        )
    try:
        status, body = _call(
            f"{rasa_url}/model",
            token,
            "PUT",
            {"model_file": str(Path(model).resolve())},
            timeout=LOAD_TIMEOUT_SECONDS,
        )
    except OSError as error:
        return ReloadResult(
            f"Le chargement du modèle n'a pas abouti ({error}) ; l'assistant garde l'ancien."
        )
    if status != 204:
        detail = json.loads(body or b"{}").get("message", "") if body.startswith(b"{") else ""
        return ReloadResult(
            f"L'assistant a refusé le modèle (code {status}) {detail} ; il garde l'ancien."
        )
    now = loaded_model(rasa_url, token)
    if now != model.name:
        return ReloadResult(
            f"L'assistant annonce le modèle {now} au lieu de {model.name} ; relancez la commande."
        )
    return ReloadResult(
        f"Nouveau modèle chargé dans l'assistant en marche, sans interruption : {model.name}",
        loaded=True,
    )
