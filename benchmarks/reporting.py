"""What every benchmark prints and keeps: the machine it ran on, Markdown tables, a JSON file.

Figures are only comparable within one run on one machine, so each result carries the date and
a description of the machine (shared 2-core machines are noisy: compare ratios, not absolutes).
"""
from __future__ import annotations

import json
import math
import os
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from bot.settings import RESULTS_DIR

BENCH_RESULTS_DIR = RESULTS_DIR / "benchmarks"


def machine_description() -> str:
    """Processor model, core count and memory, read from /proc where it exists."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 ** 2:.0f} Gio de mémoire"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cœurs{memory}, Python {platform.python_version()}"


def run_header() -> dict[str, str]:
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
    }


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def percent(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def decimal(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: a value that was really measured."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def save(name: str, figures: dict[str, Any], markdown: str) -> Path:
    """results/benchmarks/<name>.json and .md; returns the JSON path."""
    BENCH_RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    (BENCH_RESULTS_DIR / f"{name}.md").write_text(markdown + "\n", encoding="utf-8")
    return path
