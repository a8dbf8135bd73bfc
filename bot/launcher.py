"""Start the action server and the Rasa server together, and stop both on Ctrl-C."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from bot.settings import PROJECT_ROOT, Settings, load_settings, service_environment

START_TIMEOUT_SECONDS = 180


def action_server_command(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)]


def rasa_server_command(settings: Settings, model: Path) -> list[str]:
    command = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(model),
        "--endpoints", "endpoints.yml",
        "--credentials", "credentials.yml",
        "--interface", settings.rasa_host,
        "--port", str(settings.rasa_port),
    ]
    if settings.cors_origins:
        command += ["--cors", *settings.cors_origins]
    return command


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
    env["SANIC_HOST"] = settings.action_host  # rasa_sdk binds to SANIC_HOST
    actions = rasa = None
    try:
        actions = subprocess.Popen(action_server_command(settings), cwd=PROJECT_ROOT, env=env)
        wait_until_up(f"http://{settings.action_host}:{settings.action_port}/health", actions)
        env.pop("SANIC_HOST")
        rasa = subprocess.Popen(rasa_server_command(settings, model), cwd=PROJECT_ROOT, env=env)
        wait_until_up(f"{settings.rasa_url}/", rasa)
        yield settings
    finally:
        stop(rasa)
        stop(actions)


def serve_forever(model: Path) -> None:
    """`make run`: both servers until Ctrl-C."""
    started = time.monotonic()
    with running_servers(model) as settings:
        print(
            f"\nL'assistant est prêt ({time.monotonic() - started:.0f} s).\n"
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
    env["SANIC_HOST"] = settings.action_host
    actions = subprocess.Popen(action_server_command(settings), cwd=PROJECT_ROOT, env=env)
    try:
        wait_until_up(f"http://{settings.action_host}:{settings.action_port}/health", actions)
        env.pop("SANIC_HOST")
        command = [sys.executable, "-m", "rasa", "shell", "--model", str(model), "--endpoints", "endpoints.yml"]
        subprocess.run(command, cwd=PROJECT_ROOT, env=env)
    except KeyboardInterrupt:
        pass
    finally:
        stop(actions)
