"""``python -m tests.bench [--only NAME] [--output PATH]``: run the benchmarks, print the
figures side by side with the peers, check the goals, and merge the figures into
``var/bench/results.json``."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from rich.console import Console

import tests.bench
from tests.bench.report import Goal, print_report
from tests.bench.results import RESULTS_PATH, check_metrics, merge_results
from tests.bench.timing import SCALE_ENV, scale

PREFIX = "bench_"


def discover() -> list[str]:
    """Names (without ``bench_``) of the benchmark modules, in alphabetical order."""
    return sorted(
        info.name[len(PREFIX):]
        for info in pkgutil.iter_modules(tests.bench.__path__)
        if info.name.startswith(PREFIX)
    )


def load(name: str) -> ModuleType:
    return importlib.import_module(f"tests.bench.{PREFIX}{name}")


def run_module(
    name: str, console: Console
) -> tuple[dict[str, float], list[Goal]] | None:
    """The figures and goals of one benchmark module, or None when it fails (reported)."""
    started = time.perf_counter()
    console.print(f"[bold]— {name}[/]")
    try:
        module = load(name)
        run: Callable[[], dict[str, float]] | None = getattr(module, "run", None)
        if run is None:
            console.print(f"[yellow]{PREFIX}{name} has no run(); skipped[/]")
            return None
        figures = run()
        check_metrics(figures)
    except Exception:
        console.print(f"[bold red]{PREFIX}{name} failed; skipped:[/]")
        console.print(traceback.format_exc(limit=6), markup=False, highlight=False)
        return None
    console.print(f"[dim]{name}: {len(figures)} figures in "
                  f"{time.perf_counter() - started:.0f} s[/]")
    return figures, list(getattr(module, "GOALS", ()))


def main(argv: Sequence[str] | None = None) -> int:
    names = discover()
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--only", metavar="NAME", choices=names,
                        help=f"run one benchmark: {', '.join(names)}")
    parser.add_argument("--output", metavar="PATH", type=Path,
                        help="results file (default var/bench/results.json)")
    args = parser.parse_args([a.removeprefix(PREFIX) for a in argv] if argv is not None else None)
    console = Console(highlight=False)
    if console.width < 120:
        console = Console(highlight=False, width=120)
    if args.only:
        names = [args.only]

    load_before = os.getloadavg()[0]
    results: dict[str, float] = {}
    goals: list[Goal] = []
    failed: list[str] = []
    started = time.perf_counter()
    for name in names:
        outcome = run_module(name, console)
        if outcome is None:
            failed.append(name)
            continue
        results.update(outcome[0])
        goals.extend(outcome[1])

    console.print()
    print_report(results, goals, failed, console)
    busy = max(load_before, os.getloadavg()[0])
    if busy > (os.cpu_count() or 1):
        console.print(f"[yellow]The machine was busy (load {busy:.1f} on {os.cpu_count()} CPUs): "
                      "wall-clock figures include time other processes held the CPU; the "
                      "*.cpu figures do not.[/]")
    output = args.output
    if output is None and scale() != 1:
        console.print(f"{SCALE_ENV}={scale()}: figures not written to {RESULTS_PATH} "
                      "(use --output to keep them)")
    elif results:
        path = output or RESULTS_PATH
        merge_results(results, path)
        console.print(f"{len(results)} figures merged into {path}")
    console.print(f"[dim]benchmarks took {time.perf_counter() - started:.0f} s[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
