"""Serving speed: the REST channel, the action server and the SQLite bibliography, as `make run`.

Starts the two servers of `make run` on free ports, with a fresh SQLite bibliography and
conversation store, and measures:
- the time from starting the processes to the first answer (a REST message sent every 0.2 s);
- three kinds of turn (FAQ, chit-chat, reading recommendation), each at 1, 10 and 50
  conversations at once: every conversation sends its next message as soon as it has the
  answer. Conversations are opened (greeting and session start) before the clock starts and
  last TURNS_PER_CONVERSATION turns, as a visitor's do, so that the figures are of the kind
  of turn, not of ever-growing conversations;
- p50/p95/p99 latency, messages per second, errors (no 200, no answer in 30 s, empty answer),
  answers that do not say what the turn asks for, and the peak resident memory (VmHWM) of the
  Rasa server and of the action server;
- with --profile (and py-spy installed), where the Rasa server spends its time during the
  slowest kind of turn at 10 conversations, by module of the project or of Rasa.

    .venv/bin/python benchmarks/serving.py [--messages 200] [--profile]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Optional, Sequence

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.reporting import BENCH_RESULTS_DIR, markdown_table, percentile, run_header, save  # noqa: E402
from bot import training  # noqa: E402
from bot.launcher import action_server_command, free_port, rasa_server_command, stop  # noqa: E402
from bot.settings import PROJECT_ROOT, Settings, load_settings, service_environment  # noqa: E402

WEBHOOK = "/webhooks/rest/webhook"
CONCURRENCY = (1, 10, 50)
TURNS_PER_CONVERSATION = 5
TURN_TIMEOUT_SECONDS = 30
START_DEADLINE_SECONDS = 300
PROFILED_CONCURRENCY = 10
# Targets of the issue, for one replica on this 2-core machine.
TARGET_P99_AT_10_MS = 150
TARGET_MESSAGES_PER_SECOND = 60
TARGET_FIRST_ANSWER_SECONDS = 20


@dataclass(frozen=True)
class Turn:
    text: str
    expected: str  # a fragment of the answer that shows the turn was understood


# What visitors say, by kind of turn. A conversation of a kind sends these in a loop, starting
# at its own offset, so that concurrent conversations do not all say the same thing at once.
KINDS: dict[str, tuple[Turn, ...]] = {
    "FAQ": (
        Turn("c'est quoi la pair-aidance ?", "pair-aidance"),
        Turn("qu'est-ce qu'un médiateur de santé pair ?", "médiat"),
        Turn("c'est quoi un GEM ?", "GEM"),
        Turn("comment devenir travailleur pair ?", "formation"),
        Turn("les travailleurs pairs sont payés combien ?", "salari"),
    ),
    "bavardage": (
        Turn("merci", "Avec plaisir"),
        Turn("tu es un robot ?", "pas une personne"),
        Turn("bonjour", "Que voulez-vous savoir"),
        Turn("super merci beaucoup", "Avec plaisir"),
        Turn("t'es humain ?", "pas une personne"),
    ),
    "lecture": (
        Turn("des livres sur la pair-aidance", "1. "),
        Turn("d'autres ?", ""),
        Turn("des articles sur la médiation en santé", "1. "),
        Turn("je cherche des lectures sur le rétablissement", "1. "),
        Turn("un rapport sur les médiateurs de santé pairs", ""),
    ),
}
OPENING = "bonjour"


# --- the servers ----------------------------------------------------------------------------

@dataclass
class Servers:
    settings: Settings
    rasa: subprocess.Popen
    actions: subprocess.Popen
    first_answer_seconds: float = 0.0

    @property
    def url(self) -> str:
        return self.settings.rasa_url + WEBHOOK


def fresh_settings(directory: Path) -> Settings:
    """Free ports, a new seeded SQLite bibliography and an empty conversation store."""
    from bot.bibliography.seed import migrate_and_seed

    database_url = f"sqlite:///{directory / 'bibliotheque.sqlite3'}"
    migrate_and_seed(database_url)
    tracker = directory / "conversations.sqlite3"
    return replace(load_settings(), rasa_port=free_port(), action_port=free_port(),
                   database_url=database_url, tracker_store_url=f"sqlite:///{tracker}",
                   tracker_store_db=str(tracker))


def first_answer(url: str, started: float, processes: Sequence[subprocess.Popen]) -> float:
    """Seconds from `started` to the first 200 with an answer, sending one message every 0.2 s."""
    import urllib.error
    import urllib.request

    body = json.dumps({"sender": "premier-visiteur", "message": OPENING}).encode()
    while time.monotonic() - started < START_DEADLINE_SECONDS:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError(f"Un serveur s'est arrêté au démarrage (journaux : {BENCH_RESULTS_DIR}).")
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TURN_TIMEOUT_SECONDS) as response:
                if json.loads(response.read() or b"[]"):
                    return time.monotonic() - started
        except (OSError, urllib.error.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"Pas de réponse en {START_DEADLINE_SECONDS} s.")


@contextmanager
def running(model: Path, directory: Path) -> Iterator[Servers]:
    """Both servers started at the same instant, as a service manager would start them.

    Their output goes to rasa.log and actions.log under results/benchmarks/.
    """
    settings = fresh_settings(directory)
    env = service_environment(settings)
    BENCH_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(BENCH_RESULTS_DIR / "actions.log", "w") as actions_log, \
            open(BENCH_RESULTS_DIR / "rasa.log", "w") as rasa_log:
        started = time.monotonic()
        actions = subprocess.Popen(action_server_command(settings), cwd=PROJECT_ROOT, env=env,
                                   stdout=actions_log, stderr=subprocess.STDOUT)
        rasa = subprocess.Popen(rasa_server_command(settings, model), cwd=PROJECT_ROOT, env=env,
                                stdout=rasa_log, stderr=subprocess.STDOUT)
        try:
            servers = Servers(settings, rasa, actions)
            servers.first_answer_seconds = first_answer(servers.url, started, (rasa, actions))
            yield servers
        finally:
            stop(rasa)
            stop(actions)


def peak_memory_mib(pid: int) -> float:
    """The peak resident memory (VmHWM) of a process and of its children, in MiB."""
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError):
            continue
    return total


# --- the load -------------------------------------------------------------------------------

@dataclass
class Cell:
    kind: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def figures(self) -> dict:
        ms = [1000 * s for s in self.latencies]
        return {
            "kind": self.kind, "concurrency": self.concurrency, "answered": len(ms),
            "p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "messages_per_second": round(len(ms) / self.seconds, 1) if self.seconds else 0.0,
            "errors": sum(self.errors.values()), "error_kinds": dict(self.errors),
            "unexpected_answers": len(self.unexpected), "unexpected_examples": self.unexpected[:5],
        }


async def _post(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> list[dict]:
    timeout = aiohttp.ClientTimeout(total=TURN_TIMEOUT_SECONDS)
    async with session.post(url, json={"sender": sender, "message": text}, timeout=timeout) as response:
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        replies = await response.json()
        if not replies:
            raise RuntimeError("réponse vide")
        return replies


async def _open_conversations(session, url: str, senders: Sequence[str], concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def open_one(sender: str) -> None:
        async with gate:
            await _post(session, url, sender, OPENING)

    await asyncio.gather(*(open_one(s) for s in senders))


async def _measure(url: str, kind: str, concurrency: int, messages: int, run_id: str) -> Cell:
    cell = Cell(kind, concurrency)
    turns = KINDS[kind]
    count = max(concurrency, -(-messages // TURNS_PER_CONVERSATION))
    senders = [f"mesure-{run_id}-{kind}-{concurrency}-{i}" for i in range(count)]
    queue: asyncio.Queue = asyncio.Queue()
    for number, sender in enumerate(senders):
        queue.put_nowait((number, sender))

    async def visitor(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            number, sender = queue.get_nowait()
            for index in range(TURNS_PER_CONVERSATION):
                turn = turns[(number + index) % len(turns)]
                sent = time.monotonic()
                try:
                    replies = await _post(session, url, sender, turn.text)
                except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError) as error:
                    cell.errors[str(error) or type(error).__name__] += 1
                    continue
                cell.latencies.append(time.monotonic() - sent)
                said = "\n".join(r.get("text", "") for r in replies)
                if turn.expected not in said:
                    cell.unexpected.append(f"« {turn.text} » → {said[:100]!r}")

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await _open_conversations(session, url, senders, concurrency)
        started = time.monotonic()
        await asyncio.gather(*(visitor(session) for _ in range(concurrency)))
        cell.seconds = time.monotonic() - started
    return cell


def measure(servers: Servers, kind: str, concurrency: int, messages: int, run_id: str) -> Cell:
    cell = asyncio.run(_measure(servers.url, kind, concurrency, messages, run_id))
    figures = cell.figures()
    print(f"  {kind:<10} × {concurrency:>2} : p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
          f"{figures['messages_per_second']} messages/s, {figures['errors']} erreurs", flush=True)
    return cell


# --- the profile ----------------------------------------------------------------------------

FRAME_FILE = re.compile(r"\(([^()]*?):\d+\)")
# py-spy names a file relative to its entry of sys.path ("rasa/core/agent.py"), or in full.
OWN_CODE = re.compile(r"(?:^|/)((?:rasa|rasa_sdk|bot|components|actions)/[^()]*\.py)$")


def module_of(stack: str) -> str:
    """The module of the project or of Rasa closest to the leaf of a py-spy stack."""
    for path in reversed(FRAME_FILE.findall(stack)):
        match = OWN_CODE.search(path)
        if match:
            return match.group(1)
    return "(hors Rasa et projet)"


def profile_shares(raw: str) -> list[tuple[str, float]]:
    """Share of samples by module, from py-spy's raw (collapsed stacks) output."""
    counts: Counter = Counter()
    for line in raw.splitlines():
        stack, _, number = line.rpartition(" ")
        if stack and number.isdigit():
            counts[module_of(stack)] += int(number)
    total = sum(counts.values()) or 1
    return [(module, n / total) for module, n in counts.most_common(12)]


def profiled(servers: Servers, kind: str, messages: int, run_id: str) -> Optional[list[tuple[str, float]]]:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        print("  py-spy n'est pas installé : pas de profil (pip install py-spy).", flush=True)
        return None
    output = BENCH_RESULTS_DIR / "serving-profile.txt"  # py-spy's raw stacks, for a closer look
    recorder = subprocess.Popen(
        [py_spy, "record", "--pid", str(servers.rasa.pid), "--format", "raw", "--rate", "200",
         "--output", str(output), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    measure(servers, kind, PROFILED_CONCURRENCY, messages, run_id + "-profil")
    recorder.send_signal(signal.SIGINT)
    recorder.wait(timeout=60)
    raw = output.read_text() if output.exists() else ""
    shares = profile_shares(raw)
    if not shares:
        print("  py-spy n'a rien enregistré (droit ptrace refusé ?) : pas de profil.", flush=True)
    return shares or None


# --- the report -----------------------------------------------------------------------------

def latency_table(cells: Sequence[Cell]) -> str:
    rows = []
    for cell in cells:
        f = cell.figures()
        rows.append((f["kind"], f["concurrency"], f["answered"], f["p50_ms"], f["p95_ms"], f["p99_ms"],
                     f["messages_per_second"], f["errors"], f["unexpected_answers"]))
    return markdown_table(("tour", "conversations", "réponses", "p50 (ms)", "p95 (ms)", "p99 (ms)",
                           "messages/s", "erreurs", "réponses inattendues"), rows)


def targets_table(cells: Sequence[Cell], first_answer_seconds: float) -> str:
    at_10 = [c.figures() for c in cells if c.concurrency == PROFILED_CONCURRENCY]
    worst_p99 = max(f["p99_ms"] for f in at_10)
    best_rate = min(max(c.figures()["messages_per_second"] for c in cells if c.kind == kind) for kind in KINDS)

    def verdict(ok: bool) -> str:
        return "atteint" if ok else "manqué"

    return markdown_table(("objectif", "mesuré", ""), [
        (f"p99 < {TARGET_P99_AT_10_MS} ms à 10 conversations (pire type de tour)", f"{worst_p99} ms",
         verdict(worst_p99 < TARGET_P99_AT_10_MS)),
        (f"≥ {TARGET_MESSAGES_PER_SECOND} messages/s par réplique (pire type de tour, meilleure charge)",
         f"{best_rate}", verdict(best_rate >= TARGET_MESSAGES_PER_SECOND)),
        (f"première réponse < {TARGET_FIRST_ANSWER_SECONDS} s après le démarrage",
         f"{first_answer_seconds:.1f} s", verdict(first_answer_seconds < TARGET_FIRST_ANSWER_SECONDS)),
    ])


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=200, help="messages mesurés par case du tableau")
    parser.add_argument("--profile", action="store_true", help="profil du type de tour le plus lent (py-spy)")
    args = parser.parse_args(argv)
    model = training.current_model()
    if model is None:
        print("Aucun modèle à jour : lancez d'abord « python -m bot entrainer ».", file=sys.stderr)
        return 1
    header = run_header()
    run_id = str(int(time.time()))
    with tempfile.TemporaryDirectory(prefix="bench-service-") as directory, \
            running(model, Path(directory)) as servers:
        print(f"Première réponse {servers.first_answer_seconds:.1f} s après le démarrage.", flush=True)
        for kind in KINDS:  # warm-up: every kind once, outside the measures
            measure(servers, kind, 1, TURNS_PER_CONVERSATION, run_id + "-chauffe")
        cells = [measure(servers, kind, concurrency, args.messages, run_id)
                 for concurrency in CONCURRENCY for kind in KINDS]
        slowest = max(KINDS, key=lambda k: statistics.median(
            c.figures()["p50_ms"] for c in cells if c.kind == k))
        profile = profiled(servers, slowest, args.messages, run_id) if args.profile else None
        memory = {"rasa_mib": round(peak_memory_mib(servers.rasa.pid)),
                  "action_server_mib": round(peak_memory_mib(servers.actions.pid))}
        first = servers.first_answer_seconds
    trained = training.training_seconds(model)
    markdown = "\n\n".join([
        f"## Service — canal REST, serveur d'actions, bibliographie SQLite\n\n{header['date']}, {header['machine']}",
        latency_table(cells),
        markdown_table(("démarrage → première réponse", "mémoire max. Rasa", "mémoire max. serveur d'actions",
                        "entraînement du modèle"),
                       [(f"{first:.1f} s", f"{memory['rasa_mib']} Mio", f"{memory['action_server_mib']} Mio",
                         f"{trained:.0f} s" if trained else "non mesuré")]),
        targets_table(cells, first),
    ])
    if profile:
        markdown += (f"\n\nProfil du serveur Rasa, tours « {slowest} » à {PROFILED_CONCURRENCY} conversations "
                     f"(part des échantillons de py-spy) :\n\n"
                     + markdown_table(("module", "part"), [(m, f"{s:.0%}") for m, s in profile]))
    figures = {**header, "first_answer_seconds": round(first, 1), "peak_memory": memory,
               "training_seconds": trained, "cells": [c.figures() for c in cells],
               "profile": {"kind": slowest, "shares": profile} if profile else None}
    path = save("serving", figures, markdown)
    print(f"\n{markdown}\n\nChiffres : {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
