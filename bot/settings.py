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


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class Settings:
    """What can be changed without touching code."""

    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_host: str = "127.0.0.1"
    action_port: int = 5055
    database_url: str = f"sqlite:///{VAR_DIR / 'bibliotheque.sqlite3'}"
    tracker_store_url: str = f"sqlite:///{VAR_DIR / 'conversations.sqlite3'}"
    tracker_store_dialect: str = "sqlite"
    tracker_store_db: str = str(VAR_DIR / "conversations.sqlite3")
    cors_origins: tuple[str, ...] = field(default_factory=tuple)

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
    origins = os.environ.get("CORS_ORIGINS", "")
    return Settings(
        rasa_host=os.environ.get("RASA_HOST") or defaults.rasa_host,
        rasa_port=_int("RASA_PORT", defaults.rasa_port),
        action_host=os.environ.get("ACTION_HOST") or defaults.action_host,
        action_port=_int("ACTION_PORT", defaults.action_port),
        database_url=os.environ.get("DATABASE_URL") or defaults.database_url,
        tracker_store_url=tracker_url,
        tracker_store_dialect="postgresql" if dialect.startswith("postgres") else dialect,
        tracker_store_db=os.environ.get("TRACKER_STORE_DB") or defaults.tracker_store_db,
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
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
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
    )
    return env
