"""SQLite files that the Rasa workers of one machine share (conversation locks, Telegram's update
ids): one connection per process and file, opened after Sanic's fork, never inherited from the
parent. What is kept there lasts seconds to minutes, so the file needs no durability
(`synchronous=OFF`); write-ahead logging lets workers read while another writes."""
from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_connections: dict[tuple[Path, int], sqlite3.Connection] = {}


def connection(path: Path) -> sqlite3.Connection:
    key = (Path(path), os.getpid())
    if key not in _connections:
        key[0].parent.mkdir(parents=True, exist_ok=True)
        opened = sqlite3.connect(key[0], timeout=30, isolation_level=None, check_same_thread=False)
        opened.execute("PRAGMA journal_mode=WAL")
        opened.execute("PRAGMA synchronous=OFF")
        _connections[key] = opened
    return _connections[key]


@contextmanager
def write_transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """One write transaction: no other process writes the file meanwhile."""
    opened = connection(path)
    opened.execute("BEGIN IMMEDIATE")
    try:
        yield opened
    except BaseException:
        opened.execute("ROLLBACK")
        raise
    opened.execute("COMMIT")
