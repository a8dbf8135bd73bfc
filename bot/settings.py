"""Settings read once from the environment, with embedded defaults.

Every process of the project (Rasa server, action server, command line, tests) takes its
configuration from here, so that a fresh clone runs with nothing set and a deployment changes
only environment variables.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
MODELS_DIR = PROJECT_ROOT / "models"
RESULTS_DIR = PROJECT_ROOT / "results"

LIBRARIAN_SERVICE_URL = "https://www.eurekoi.org/"
# The conversation locks of `make run`, shared by the Rasa workers of one machine (bot/lock_store.py).
EMBEDDED_LOCK_STORE = "bot.lock_store.SQLiteLockStore"


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class Settings:
    """What can be changed without touching code."""

    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    # Processes of the Rasa server (Sanic workers), each with its own copy of the model: one per
    # core by default, so that `make run` uses the whole machine (README, « Service »).
    rasa_workers: int = field(default_factory=lambda: len(os.sched_getaffinity(0)) or 1)
    # Processes of the action server, sharing the lemmatizer of the bibliography search.
    action_workers: int = field(default_factory=lambda: len(os.sched_getaffinity(0)) or 1)
    action_host: str = "127.0.0.1"
    action_port: int = 5055
    database_url: str = f"sqlite:///{VAR_DIR / 'bibliotheque.sqlite3'}"
    tracker_store_url: str = f"sqlite:///{VAR_DIR / 'conversations.sqlite3'}"
    tracker_store_dialect: str = "sqlite"
    tracker_store_db: str = str(VAR_DIR / "conversations.sqlite3")
    # The model every Rasa worker serves, named in a file they watch (bot/live_model.py).
    live_model_file: Path = VAR_DIR / "modele-en-service.txt"
    web_port: int = 8080  # the demo page (bot/web/server.py), another origin than Rasa's
    # Conversation locks: in an SQLite file for the workers of one machine; in Redis when several
    # Rasa replicas share the conversations (LOCK_STORE_TYPE=bot.lock_store.RecoveringRedisLockStore,
    # docs/cluster.md). The URL is the file, or Redis's host.
    lock_store_type: str = EMBEDDED_LOCK_STORE
    lock_store_url: str = str(VAR_DIR / "verrous.sqlite3")
    lock_store_port: int = 6379
    lock_store_db: int = 1
    lock_store_password: str = ""
    # Seconds a lock lives (Rasa's TICKET_LOCK_LIFETIME): how long a killed replica's conversation
    # stays blocked, and more than the longest turn.
    lock_lifetime: int = 20
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    # Privacy and input limits (SECURITY.md). The key turns sender ids into keyed hashes before
    # they are stored; empty means the one generated once under var/ (bot/privacy/keys.py).
    max_message_length: int = 1000
    retention_days: int = 90
    sender_id_key: str = ""
    # Sent by Rasa in a header to the action server, which refuses calls without it (when set).
    action_secret: str = ""
    # Rasa's HTTP API is enabled only with RASA_AUTH_TOKEN and/or this JWT secret (bot/launcher.py).
    api_jwt_secret: str = ""

    @property
    def action_endpoint_url(self) -> str:
        return f"http://{self.action_host}:{self.action_port}/webhook"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"


def load_settings() -> Settings:
    """Read the environment once; unset variables keep the embedded defaults."""
    defaults = Settings()
    tracker_url = os.environ.get("TRACKER_STORE_URL") or defaults.tracker_store_url
    dialect = tracker_url.split(":", 1)[0].split("+", 1)[0]
    web_port = _int("WEB_PORT", defaults.web_port)
    lock_type = os.environ.get("LOCK_STORE_TYPE") or defaults.lock_store_type
    # By default only the demo page may use the socket.io channel from a browser.
    origins = os.environ.get("CORS_ORIGINS") or f"http://127.0.0.1:{web_port},http://localhost:{web_port}"
    return Settings(
        rasa_host=os.environ.get("RASA_HOST") or defaults.rasa_host,
        rasa_port=_int("RASA_PORT", defaults.rasa_port),
        rasa_workers=max(1, _int("SANIC_WORKERS", defaults.rasa_workers)),
        action_workers=max(1, _int("ACTION_WORKERS", defaults.action_workers)),
        action_host=os.environ.get("ACTION_HOST") or defaults.action_host,
        action_port=_int("ACTION_PORT", defaults.action_port),
        database_url=os.environ.get("DATABASE_URL") or defaults.database_url,
        tracker_store_url=tracker_url,
        tracker_store_dialect="postgresql" if dialect.startswith("postgres") else dialect,
        tracker_store_db=os.environ.get("TRACKER_STORE_DB") or defaults.tracker_store_db,
        web_port=web_port,
        live_model_file=Path(os.environ.get("LIVE_MODEL_FILE") or defaults.live_model_file),
        lock_store_type=lock_type,
        lock_store_url=os.environ.get("LOCK_STORE_URL") or (
            defaults.lock_store_url if lock_type == EMBEDDED_LOCK_STORE else "127.0.0.1"),
        lock_store_port=_int("LOCK_STORE_PORT", defaults.lock_store_port),
        lock_store_db=_int("LOCK_STORE_DB", defaults.lock_store_db),
        lock_store_password=os.environ.get("LOCK_STORE_PASSWORD") or defaults.lock_store_password,
        lock_lifetime=_int("TICKET_LOCK_LIFETIME", defaults.lock_lifetime),
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        max_message_length=_int("MAX_MESSAGE_LENGTH", defaults.max_message_length),
        retention_days=_int("RETENTION_DAYS", defaults.retention_days),
        sender_id_key=os.environ.get("SENDER_ID_KEY", "").strip(),
        action_secret=os.environ.get("ACTION_SECRET", "").strip(),
        api_jwt_secret=os.environ.get("RASA_JWT_SECRET", "").strip(),
    )


def service_environment(settings: Settings | None = None) -> dict[str, str]:
    """The environment given to Rasa's processes: `endpoints.yml` reads these `${VARS}`.

    Rasa's variable expansion has no default values, so the defaults are filled in here.
    Telemetry is switched off by the project, not by asking the user.
    """
    settings = settings or load_settings()
    VAR_DIR.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        ACTION_ENDPOINT_URL=settings.action_endpoint_url,
        TRACKER_STORE_URL=settings.tracker_store_url,
        TRACKER_STORE_DIALECT=settings.tracker_store_dialect,
        TRACKER_STORE_DB=settings.tracker_store_db,
        DATABASE_URL=settings.database_url,
        LOCK_STORE_TYPE=settings.lock_store_type,
        LOCK_STORE_URL=settings.lock_store_url,
        LOCK_STORE_PORT=str(settings.lock_store_port),
        LOCK_STORE_DB=str(settings.lock_store_db),
        LOCK_STORE_PASSWORD=settings.lock_store_password,
        TICKET_LOCK_LIFETIME=str(settings.lock_lifetime),
        ACTION_SECRET=settings.action_secret,
        SANIC_WORKERS=str(settings.rasa_workers),
        ACTION_WORKERS=str(settings.action_workers),
        LIVE_MODEL_FILE=str(settings.live_model_file),
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
    )
    return env
