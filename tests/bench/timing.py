"""Timing helpers: scale, interleaved best-of-N, medians. All figures are milliseconds.

``MYORG_BENCH_SCALE`` (default 1) shrinks every data size and repeat count, so the smoke test
can run each benchmark in a moment without changing its code.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

SCALE_ENV = "MYORG_BENCH_SCALE"


def scale() -> float:
    raw = os.environ.get(SCALE_ENV, "1")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{SCALE_ENV}={raw!r} is not a number") from None
    if not 0 < value <= 1:
        raise ValueError(f"{SCALE_ENV}={raw!r} must be in (0, 1]")
    return value


def scaled(count: int, minimum: int = 20) -> int:
    """``count`` at the current scale (never below ``minimum``)."""
    return max(minimum, round(count * scale()))


def repeats(count: int) -> int:
    """How many times to repeat a measurement: ``count`` at full scale, 2 when shrunk."""
    return count if scale() >= 1 else min(count, 2)


@dataclass(frozen=True)
class Timing:
    """Wall-clock time, and the CPU time this process spent, in milliseconds.

    On a busy machine the wall clock also counts the time other processes held the CPU; the
    CPU time of a computation that does no I/O does not, so it is the steadier comparison.
    """

    wall_ms: float
    cpu_ms: float


def once(fn: Callable[[], object]) -> Timing:
    """One run of ``fn``, after a full collection so that garbage left by others is not billed
    to it (the garbage collector stays on during the run, as in a real process)."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    del result  # freeing what it built is not part of the measurement
    return Timing(wall * 1000, cpu * 1000)


def once_ms(fn: Callable[[], object]) -> float:
    """Wall-clock milliseconds of one run of ``fn`` (see :func:`once`)."""
    return once(fn).wall_ms


def best_of(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, Timing]:
    """The best wall and best CPU time of each function over ``rounds`` rounds, the functions
    run in turn within each round, so background load is spread over all of them."""
    wall = {name: float("inf") for name in fns}
    cpu = dict(wall)
    for _ in range(rounds):
        for name, fn in fns.items():
            timing = once(fn)
            wall[name] = min(wall[name], timing.wall_ms)
            cpu[name] = min(cpu[name], timing.cpu_ms)
    return {name: Timing(wall[name], cpu[name]) for name in fns}


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples)
