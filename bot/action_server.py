"""The action server: rasa-sdk's, reachable by the Rasa server only.

`python -m rasa_sdk` gives no way to add a check to its web server, so it is built here with
rasa-sdk's own `create_app` and:
- bound to ACTION_HOST (127.0.0.1 by default), never to every interface (rasa-sdk's default);
- no CORS headers (rasa-sdk allows every origin by default): no web page has business here;
- when ACTION_SECRET is set, every request but `/health` must carry it in the
  `X-Action-Secret` header, which Rasa sends (endpoints.yml, `action_endpoint.headers`);
  otherwise 401, before any action runs;
- one process per Rasa worker (ACTION_WORKERS, one per core by default), forked after spaCy's
  French model is loaded, so that they share it and the first request for readings does not wait
  for it.

    python -m bot.action_server [--host HOST] [--port PORT]
"""
from __future__ import annotations

import argparse
import hmac
import logging
from typing import Optional, Sequence

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import load_settings

SECRET_HEADER = "X-Action-Secret"
ACTIONS_PACKAGE = "actions"
logger = logging.getLogger(__name__)


def build_app(secret: str) -> Sanic:
    app = create_app(ACTIONS_PACKAGE, cors_origins=None)

    if secret:
        @app.middleware("request")
        async def require_secret(request: Request) -> Optional[HTTPResponse]:
            if request.path == "/health":
                return None
            given = request.headers.get(SECRET_HEADER, "")
            if hmac.compare_digest(given.encode(), secret.encode()):
                return None
            logger.warning("Serveur d'actions : appel refusé sans le secret (%s).", request.path)
            return response.json({"erreur": "accès refusé"}, status=401)

    return app


def main(argv: Optional[Sequence[str]] = None) -> None:
    settings = load_settings()
    parser = argparse.ArgumentParser(
        prog="python -m bot.action_server", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--host", default=settings.action_host)
    parser.add_argument("--port", type=int, default=settings.action_port)
    args = parser.parse_args(argv)
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    if not settings.action_secret:
        logger.info("ACTION_SECRET n'est pas défini : le serveur d'actions accepte tout appel.")
    app = build_app(settings.action_secret)
    preload_search_language()
    app.run(args.host, args.port, workers=settings.action_workers, access_log=False)


def preload_search_language() -> None:
    """The lemmatizer the bibliography search uses, loaded before the workers are forked."""
    from bot.bibliography import terms

    terms.text_tokens("médiatrices de santé paires")
    terms.is_french_word("lecture")


if __name__ == "__main__":
    main()
