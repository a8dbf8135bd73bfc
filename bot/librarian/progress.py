"""What a librarian sees while a command works: numbered steps and a ticking clock.

Written to the terminal's error stream, so that a command's output (a list, a file on stdout)
stays clean when redirected. Outside a terminal (tests, logs) only the step lines are printed.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator, Optional, TextIO

_TICK_SECONDS = 0.5


class Progress:
    """Steps of a command, each announced, timed, and animated while it blocks."""

    def __init__(self, total_steps: int = 0, stream: Optional[TextIO] = None) -> None:
        self.total_steps = total_steps
        self.stream = stream or sys.stderr
        self.step_number = 0
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    @contextmanager
    def step(self, label: str, animate: bool = True) -> Iterator[None]:
        """Announce a step; on a terminal, show the seconds passing until it ends.

        `animate=False` for work that shows its own progress (Rasa's training epochs).
        """
        self.step_number += 1
        prefix = f"[{self.step_number}/{self.total_steps}] " if self.total_steps else ""
        started = time.monotonic()
        done = threading.Event()
        animate = animate and self.interactive
        if animate:
            ticker = threading.Thread(
                target=self._tick, args=(prefix + label, started, done), daemon=True
            )
            ticker.start()
        else:
            self._write(f"{prefix}{label}…\n")
        try:
            yield
        finally:
            done.set()
            if animate:
                ticker.join()
                self._write(
                    f"\r\033[K{prefix}{label} : fait ({time.monotonic() - started:.0f} s)\n"
                )

    def _tick(self, label: str, started: float, done: threading.Event) -> None:
        while not done.wait(_TICK_SECONDS):
            self._write(f"\r\033[K{label}… {time.monotonic() - started:.0f} s")
