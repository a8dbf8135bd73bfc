"""A problem found in a librarian's file: where it is, what is wrong, how to fix it (French)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot.settings import PROJECT_ROOT


@dataclass(frozen=True)
class Problem:
    file: Optional[Path]
    line: Optional[int]
    message: str
    fix: str = ""
    kind: str = ""  # a short stable name for tests and summaries ("sans_source", "doi"…)

    def where(self) -> str:
        if self.file is None:
            return "projet"
        path = Path(self.file)
        try:
            name = str(path.resolve().relative_to(PROJECT_ROOT))
        except ValueError:
            name = str(path)
        return f"{name}:{self.line}" if self.line else name

    def __str__(self) -> str:
        text = f"{self.where()} : {self.message}"
        return f"{text}\n    → {self.fix}" if self.fix else text
