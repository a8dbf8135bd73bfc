"""A visitor's id as the conversation store keeps it: HMAC-SHA256 under a key of the library.

The channels know the real id (the widget's session id, the Telegram chat id), because answers
must reach the visitor; the database only ever sees its keyed hash. Someone who reads the
database (a backup, a librarian's export) can then neither tell which Telegram account spoke,
nor take over a widget conversation by reusing its session id. With the key, the library can
still find one conversation when its visitor asks for it to be erased.

The key is `SENDER_ID_KEY`; without it, one is generated once into var/ (never committed). Every
process that reads or writes conversations (Rasa, the command line, the tests) must use the
same key: in a deployment of several machines, set SENDER_ID_KEY on all of them.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Optional

from bot.settings import VAR_DIR, Settings, load_settings

KEY_FILE = VAR_DIR / "sender_id.key"
MIN_KEY_LENGTH = 16


class SenderIdKeyError(RuntimeError):
    """The configured key cannot be used; the message says what to do, in French."""


def stored_sender_id(sender_id: str, settings: Optional[Settings] = None) -> str:
    """The id under which the conversation of `sender_id` is stored (64 hexadecimal digits)."""
    return keyed_hash(sender_id_key(settings), sender_id)


def keyed_hash(key: bytes, sender_id: str) -> str:
    # surrogatepass: an id that is not valid Unicode (Rasa's HTTP API does not check) still hashes.
    return hmac.new(key, sender_id.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def sender_id_key(settings: Optional[Settings] = None) -> bytes:
    """SENDER_ID_KEY, or else the key of var/ (created on first use)."""
    return _key((settings or load_settings()).sender_id_key)


@lru_cache(maxsize=4)
def _key(configured: str) -> bytes:
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise SenderIdKeyError(
                f"SENDER_ID_KEY est trop courte ({len(configured)} caractères) : il en faut au "
                f"moins {MIN_KEY_LENGTH}, par exemple « openssl rand -hex 32 »."
            )
        return configured.encode("utf-8")
    return _generated_key(KEY_FILE)


def _generated_key(path: Path) -> bytes:
    """The key of var/, created on first use; concurrent first uses all end up with the same."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic: fails if another process created it first
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise SenderIdKeyError(
            f"La clé de {path} est illisible : supprimez ce fichier ou définissez SENDER_ID_KEY."
        )
    return key.encode("ascii")
