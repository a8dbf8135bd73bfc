"""Serving speed: the REST channel, the action server and the SQLite bibliography, as `make run`.

Two systems, one after the other in the same run on the same machine:
- today's: the model of config.yml (no TensorFlow model), served as `make run` serves it: one
  Rasa worker per core, conversation locks in an SQLite file;
- the configuration of 2026-11-27 (benchmarks/configs/diet-ted.yml: DIET for the entities, TED
  for the dialogue), served as it was then: one Rasa process, locks in memory.

For each, on free ports with a fresh SQLite bibliography and conversation store:
- the time from starting the processes to the first answer (a REST message sent every 0.2 s);
- closed loop: three kinds of turn (FAQ, chit-chat, reading recommendation), each at 1, 10 and
  50 conversations at once, every conversation sending its next message as soon as it has the
  answer (the most the server can do). Conversations are opened before the clock starts and
  last TURNS_PER_CONVERSATION turns, as a visitor's do;
- open loop: messages arriving at random (Poisson) at OPEN_LOOP_RATE per second, spread over
  OPEN_LOOP_CONVERSATIONS conversations (each gets one every few seconds), whether or not the
  previous answers came: the latency a visitor sees at a busy hour, by kind of turn;
- a turn's cost at conversation lengths 5, 50 and 200 (the conversation store reads its events);
- p50/p95/p99 latency, messages per second, errors (no 200, no answer in 30 s, empty answer),
  answers that do not say what the turn asks for, and the memory of all the processes: the sum
  of their peak resident memory (VmHWM, which counts the pages the workers share once per
  worker), and the peak of their summed proportional memory (PSS, shared pages split between
  the processes that share them: what the machine pays);
- with --profile (and py-spy installed), where today's Rasa workers spend their time during the
  slowest kind of turn at 10 conversations, by module of the project or of Rasa.

    .venv/bin/python -m benchmarks.serving [--messages 200] [--profile] [--only-current]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
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
from bot.settings import EMBEDDED_LOCK_STORE, PROJECT_ROOT, Settings, load_settings, service_environment  # noqa: E402

WEBHOOK = "/webhooks/rest/webhook"
CONCURRENCY = (1, 10, 50)
TURNS_PER_CONVERSATION = 5
TURN_TIMEOUT_SECONDS = 30
START_DEADLINE_SECONDS = 300
PROFILED_CONCURRENCY = 10
SATURATION_CONCURRENCY = 50
OPEN_LOOP_RATE = 30.0  # messages per second
OPEN_LOOP_CONVERSATIONS = 50
OPEN_LOOP_SECONDS = 40
CONVERSATION_LENGTHS = (5, 50, 200)
TURNS_AT_LENGTH = 20
MEMORY_SAMPLE_SECONDS = 0.5
# Targets of the issue, for one `make run` on this 2-core machine.
TARGET_OPEN_LOOP_P99_MS = 150
TARGET_MESSAGES_PER_SECOND = 60
TARGET_FIRST_ANSWER_SECONDS = 20
TARGET_MEMORY_MIB = 1200
TARGET_TRAINING_SECONDS = 120
CURRENT_CONFIG = PROJECT_ROOT / "config.yml"
PREVIOUS_CONFIG = PROJECT_ROOT / "benchmarks" / "configs" / "diet-ted.yml"


@dataclass(frozen=True)
class System:
    """A configuration and the way its model is served."""

    name: str
    config: Path
    workers: Optional[int]  # None: one per core, as `make run`
    lock_store_type: str


SYSTEMS = (
    System("aujourd'hui (config.yml, make run)", CURRENT_CONFIG, None, EMBEDDED_LOCK_STORE),
    System("27/11/2026 (DIET + TED, un processus)", PREVIOUS_CONFIG, 1, "in_memory"),
)


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
    memory: "MemorySampler"
    first_answer_seconds: float = 0.0

    @property
    def url(self) -> str:
        return self.settings.rasa_url + WEBHOOK


def fresh_settings(directory: Path, system: System) -> Settings:
    """Free ports, a new seeded SQLite bibliography and an empty conversation store."""
    from bot.bibliography.seed import migrate_and_seed

    database_url = f"sqlite:///{directory / 'bibliotheque.sqlite3'}"
    migrate_and_seed(database_url)
    tracker = directory / "conversations.sqlite3"
    settings = replace(load_settings(), rasa_port=free_port(), action_port=free_port(),
                       database_url=database_url, tracker_store_url=f"sqlite:///{tracker}",
                       tracker_store_db=str(tracker), lock_store_type=system.lock_store_type,
                       lock_store_url=str(directory / "verrous.sqlite3"),
                       live_model_file=directory / "modele-en-service.txt")
    return replace(settings, rasa_workers=system.workers) if system.workers else settings


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
def running(model: Path, directory: Path, system: System, log_name: str) -> Iterator[Servers]:
    """Both servers started at the same instant, as a service manager would start them.

    Their output goes to <log_name>-rasa.log and <log_name>-actions.log under results/benchmarks/.
    """
    from bot import live_model

    settings = fresh_settings(directory, system)
    env = service_environment(settings)
    live_model.start_with(model, settings.live_model_file)
    BENCH_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(BENCH_RESULTS_DIR / f"{log_name}-actions.log", "w") as actions_log, \
            open(BENCH_RESULTS_DIR / f"{log_name}-rasa.log", "w") as rasa_log:
        started = time.monotonic()
        actions = subprocess.Popen(action_server_command(settings), cwd=PROJECT_ROOT, env=env,
                                   stdout=actions_log, stderr=subprocess.STDOUT)
        rasa = subprocess.Popen(rasa_server_command(settings, model), cwd=PROJECT_ROOT, env=env,
                                stdout=rasa_log, stderr=subprocess.STDOUT)
        sampler = MemorySampler([rasa.pid, actions.pid])
        try:
            with sampler:
                servers = Servers(settings, rasa, actions, sampler)
                servers.first_answer_seconds = first_answer(servers.url, started, (rasa, actions))
                yield servers
        finally:
            stop(rasa)
            stop(actions)


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (the Rasa server's workers)."""
    found, pids = [], [pid]
    while pids:
        current = pids.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _status_kib(pid: int, field_name: str, file: str = "status") -> float:
    try:
        match = re.search(rf"{field_name}:\s+(\d+)", Path(f"/proc/{pid}/{file}").read_text())
    except OSError:
        return 0.0
    return float(match.group(1)) if match else 0.0


def peak_memory_mib(pid: int) -> float:
    """The sum of the peak resident memory (VmHWM) of a process and of its children, in MiB."""
    return sum(_status_kib(p, "VmHWM") for p in process_tree(pid)) / 1024


def proportional_memory_mib(pids: Sequence[int]) -> float:
    """The summed proportional memory (PSS) of processes and of their children, in MiB."""
    return sum(_status_kib(p, "Pss", "smaps_rollup") for pid in pids for p in process_tree(pid)) / 1024


class MemorySampler:
    """The peak of the summed PSS of some processes, sampled in a thread while they run."""

    def __init__(self, pids: Sequence[int]) -> None:
        self.pids, self.peak_mib = list(pids), 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(MEMORY_SAMPLE_SECONDS):
            self.peak_mib = max(self.peak_mib, proportional_memory_mib(self.pids))

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


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


async def _timed_turn(session: aiohttp.ClientSession, url: str, sender: str, turn: Turn, cell: Cell) -> None:
    """One message; its latency, or its error, and whether the answer says what it should."""
    sent = time.monotonic()
    try:
        replies = await _post(session, url, sender, turn.text)
    except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError) as error:
        cell.errors[str(error) or type(error).__name__] += 1
        return
    cell.latencies.append(time.monotonic() - sent)
    said = "\n".join(r.get("text", "") for r in replies)
    if turn.expected not in said:
        cell.unexpected.append(f"« {turn.text} » → {said[:100]!r}")


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
                await _timed_turn(session, url, sender, turns[(number + index) % len(turns)], cell)

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


async def _open_loop(url: str, seconds: float, rate: float, conversations: int, run_id: str,
                     seed: int = 1) -> dict[str, Cell]:
    """Poisson arrivals at `rate` per second, message k to conversation k mod `conversations`,
    each conversation going through the kinds of turn in turn; nobody waits for an answer."""
    randomness = random.Random(seed)
    kinds = list(KINDS)
    cells = {kind: Cell(kind, conversations) for kind in kinds}
    senders = [f"ouvert-{run_id}-{i}" for i in range(conversations)]
    sent_per_sender = [0] * conversations

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await _open_conversations(session, url, senders, 10)
        started, pending, number = time.monotonic(), [], 0
        next_at = started
        while next_at - started < seconds:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            index = number % conversations
            kind = kinds[(index + sent_per_sender[index]) % len(kinds)]
            turn = KINDS[kind][sent_per_sender[index] % len(KINDS[kind])]
            sent_per_sender[index] += 1
            pending.append(asyncio.create_task(_timed_turn(session, url, senders[index], turn, cells[kind])))
            number += 1
            next_at += randomness.expovariate(rate)
        await asyncio.gather(*pending)
        for cell in cells.values():
            cell.seconds = time.monotonic() - started
    return cells


def open_loop(servers: Servers, run_id: str) -> dict[str, Cell]:
    cells = asyncio.run(_open_loop(servers.url, OPEN_LOOP_SECONDS, OPEN_LOOP_RATE, OPEN_LOOP_CONVERSATIONS, run_id))
    for kind, cell in cells.items():
        f = cell.figures()
        print(f"  ouvert {OPEN_LOOP_RATE:.0f}/s {kind:<10}: p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, "
              f"{f['answered']} réponses, {f['errors']} erreurs", flush=True)
    return cells


async def _at_length(url: str, length: int, run_id: str) -> Cell:
    """One conversation grown to `length` turns, then the latency of TURNS_AT_LENGTH more."""
    cell, sender = Cell("FAQ", length), f"longueur-{run_id}-{length}"
    turns = KINDS["FAQ"]
    async with aiohttp.ClientSession() as session:
        for number in range(length):
            await _post(session, url, sender, turns[number % len(turns)].text)
        started = time.monotonic()
        for number in range(TURNS_AT_LENGTH):
            sent = time.monotonic()
            await _post(session, url, sender, turns[number % len(turns)].text)
            cell.latencies.append(time.monotonic() - sent)
        cell.seconds = time.monotonic() - started
    return cell


def at_lengths(servers: Servers, run_id: str) -> list[Cell]:
    cells = []
    for length in CONVERSATION_LENGTHS:
        cell = asyncio.run(_at_length(servers.url, length, run_id))
        print(f"  conversation de {length} tours : p50 {cell.figures()['p50_ms']} ms", flush=True)
        cells.append(cell)
    return cells


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
    # The workers, not Sanic's parent process, which only waits for them.
    workers = process_tree(servers.rasa.pid)[1:] or [servers.rasa.pid]
    outputs = [BENCH_RESULTS_DIR / f"serving-profile-{n}.txt" for n in range(len(workers))]  # raw stacks
    recorders = [subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--output", str(output),
         "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for pid, output in zip(workers, outputs)]
    time.sleep(1)
    measure(servers, kind, PROFILED_CONCURRENCY, messages, run_id + "-profil")
    for recorder in recorders:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=60)
    raw = "\n".join(output.read_text() for output in outputs if output.exists())
    shares = profile_shares(raw)
    if not shares:
        print("  py-spy n'a rien enregistré (droit ptrace refusé ?) : pas de profil.", flush=True)
    return shares or None


# --- the report -----------------------------------------------------------------------------

@dataclass
class Run:
    """Everything measured for one system."""

    system: System
    closed: list[Cell]
    opened: dict[str, Cell]
    lengths: list[Cell]
    first_answer_seconds: float
    workers: int
    vmhwm_mib: float
    pss_peak_mib: float
    pss_end_mib: float
    training_seconds: Optional[float]
    profile: Optional[list[tuple[str, float]]] = None
    profiled_kind: str = ""

    def saturation(self) -> float:
        """The worst kind's messages per second at SATURATION_CONCURRENCY conversations."""
        return min(c.figures()["messages_per_second"] for c in self.closed if c.concurrency == SATURATION_CONCURRENCY)

    def worst_open_p99(self) -> float:
        return max(c.figures()["p99_ms"] for c in self.opened.values())

    def figures(self) -> dict:
        return {"system": self.system.name, "config": str(self.system.config.relative_to(PROJECT_ROOT)),
                "rasa_workers": self.workers, "lock_store": self.system.lock_store_type,
                "first_answer_seconds": round(self.first_answer_seconds, 1),
                "memory": {"vmhwm_sum_mib": round(self.vmhwm_mib), "pss_peak_mib": round(self.pss_peak_mib),
                           "pss_end_mib": round(self.pss_end_mib)},
                "training_seconds": self.training_seconds,
                "closed_loop": [c.figures() for c in self.closed],
                "open_loop": {k: c.figures() for k, c in self.opened.items()},
                "by_conversation_length": [c.figures() for c in self.lengths],
                "profile": {"kind": self.profiled_kind, "shares": self.profile} if self.profile else None}


def closed_table(runs: Sequence[Run]) -> str:
    rows = []
    for run in runs:
        for cell in run.closed:
            f = cell.figures()
            rows.append((run.system.name, f["kind"], f["concurrency"], f["answered"], f["p50_ms"], f["p95_ms"],
                         f["p99_ms"], f["messages_per_second"], f["errors"], f["unexpected_answers"]))
    return markdown_table(("système", "tour", "conversations", "réponses", "p50 (ms)", "p95 (ms)", "p99 (ms)",
                           "messages/s", "erreurs", "réponses inattendues"), rows)


def open_table(runs: Sequence[Run]) -> str:
    rows = []
    for run in runs:
        for kind, cell in run.opened.items():
            f = cell.figures()
            rows.append((run.system.name, kind, f["answered"], f["p50_ms"], f["p95_ms"], f["p99_ms"],
                         f["errors"], f["unexpected_answers"]))
    return markdown_table(("système", "tour", "réponses", "p50 (ms)", "p95 (ms)", "p99 (ms)", "erreurs",
                           "réponses inattendues"), rows)


def lengths_table(runs: Sequence[Run]) -> str:
    rows = [(run.system.name, cell.concurrency, cell.figures()["p50_ms"], cell.figures()["p95_ms"])
            for run in runs for cell in run.lengths]
    return markdown_table(("système", "tours déjà dans la conversation", "p50 (ms)", "p95 (ms)"), rows)


def resources_table(runs: Sequence[Run]) -> str:
    rows = [(run.system.name, run.workers, f"{run.first_answer_seconds:.1f} s", f"{run.vmhwm_mib:.0f} Mio",
             f"{run.pss_peak_mib:.0f} Mio", f"{run.pss_end_mib:.0f} Mio",
             f"{run.training_seconds:.0f} s" if run.training_seconds else "non mesuré")
            for run in runs]
    return markdown_table(("système", "processus Rasa", "démarrage → première réponse",
                           "mémoire : somme des pics (VmHWM)", "mémoire : pic de la somme (PSS)",
                           "mémoire : somme des PSS à la fin", "entraînement du modèle complet"), rows)


def targets_table(run: Run) -> str:
    def verdict(ok: bool) -> str:
        return "atteint" if ok else "manqué"

    saturation, p99 = run.saturation(), run.worst_open_p99()
    trained = run.training_seconds or float("inf")
    return markdown_table(("objectif", "mesuré", ""), [
        (f"≥ {TARGET_MESSAGES_PER_SECOND} messages/s à {SATURATION_CONCURRENCY} conversations (pire type de tour)",
         f"{saturation}", verdict(saturation >= TARGET_MESSAGES_PER_SECOND)),
        (f"p99 ≤ {TARGET_OPEN_LOOP_P99_MS} ms à {OPEN_LOOP_RATE:.0f} messages/s sur {OPEN_LOOP_CONVERSATIONS} "
         "conversations (pire type de tour)", f"{p99} ms", verdict(p99 <= TARGET_OPEN_LOOP_P99_MS)),
        (f"première réponse ≤ {TARGET_FIRST_ANSWER_SECONDS} s après le démarrage", f"{run.first_answer_seconds:.1f} s",
         verdict(run.first_answer_seconds <= TARGET_FIRST_ANSWER_SECONDS)),
        (f"mémoire de tous les processus ≤ {TARGET_MEMORY_MIB} Mio (pic de la somme des PSS)",
         f"{run.pss_peak_mib:.0f} Mio", verdict(run.pss_peak_mib <= TARGET_MEMORY_MIB)),
        (f"entraînement complet ≤ {TARGET_TRAINING_SECONDS} s", f"{trained:.0f} s",
         verdict(trained <= TARGET_TRAINING_SECONDS)),
    ])


def measure_system(system: System, messages: int, run_id: str, profile: bool) -> Run:
    print(f"\n{system.name} :", flush=True)
    model = training.train(config=system.config)
    log_name = "service-" + system.config.stem
    with tempfile.TemporaryDirectory(prefix="bench-service-") as directory, \
            running(model, Path(directory), system, log_name) as servers:
        print(f"  première réponse {servers.first_answer_seconds:.1f} s après le démarrage", flush=True)
        for kind in KINDS:  # warm-up: every kind once, outside the measures
            measure(servers, kind, 1, TURNS_PER_CONVERSATION, run_id + "-chauffe")
        closed = [measure(servers, kind, concurrency, messages, run_id)
                  for concurrency in CONCURRENCY for kind in KINDS]
        opened = open_loop(servers, run_id)
        lengths = at_lengths(servers, run_id)
        slowest = max(KINDS, key=lambda k: statistics.median(c.figures()["p50_ms"] for c in closed if c.kind == k))
        shares = profiled(servers, slowest, messages, run_id) if profile else None
        workers = len(process_tree(servers.rasa.pid)) - (1 if servers.settings.rasa_workers > 1 else 0)
        vmhwm = peak_memory_mib(servers.rasa.pid) + peak_memory_mib(servers.actions.pid)
        pss_end = proportional_memory_mib([servers.rasa.pid, servers.actions.pid])
        first, pss = servers.first_answer_seconds, servers.memory.peak_mib
    return Run(system, closed, opened, lengths, first, workers, vmhwm, pss, pss_end,
               training.training_seconds(model), shares, slowest)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=200, help="messages mesurés par case du tableau")
    parser.add_argument("--profile", action="store_true", help="profil du type de tour le plus lent (py-spy)")
    parser.add_argument("--only-current", action="store_true", help="sans la configuration du 27/11/2026")
    args = parser.parse_args(argv)
    header = run_header()
    run_id = str(int(time.time()))
    systems = SYSTEMS[:1] if args.only_current else SYSTEMS
    runs = [measure_system(system, args.messages, run_id, args.profile and system is SYSTEMS[0])
            for system in systems]
    current = runs[0]
    markdown = "\n\n".join([
        f"## Service — canal REST, serveur d'actions, bibliographie SQLite\n\n{header['date']}, {header['machine']}",
        "### Boucle fermée (chaque conversation envoie son message suivant dès la réponse)\n\n" + closed_table(runs),
        f"### Boucle ouverte ({OPEN_LOOP_RATE:.0f} messages/s au hasard sur {OPEN_LOOP_CONVERSATIONS} conversations, "
        f"{OPEN_LOOP_SECONDS} s)\n\n" + open_table(runs),
        "### Un tour selon la longueur de la conversation\n\n" + lengths_table(runs),
        "### Démarrage, mémoire, entraînement\n\n" + resources_table(runs),
        f"### Objectifs ({current.system.name})\n\n" + targets_table(current),
    ])
    if current.profile:
        markdown += (f"\n\nProfil des processus Rasa, tours « {current.profiled_kind} » à {PROFILED_CONCURRENCY} "
                     f"conversations (part des échantillons de py-spy) :\n\n"
                     + markdown_table(("module", "part"), [(m, f"{s:.0%}") for m, s in current.profile]))
    path = save("serving", {**header, "runs": [run.figures() for run in runs]}, markdown)
    print(f"\n{markdown}\n\nChiffres : {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
