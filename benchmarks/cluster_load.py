"""Conversations through nginx on two Rasa replicas, with a replica killed: nothing lost, nothing twice.

The long form of tests/cluster/ (`make bench`). On a cluster of its own (bot/cluster.py, fresh
PostgreSQL databases dropped afterwards, free ports), it measures:
1. latency and throughput through nginx with one replica balanced, then with two: N concurrent
   conversations of M turns each, every turn sent as soon as the previous answer arrives;
2. the fault run: N conversations of M turns while one replica is killed with SIGKILL and
   restarted, then the action server restarted. Each turn's reply is checked; afterwards every
   conversation is read back from PostgreSQL: each user message once, in order, with its reply.
Prints a Markdown table and writes results/cluster-load.json.

    .venv/bin/python benchmarks/cluster_load.py [--conversations 24] [--turns 10]

A turn goes to the retry-safe REST channel (bot/channels/rest.py) with a message id; on a 5xx,
a refused connection or no answer within ATTEMPT_TIMEOUT_SECONDS, the client sends it again with
the same id, up to TURN_DEADLINE_SECONDS.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterator, Optional, Sequence

import aiohttp
import yaml
from sqlalchemy import bindparam, create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.reporting import percentile  # noqa: E402
from bot import cluster as topology  # noqa: E402
from bot.bibliography.database import temporary_postgres_database  # noqa: E402
from bot.channels.rest import REPLAYED_HEADER  # noqa: E402
from bot.launcher import free_port  # noqa: E402
from bot.privacy.sender_ids import stored_sender_id  # noqa: E402
from bot.settings import PROJECT_ROOT, RESULTS_DIR, VAR_DIR, Settings, load_settings  # noqa: E402

WEBHOOK = "/webhooks/rest_idempotent/webhook"
ATTEMPT_TIMEOUT_SECONDS = 75  # more than nginx's 60 s read timeout: nginx answers first
TURN_DEADLINE_SECONDS = 150
KILLED_REPLICA = 1
# A client may get errors from the SIGKILL until the killed replica's locks expire and the turns
# they held are answered: at most the lock lifetime (TICKET_LOCK_LIFETIME), and a margin.
RETRY_WINDOW_MARGIN_SECONDS = 30


# --- what the visitors say, and what they must read --------------------------------------

@dataclass(frozen=True)
class Turn:
    text: str
    expected: tuple[str, ...]  # each must appear in the turn's replies (client and tracker)


def _faq_answers() -> dict[str, str]:
    answers = {}
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("faq_*.yml")):
        for name, variants in (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).items():
            answers[name.split("/", 1)[1]] = variants[0]["text"].split("\n")[0][:60]
    return answers


FAQ = _faq_answers()
OPENING = Turn("bonjour", ("Que voulez-vous savoir",))
SESSION_GREETING = "assistant automatique"  # utter_transparency, sent before the first answer
MIDDLE_BLOCKS: tuple[tuple[Turn, ...], ...] = (
    (Turn("c'est quoi la pair-aidance ?", (FAQ["definition_pair_aidance"],)),),
    (Turn("des livres sur la pair-aidance", ("1. Franck, N.",)),
     Turn("d'autres ?", ("Voici la suite", "4. Gardien"))),
    (Turn("merci", ("Avec plaisir",)),),
    (Turn("c'est quoi un GEM ?", (FAQ["gem"],)),),
    (Turn("tu es un robot ?", ("pas une personne",)),),
    (Turn("qu'est-ce qu'un médiateur de santé pair ?", (FAQ["mediateur_sante_pair"],)),),
)
# The last two turns call the action server, to be under way while it restarts.
CLOSING = (
    Turn("des articles sur la médiation en santé", ("1. Haschar-Noé",)),
    Turn("d'autres ?", ("pas d'autres lectures",)),
)


def script(conversation: int, turns: int) -> list[Turn]:
    """Turns of one conversation: a greeting, FAQ, chit-chat and readings, readings last."""
    middle: list[Turn] = []
    block = conversation
    while len(middle) < max(0, turns - 1 - len(CLOSING)):
        middle.extend(MIDDLE_BLOCKS[block % len(MIDDLE_BLOCKS)])
        block += 1
    middle = middle[: max(0, turns - 1 - len(CLOSING))]
    if middle and middle[-1].text == MIDDLE_BLOCKS[1][0].text:  # a search cut before "d'autres ?"
        middle[-1] = MIDDLE_BLOCKS[2][0]
    return ([OPENING, *middle, *CLOSING])[:turns]


def reply_problem(turn: Turn, texts: Sequence[str], opening: bool = False) -> Optional[str]:
    joined = "\n".join(texts)
    expected = (*turn.expected, SESSION_GREETING) if opening else turn.expected
    missing = [e for e in expected if e not in joined]
    return f"« {turn.text} » → {joined[:120]!r} (manque {missing})" if missing else None


# --- the client -------------------------------------------------------------------------

@dataclass
class TurnResult:
    conversation: str
    index: int
    message_id: str
    text: str
    ok: bool = False
    latency: float = 0.0  # from the first attempt to the accepted answer
    attempts: int = 0
    replayed: bool = False
    errors: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, status)
    problem: Optional[str] = None


class Load:
    """N conversations in parallel through nginx; the fault run opens gates between turns."""

    def __init__(self, front_url: str, conversations: int, turns: int, think: float = 0.0) -> None:
        self.url = front_url + WEBHOOK
        self.run_id = uuid.uuid4().hex[:8]
        self.scripts = {f"charge-{self.run_id}-{i:03d}": script(i, turns) for i in range(conversations)}
        self.think = think
        self.results: list[TurnResult] = []
        self.started = time.monotonic()
        # Gates: before turn k (0-based), wait for this event.
        self.gates: dict[int, asyncio.Event] = {}
        self.turn_started: Counter[int] = Counter()
        self.stopped_early = 0  # conversations that gave up on a turn
        self.in_flight = 0  # turns sent and not answered yet

    def now(self) -> float:
        return time.monotonic() - self.started

    async def run(self) -> list[TurnResult]:
        self.started = time.monotonic()
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(*(self._conversation(session, c, s) for c, s in self.scripts.items()))
        return self.results

    async def _conversation(self, session: aiohttp.ClientSession, sender: str, turns: list[Turn]) -> None:
        rng = random.Random(sender)
        for index, turn in enumerate(turns):
            if index in self.gates:
                await self.gates[index].wait()
            if self.think and index:
                await asyncio.sleep(rng.uniform(0, self.think))
            self.turn_started[index] += 1
            self.in_flight += 1
            result = await self._send(session, sender, index, turn)
            self.in_flight -= 1
            self.results.append(result)
            if not result.ok:
                self.stopped_early += 1
                return  # the next turns would not make sense; they count as lost

    async def _send(self, session: aiohttp.ClientSession, sender: str, index: int, turn: Turn) -> TurnResult:
        result = TurnResult(sender, index, f"{sender}-{index}", turn.text)
        body = {"sender": sender, "message": turn.text, "message_id": result.message_id}
        first = time.monotonic()
        while time.monotonic() - first < TURN_DEADLINE_SECONDS:
            result.attempts += 1
            try:
                timeout = aiohttp.ClientTimeout(total=ATTEMPT_TIMEOUT_SECONDS)
                async with session.post(self.url, json=body, timeout=timeout) as response:
                    if response.status == 200:
                        replies = await response.json()
                        result.ok, result.latency = True, time.monotonic() - first
                        result.replayed = response.headers.get(REPLAYED_HEADER) == "1"
                        texts = [m.get("text", "") for m in replies]
                        result.problem = reply_problem(turn, texts, opening=index == 0)
                        return result
                    result.errors.append((self.now(), str(response.status)))
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                result.errors.append((self.now(), type(error).__name__))
            await asyncio.sleep(min(0.5 * 2 ** (result.attempts - 1), 4))
        result.problem = f"« {turn.text} » sans réponse après {result.attempts} essais"
        return result


# --- what PostgreSQL holds ----------------------------------------------------------------

@dataclass
class TrackerCheck:
    lost: int = 0  # sent turns whose message is not in the tracker
    duplicated: int = 0  # user messages stored more than once
    out_of_order: int = 0  # conversations whose messages are not in the order sent
    without_reply: int = 0  # stored messages not followed by their expected reply
    problems: list[str] = field(default_factory=list)


def stored_events(settings: Settings, senders: Sequence[str]) -> dict[str, list[dict]]:
    """The user and bot events of these conversations, in order, as PostgreSQL holds them (under
    the keyed hash of each sender id, bot/privacy/)."""
    stored = {stored_sender_id(s, settings): s for s in senders}
    engine = create_engine(settings.tracker_store_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT sender_id, type_name, data FROM events WHERE sender_id IN :ids "
                 "AND type_name IN ('user', 'bot') ORDER BY id").bindparams(bindparam("ids", expanding=True)),
            {"ids": list(stored)},
        ).all()
    engine.dispose()
    events: dict[str, list[dict]] = defaultdict(list)
    for sender, _, data in rows:
        events[stored[sender]].append(json.loads(data))
    return events


def check_trackers(settings: Settings, load: Load) -> TrackerCheck:
    events = stored_events(settings, list(load.scripts))
    check = TrackerCheck()
    sent = defaultdict(list)
    for result in sorted(load.results, key=lambda r: (r.conversation, r.index)):
        sent[result.conversation].append(result)
    for sender, turns in load.scripts.items():
        users = [(i, e) for i, e in enumerate(events[sender]) if e["event"] == "user"]
        stored_ids = [e.get("message_id") for _, e in users]
        counts = Counter(stored_ids)
        check.duplicated += sum(n - 1 for n in counts.values() if n > 1)
        expected_ids = [f"{sender}-{i}" for i in range(len(turns))]
        missing = [m for m in expected_ids if m not in counts]
        check.lost += len(missing)
        if missing:
            check.problems.append(f"{sender} : messages absents {missing}")
        if list(dict.fromkeys(stored_ids)) != [m for m in expected_ids if m in counts]:
            check.out_of_order += 1
            check.problems.append(f"{sender} : ordre {stored_ids}")
        for position, (event_index, event) in enumerate(users):
            end = users[position + 1][0] if position + 1 < len(users) else len(events[sender])
            bot_texts = [e.get("text") or "" for e in events[sender][event_index + 1:end] if e["event"] == "bot"]
            turn_index = expected_ids.index(event["message_id"]) if event.get("message_id") in expected_ids else None
            problem = "message inconnu" if turn_index is None else reply_problem(turns[turn_index], bot_texts)
            if problem:
                check.without_reply += 1
                check.problems.append(f"{sender} : {problem}")
    return check


# --- runs -------------------------------------------------------------------------------

@dataclass
class PhaseReport:
    name: str
    conversations: int
    turns: int
    answered: int
    seconds: float
    turns_per_second: float
    p50: float
    p95: float
    p99: float
    wrong_replies: list[str]
    failed_turns: int
    retried_turns: int
    replayed_turns: int
    errors: list[tuple[float, str]]
    nginx_retries: int = 0
    faults: dict = field(default_factory=dict)
    tracker: Optional[dict] = None
    errors_outside_window: list[tuple[float, str]] = field(default_factory=list)


def phase_report(name: str, load: Load, seconds: float, nginx_retries: int) -> PhaseReport:
    answered = [r for r in load.results if r.ok]
    latencies = [r.latency for r in answered]
    return PhaseReport(
        name=name, conversations=len(load.scripts), turns=sum(len(s) for s in load.scripts.values()),
        answered=len(answered), seconds=round(seconds, 1),
        turns_per_second=round(len(answered) / seconds, 2) if seconds else 0.0,
        p50=round(percentile(latencies, 50), 3), p95=round(percentile(latencies, 95), 3),
        p99=round(percentile(latencies, 99), 3),
        wrong_replies=[r.problem for r in load.results if r.problem],
        failed_turns=sum(not r.ok for r in load.results),
        retried_turns=sum(r.attempts > 1 for r in load.results),
        replayed_turns=sum(r.replayed for r in load.results),
        errors=[e for r in load.results for e in r.errors], nginx_retries=nginx_retries,
    )


def _nginx_retries(log: Path, offset: int) -> int:
    """Requests nginx sent to a second replica (two upstream addresses in its access log)."""
    if not log.exists():
        return 0
    with log.open("rb") as handle:
        handle.seek(offset)
        lines = handle.read().decode("utf-8", "replace").splitlines()
    return sum(1 for line in lines if WEBHOOK in line and "upstream=" in line and "," in line.split("upstream=")[1])


def _log_size(log: Path) -> int:
    return log.stat().st_size if log.exists() else 0


def measure(cluster: topology.Cluster, name: str, conversations: int, turns: int) -> PhaseReport:
    """Closed loop: each conversation sends its next turn as soon as it has the answer."""
    log = cluster.layout.directory / "nginx-access.log"
    offset = _log_size(log)
    load = Load(cluster.front_url, conversations, turns)
    started = time.monotonic()
    asyncio.run(load.run())
    return phase_report(name, load, time.monotonic() - started, _nginx_retries(log, offset))


def fault_run(cluster: topology.Cluster, conversations: int, turns: int, think: float = 1.5) -> PhaseReport:
    """Turn 2 of every conversation under way → SIGKILL of a replica, restarted at once; the
    turns go on meanwhile. The last but one waits for the replica, while the action server
    restarts; the last waits for both. Then PostgreSQL is read back."""
    assert turns >= 4, "il faut au moins 4 tours : avant, pendant et après les pannes"
    log = cluster.layout.directory / "nginx-access.log"
    offset = _log_size(log)
    load = Load(cluster.front_url, conversations, turns, think=think)
    faults: dict[str, float] = {}

    async def controller() -> None:
        while load.turn_started[1] + load.stopped_early < conversations:
            await asyncio.sleep(0.01)
        # The replicas have received the turns and taken their locks; most are still running.
        await asyncio.sleep(0.05)
        faults["in_flight_at_sigkill"] = load.in_flight
        faults["sigkill"] = load.now()
        cluster.kill_replica(KILLED_REPLICA)
        await asyncio.to_thread(cluster.start_replica, KILLED_REPLICA)
        faults["replica_back"] = load.now()
        # The action server restarts without a gap: a new one on the free slot, then the old one
        # stops while the turns of the gate call it.
        old = next(iter(cluster.action_servers))
        await asyncio.to_thread(cluster.start_action_server, 1 - old)
        faults["new_action_server_up"] = load.now()
        load.gates[turns - 2].set()
        await asyncio.sleep(load.think / 2)
        faults["old_action_server_stops"] = load.now()
        await asyncio.to_thread(cluster.stop_action_server, old)
        faults["old_action_server_stopped"] = load.now()
        load.gates[turns - 1].set()

    async def scenario() -> None:
        load.gates = {turns - 2: asyncio.Event(), turns - 1: asyncio.Event()}
        await asyncio.gather(load.run(), controller())

    started = time.monotonic()
    asyncio.run(scenario())
    report = phase_report("pannes", load, time.monotonic() - started, _nginx_retries(log, offset))
    report.faults = {k: round(v, 1) for k, v in faults.items()}
    window_end = faults["sigkill"] + cluster.settings.lock_lifetime + RETRY_WINDOW_MARGIN_SECONDS
    report.errors_outside_window = [e for e in report.errors if not faults["sigkill"] <= e[0] <= window_end]
    report.faults["retry_window_end"] = round(window_end, 1)
    report.tracker = asdict(check_trackers(cluster.settings, load))
    return report


# --- a cluster of its own ---------------------------------------------------------------

@contextmanager
def throwaway_cluster(model: Path, directory: Path) -> Iterator[topology.Cluster]:
    """The topology of bot/cluster.py on free ports, with new PostgreSQL databases dropped after."""
    settings = topology.cluster_settings(load_settings())
    topology.ensure_services(settings)
    admin_url = str(topology.make_url(settings.tracker_store_url).set(database="postgres"))
    with ExitStack() as stack:
        tracker_url = stack.enter_context(temporary_postgres_database(admin_url, "grappe_conversations"))
        database_url = stack.enter_context(temporary_postgres_database(admin_url, "grappe_biblio"))
        if tracker_url is None or database_url is None:
            raise RuntimeError(f"PostgreSQL ne répond pas à {admin_url}.")
        settings = replace(
            settings, tracker_store_url=tracker_url, tracker_store_db=topology.make_url(tracker_url).database,
            database_url=database_url,
        )
        topology.prepare_databases(settings)
        layout = topology.Layout(
            front_port=free_port(), replica_ports=(free_port(), free_port()),
            action_ports=(free_port(), free_port()), actions_proxy_port=free_port(), directory=directory,
        )
        yield stack.enter_context(topology.running_cluster(model, settings, layout))


def warm_up(cluster: topology.Cluster) -> None:
    """One conversation on each replica, so that no measure includes a first-call cost."""
    for index in cluster.replicas:
        load = Load(cluster.replica_url(index), 1, 3)
        asyncio.run(load.run())


def markdown(reports: Sequence[PhaseReport]) -> str:
    lines = [
        "| phase | conversations × tours | tours répondus | tours/s | p50 (s) | p95 (s) | p99 (s) | réponses fausses | tours perdus | tours en double |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        lost = r.tracker["lost"] if r.tracker else "—"
        duplicated = r.tracker["duplicated"] if r.tracker else "—"
        lines.append(
            f"| {r.name} | {r.conversations} × {r.turns // max(1, r.conversations)} | {r.answered}/{r.turns} "
            f"| {r.turns_per_second} | {r.p50} | {r.p95} | {r.p99} | {len(r.wrong_replies)} | {lost} | {duplicated} |"
        )
    return "\n".join(lines)


def main() -> int:
    from bot import training

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=24)
    parser.add_argument("--turns", type=int, default=10)
    args = parser.parse_args()
    model = training.current_model()
    if model is None:
        print("Aucun modèle à jour : lancez d'abord « python -m bot entrainer ».", file=sys.stderr)
        return 1
    reports = []
    with throwaway_cluster(model, VAR_DIR / "cluster-bench") as cluster:
        warm_up(cluster)
        cluster.balance([0])
        reports.append(measure(cluster, "1 réplique", args.conversations, args.turns))
        cluster.balance([0, 1])
        reports.append(measure(cluster, "2 répliques", args.conversations, args.turns))
        reports.append(fault_run(cluster, args.conversations, args.turns))
    fault = reports[-1]
    print(markdown(reports))
    print(
        f"\nPannes (secondes depuis le début de la phase) : {fault.faults}. Essais renvoyés par les "
        f"clients : {fault.retried_turns}, réponses rejouées depuis PostgreSQL : {fault.replayed_turns}, "
        f"requêtes renvoyées par nginx à l'autre réplique : {fault.nginx_retries}, erreurs vues par les "
        f"clients : {len(fault.errors)} (hors fenêtre : {len(fault.errors_outside_window)})."
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    output = RESULTS_DIR / "cluster-load.json"
    output.write_text(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"Détails : {output}")
    ok = not fault.wrong_replies and not fault.failed_turns and not fault.errors_outside_window
    return 0 if ok and fault.tracker["lost"] == 0 and fault.tracker["duplicated"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
