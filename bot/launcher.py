"""Start the action server and the Rasa server together, and stop both on Ctrl-C."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from bot import live_model
from bot.settings import PROJECT_ROOT, Settings, load_settings, service_environment
from bot.web.server import running_demo_page

START_TIMEOUT_SECONDS = 180


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for servers of their own (tests, benchmarks)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def action_server_command(settings: Settings) -> list[str]:
    """rasa-sdk's server, on ACTION_HOST only and checking ACTION_SECRET (bot/action_server.py)."""
    return [
        sys.executable, "-m", "bot.action_server",
        "--host", settings.action_host, "--port", str(settings.action_port),
    ]


def rasa_server_command(settings: Settings, model: Path, auth_token: Optional[str] = None) -> list[str]:
    """With a token (RASA_AUTH_TOKEN), Rasa's HTTP API is open to whoever has it: `python -m bot
    entrainer` then loads a new model into the running server (PUT /model)."""
    command = [
        sys.executable, "-m", "bot.rasa_server", "run",
        "--model", str(model),
        "--endpoints", "endpoints.yml",
        "--credentials", "credentials.yml",
        "--interface", settings.rasa_host,
        "--port", str(settings.rasa_port),
    ]
    if settings.cors_origins:
        command += ["--cors", *settings.cors_origins]
    # Without a token or a JWT secret the API stays off: Rasa would open it to everyone.
    if auth_token or settings.api_jwt_secret:
        command += ["--enable-api"]
    if auth_token:
        command += ["--auth-token", auth_token]
    if settings.api_jwt_secret:
        command += ["--jwt-secret", settings.api_jwt_secret, "--jwt-method", "HS256"]
    return command


def purge_at_start_up(settings: Settings) -> None:
    """The retention period, enforced before Rasa opens the conversations (SECURITY.md)."""
    from bot.privacy.retention import purge_expired

    print(purge_expired(settings).summary_fr(settings.retention_days), flush=True)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Poll `url` until it answers; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Le serveur s'est arrêté au démarrage (code {process.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"Le serveur n'a pas répondu à {url} en {timeout:.0f} s.")


def stop(process: Optional[subprocess.Popen]) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_servers(
    model: Path, settings: Optional[Settings] = None, extra_env: Optional[dict[str, str]] = None
) -> Iterator[Settings]:
    """The action server and the Rasa server, up and answering, for the time of the block.

    `extra_env` adds variables for both processes (tests point the channels at fake services).
    """
    settings = settings or load_settings()
    env = {**service_environment(settings), **(extra_env or {})}
    purge_at_start_up(settings)
    live_model.start_with(model, settings.live_model_file)
    actions = rasa = None
    try:
        actions = subprocess.Popen(action_server_command(settings), cwd=PROJECT_ROOT, env=env)
        wait_until_up(f"http://{settings.action_host}:{settings.action_port}/health", actions)
        command = rasa_server_command(settings, model, env.get("RASA_AUTH_TOKEN"))
        rasa = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
        wait_until_up(f"{settings.rasa_url}/", rasa)
        yield settings
    finally:
        stop(rasa)
        stop(actions)


def _stop_on_sigterm() -> None:
    """A service manager's SIGTERM stops the servers as Ctrl-C does, leaving no orphan."""

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def serve_forever(model: Path) -> None:
    """`make run`: both servers, and the demo page with the chat widget, until Ctrl-C."""
    started = time.monotonic()
    _stop_on_sigterm()
    settings = load_settings()
    # The demo page first: a busy port fails at once, not after Rasa's minute of loading.
    with running_demo_page(settings) as demo_url, running_servers(model, settings):
        print(
            f"\nL'assistant est prêt ({time.monotonic() - started:.0f} s).\n"
            f"  Page de démonstration (widget de discussion) : {demo_url}\n"
            f"  API REST : POST {settings.rasa_url}/webhooks/rest/webhook "
            '{"sender": "moi", "message": "bonjour"}\n'
            f"  Socket.IO : {settings.rasa_url}/socket.io\n"
            "Ctrl-C pour arrêter.",
            flush=True,
        )
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print("\nArrêt des serveurs…", flush=True)


def chat_in_terminal(model: Path) -> None:
    """`make shell`: the action server in the background, Rasa's console in the foreground."""
    settings = load_settings()
    env = service_environment(settings)
    actions = subprocess.Popen(action_server_command(settings), cwd=PROJECT_ROOT, env=env)
    try:
        wait_until_up(f"http://{settings.action_host}:{settings.action_port}/health", actions)
        command = [sys.executable, "-m", "rasa", "shell", "--model", str(model), "--endpoints", "endpoints.yml"]
        subprocess.run(command, cwd=PROJECT_ROOT, env=env)
    except KeyboardInterrupt:
        pass
    finally:
        stop(actions)
