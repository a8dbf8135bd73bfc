"""Several Rasa replicas behind nginx, on one machine: `make run-cluster` and the cluster tests.

The topology of deploy/ on 127.0.0.1: PostgreSQL (conversations and bibliography) and Redis
(conversation locks), used if they run and started otherwise; two Rasa replicas with the same
model on their own ports; one action server; nginx in front, configured from
deploy/nginx.conf.template. Logs, nginx's configuration and its pid are under var/cluster/.

    python -m bot.cluster            the local cluster, until Ctrl-C (make run-cluster)
    python -m bot.cluster rasa       in a container: the Rasa server, configured by the environment
    python -m bot.cluster actions    in a container: the action server
    python -m bot.cluster bases      in a container, once: create the databases, load the bibliography
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Optional, Sequence

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import live_model, training
from bot.launcher import action_server_command, purge_at_start_up, rasa_server_command, stop, wait_until_up
from bot.settings import EMBEDDED_LOCK_STORE, PROJECT_ROOT, VAR_DIR, Settings, load_settings, service_environment

CLUSTER_DIR = VAR_DIR / "cluster"
NGINX_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.template"
POSTGRES_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
TRACKER_DATABASE = "assistant_conversations"
BIBLIOGRAPHY_DATABASE = "assistant_bibliotheque"
LOCAL_REDIS = ("127.0.0.1", 6379)
# Rasa's Redis lock store, except that a conversation whose replica died is not blocked for ever.
REDIS_LOCK_STORE = "bot.lock_store.RecoveringRedisLockStore"
SERVICE_START_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Layout:
    """Ports on 127.0.0.1, and the folder of logs and nginx files."""

    front_port: int = 8005
    replica_ports: tuple[int, ...] = (5015, 5016)
    action_ports: tuple[int, int] = (5065, 5066)  # two slots: restart without a gap
    actions_proxy_port: int = 5064  # nginx, for the replicas
    directory: Path = CLUSTER_DIR


# --- PostgreSQL and Redis ---------------------------------------------------------------

def _postgres_answers(url: str) -> bool:
    engine = create_engine(url, future=True)
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _redis_answers(settings: Settings) -> bool:
    import redis

    client = redis.Redis(
        host=settings.lock_store_url, port=settings.lock_store_port,
        password=settings.lock_store_password or None, socket_timeout=2,
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _start_and_wait(command: Sequence[str], answers, name: str) -> None:
    print(f"{name} ne répond pas : démarrage…", flush=True)
    subprocess.run(command, check=False)
    deadline = time.monotonic() + SERVICE_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if answers():
            return
        time.sleep(0.5)
    raise RuntimeError(
        f"{name} ne répond toujours pas. Démarrez-le (commande : {' '.join(command)}), "
        "ou indiquez un autre serveur par les variables d'environnement (docs/cluster.md)."
    )


def ensure_services(settings: Settings) -> None:
    """The cluster's PostgreSQL and Redis answer: the running ones, or started as CI starts them."""
    admin_url = str(make_url(settings.tracker_store_url).set(database="postgres"))
    if not _postgres_answers(admin_url):
        versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else ["15"]
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "start"]
        _start_and_wait(command, lambda: _postgres_answers(admin_url), "PostgreSQL")
    if not _redis_answers(settings):
        command = [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
            "--port", str(settings.lock_store_port), "--save", "", "--appendonly", "no",
            "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
        ]
        _start_and_wait(command, lambda: _redis_answers(settings), "Redis")


def cluster_settings(settings: Settings) -> Settings:
    """The settings, with PostgreSQL and Redis wherever they are not configured already."""
    tracker_url = settings.tracker_store_url
    if settings.tracker_store_dialect != "postgresql":
        tracker_url = f"{POSTGRES_SERVER}/{TRACKER_DATABASE}"
    database_url = settings.database_url
    if not make_url(database_url).get_backend_name().startswith("postgres"):
        database_url = f"{POSTGRES_SERVER}/{BIBLIOGRAPHY_DATABASE}"
    settings = replace(
        settings, tracker_store_url=tracker_url, tracker_store_dialect="postgresql",
        tracker_store_db=make_url(tracker_url).database, database_url=database_url,
    )
    if "SANIC_WORKERS" not in os.environ:  # the replicas share the machine's cores
        settings = replace(settings, rasa_workers=1)
    if "ACTION_WORKERS" not in os.environ:
        settings = replace(settings, action_workers=1)
    if settings.lock_store_type in ("in_memory", EMBEDDED_LOCK_STORE):
        settings = replace(
            settings, lock_store_type=REDIS_LOCK_STORE, lock_store_url=LOCAL_REDIS[0], lock_store_port=LOCAL_REDIS[1]
        )
    return settings


def create_database(url: str) -> None:
    """Create the database named in `url` on its server, unless it exists."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).scalar()
            if not found:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def prepare_databases(settings: Settings) -> None:
    """Both databases exist; the bibliography is migrated and loaded. Rasa makes its own table."""
    from bot.bibliography.seed import migrate_and_seed

    create_database(settings.tracker_store_url)
    create_database(settings.database_url)
    migrate_and_seed(settings.database_url)


# --- nginx --------------------------------------------------------------------------------

def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not found:
        raise RuntimeError(
            "nginx est introuvable : installez le paquet Debian « nginx » (make run-cluster le fait), "
            "puis relancez."
        )
    return found


def nginx_config(layout: Layout, host: str, replicas: Sequence[int]) -> str:
    """nginx's whole configuration: deploy/nginx.conf.template, filled in, inside a main context
    whose pid, logs and temporary files stay under `layout.directory`."""
    addresses = [f"{host}:{layout.replica_ports[i]}" for i in replicas]
    # With one replica balanced, both entries of the template name it.
    addresses = (addresses * 2)[:2]
    folder = layout.directory
    assistant = string.Template(NGINX_TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        RASA_REPLICA_1=addresses[0], RASA_REPLICA_2=addresses[1],
        ACTION_SERVER_1=f"{host}:{layout.action_ports[0]}", ACTION_SERVER_2=f"{host}:{layout.action_ports[1]}",
        NGINX_LISTEN=f"{host}:{layout.front_port}", NGINX_ACTIONS_LISTEN=f"{host}:{layout.actions_proxy_port}",
        NGINX_ACCESS_LOG=str(folder / "nginx-access.log"),
    )
    temp = {name: folder / "nginx-tmp" / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    return "\n".join([
        "# Generated by bot/cluster.py from deploy/nginx.conf.template: edit the template.",
        # Started by root, nginx's workers would become `nobody`, who may not reach the temporary
        # files under var/ (nor a test's private folder). This nginx listens on 127.0.0.1 only.
        "user root;" if os.geteuid() == 0 else "",
        "worker_processes 1;",
        "daemon off;",
        f"pid {folder / 'nginx.pid'};",
        f"error_log {folder / 'nginx-error.log'} warn;",
        "events { worker_connections 1024; }",
        "http {",
        *(f"    {name}_temp_path {path};" for name, path in temp.items()),
        assistant,
        "}",
        "",
    ])


def _wait_for_port(host: str, port: int, process: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx s'est arrêté au démarrage : voir {CLUSTER_DIR / 'nginx-error.log'}.")
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nginx n'écoute pas sur le port {port} après {timeout:.0f} s.")


# --- the processes ------------------------------------------------------------------------

class Cluster:
    """The running processes, and the operations the fault tests need."""

    def __init__(self, model: Path, settings: Settings, layout: Layout) -> None:
        self.model, self.settings, self.layout = model, settings, layout
        self.replicas: dict[int, subprocess.Popen] = {}
        self.action_servers: dict[int, subprocess.Popen] = {}
        self.nginx: Optional[subprocess.Popen] = None
        (layout.directory / "logs").mkdir(parents=True, exist_ok=True)

    @property
    def front_url(self) -> str:
        return f"http://{self.settings.rasa_host}:{self.layout.front_port}"

    def replica_url(self, index: int) -> str:
        return f"http://{self.settings.rasa_host}:{self.layout.replica_ports[index]}"

    def _spawn(self, command: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen:
        log = open(self.layout.directory / "logs" / f"{log_name}.log", "ab")
        try:
            return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()

    def start_action_server(self, slot: int) -> None:
        settings = replace(self.settings, action_port=self.layout.action_ports[slot])
        process = self._spawn(action_server_command(settings), service_environment(settings), f"actions-{slot + 1}")
        self.action_servers[slot] = process
        wait_until_up(f"http://{settings.action_host}:{settings.action_port}/health", process)

    def stop_action_server(self, slot: int) -> None:
        """SIGINT: it stops accepting connections and finishes the calls under way.

        To restart the action server without a gap, start one on the free slot first: nginx sends
        the replicas' calls to whichever slot accepts connections.
        """
        stop(self.action_servers.pop(slot))

    def start_replica(self, index: int) -> None:
        settings = replace(
            self.settings, rasa_port=self.layout.replica_ports[index], action_port=self.layout.actions_proxy_port
        )
        env = service_environment(settings)
        command = rasa_server_command(settings, self.model, env.get("RASA_AUTH_TOKEN"))
        process = self._spawn(command, env, f"rasa-{index + 1}")
        self.replicas[index] = process
        wait_until_up(f"{settings.rasa_url}/", process)

    def kill_replica(self, index: int) -> None:
        """SIGKILL: no clean-up at all, as when a machine or a container dies."""
        process = self.replicas.pop(index)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def start_nginx(self, replicas: Optional[Sequence[int]] = None) -> None:
        binary = nginx_binary()
        self._write_nginx_config(replicas)
        folder = str(self.layout.directory)
        config = str(self.layout.directory / "nginx.conf")
        check = subprocess.run([binary, "-t", "-q", "-p", folder, "-c", config, "-e", "stderr"],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"La configuration de nginx est refusée :\n{check.stderr}")
        self.nginx = self._spawn([binary, "-p", folder, "-c", config, "-e", "stderr"], dict(os.environ), "nginx")
        _wait_for_port(self.settings.rasa_host, self.layout.front_port, self.nginx)

    def balance(self, replicas: Sequence[int]) -> None:
        """Send traffic to these replicas only (nginx reloads its configuration gracefully)."""
        self._write_nginx_config(replicas)
        self.nginx.send_signal(signal.SIGHUP)
        time.sleep(1)  # the new workers take over; the old ones finish their requests

    def _write_nginx_config(self, replicas: Optional[Sequence[int]]) -> None:
        replicas = list(range(len(self.layout.replica_ports))) if replicas is None else replicas
        config = nginx_config(self.layout, self.settings.rasa_host, replicas)
        (self.layout.directory / "nginx.conf").write_text(config, encoding="utf-8")

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: running requests finish
            try:
                self.nginx.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        for process in [*self.replicas.values(), *self.action_servers.values()]:
            stop(process)
        self.replicas.clear()
        self.action_servers.clear()


@contextmanager
def running_cluster(
    model: Path, settings: Settings, layout: Layout = Layout(), replicas: int = 2
) -> Iterator[Cluster]:
    """The action server, the replicas and nginx, up, for the time of the block.

    The replicas start one after the other: the first one creates Rasa's table in PostgreSQL,
    which two replicas creating it at once could fail to do.
    """
    cluster = Cluster(model, settings, layout)
    live_model.start_with(model, settings.live_model_file)  # not the model of an earlier run
    try:
        cluster.start_action_server(0)
        for index in range(replicas):
            cluster.start_replica(index)
        cluster.start_nginx(list(range(replicas)))
        yield cluster
    finally:
        cluster.stop()


# --- command line -------------------------------------------------------------------------

def _require_model() -> Path:
    model = training.current_model()
    if model is None:
        raise SystemExit("Aucun modèle à jour : lancez d'abord « python -m bot entrainer ».")
    return model


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_cluster() -> None:
    from bot.web.server import running_demo_page

    # Ctrl-C, or SIGTERM from a service manager, stops every process cleanly (a shell that starts
    # this in the background would have it ignore SIGINT).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    settings = cluster_settings(load_settings())
    model = _require_model()
    ensure_services(settings)
    print("Préparation des bases PostgreSQL…", flush=True)
    prepare_databases(settings)
    purge_at_start_up(settings)  # the retention period, as `make run` enforces it
    print("Démarrage du serveur d'actions, de deux répliques Rasa (une minute chacune) et de nginx…", flush=True)
    layout = Layout()
    with running_cluster(model, settings, layout) as cluster:
        front = replace(settings, rasa_port=layout.front_port)
        with running_demo_page(front) as demo_url:
            print(
                f"\nLa grappe est prête ({time.monotonic() - started:.0f} s) : nginx répartit entre "
                f"{', '.join(cluster.replica_url(i) for i in cluster.replicas)}.\n"
                f"  Page de démonstration : {demo_url}\n"
                f"  API REST rejouable : POST {cluster.front_url}/webhooks/rest_idempotent/webhook "
                '{"sender": "moi", "message": "bonjour", "message_id": "1"}\n'
                f"  Socket.IO : {cluster.front_url}/socket.io\n"
                f"  Journaux : {layout.directory}\n"
                "Ctrl-C pour arrêter.",
                flush=True,
            )
            try:
                while all(p.poll() is None for p in [cluster.nginx, *cluster.replicas.values()]):
                    time.sleep(1)
                print("Un processus de la grappe s'est arrêté : voir les journaux.", file=sys.stderr)
            except KeyboardInterrupt:
                print("\nArrêt de la grappe…", flush=True)


def exec_server(kind: str) -> None:
    """In a container: replace this process by the server, with the settings' environment."""
    settings = load_settings()
    env = service_environment(settings)
    if kind == "rasa":
        model = _require_model()
        live_model.publish(model, settings.live_model_file)  # not the model of an earlier run
        command = rasa_server_command(settings, model, env.get("RASA_AUTH_TOKEN"))
    else:
        command = action_server_command(settings)
    os.chdir(PROJECT_ROOT)
    os.execve(command[0], command, env)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("role", nargs="?", choices=["rasa", "actions", "bases"],
                        help="dans un conteneur : ce serveur seul, ou la préparation des bases "
                             "(sans argument : la grappe locale)")
    args = parser.parse_args(argv)
    if args.role == "bases":
        prepare_databases(load_settings())
        print("Bases prêtes.", flush=True)
        return 0
    if args.role:
        exec_server(args.role)
    try:
        serve_cluster()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
