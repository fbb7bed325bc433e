"""``var/bench/results.json``: every benchmark figure, ``metric.name.unit`` → value.

The name ends with its unit (``ms``, ``x`` for a ratio, ``tasks`` for a count...). Each run
merges its figures into what is there, so benchmarks run separately (``--only``) add up.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from shared.atomic import write_atomic

ROOT = Path(__file__).resolve().parents[2]
RESULTS_PATH = ROOT / "var" / "bench" / "results.json"
WORK_ENV = "MYORG_BENCH_WORK_DIR"


def work_dir() -> Path:
    """Where benchmarks write generated repos: ``$MYORG_BENCH_WORK_DIR``, or var/bench/work."""
    return Path(os.environ.get(WORK_ENV) or ROOT / "var" / "bench" / "work")


def load_results(path: Path = RESULTS_PATH) -> dict[str, float]:
    """The figures recorded so far; a missing or unreadable file gives none."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: float(v) for k, v in data.items() if isinstance(v, int | float)}


def check_metrics(metrics: dict[str, float]) -> None:
    """A metric name has a dotted name and a unit (``todo.parse_100k.ms``); values are finite."""
    for name, value in metrics.items():
        if not isinstance(name, str) or name.count(".") < 1 or not all(name.split(".")):
            raise ValueError(f"metric name {name!r} must look like 'area.what.unit'")
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"metric {name} = {value!r} is not a finite number")


def merge_results(new: dict[str, float], path: Path = RESULTS_PATH) -> dict[str, float]:
    """Write ``new`` over the recorded figures (atomically); returns the merged whole."""
    check_metrics(new)
    merged = load_results(path)
    merged.update({k: round(float(v), 3) for k, v in new.items()})
    body = json.dumps(dict(sorted(merged.items())), indent=2) + "\n"
    write_atomic(path, body.encode("utf-8"))
    return merged
