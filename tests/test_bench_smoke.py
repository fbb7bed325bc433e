"""The benchmarks still run: each module at a tiny scale, and the runner end to end.

No timing is asserted here; ``make bench`` measures. This only keeps the bench code from rotting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console

from tests.bench.__main__ import discover, load, main
from tests.bench.report import Goal, comparisons, print_report
from tests.bench.results import WORK_ENV, check_metrics, load_results, merge_results
from tests.bench.timing import SCALE_ENV


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every benchmark at 1% of its size, writing under a temporary directory."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SCALE_ENV, "0.01")
        mp.setenv(WORK_ENV, str(tmp_path_factory.mktemp("bench-work")))
        yield


Measure = Callable[[str], dict[str, float]]


@pytest.fixture(scope="module")
def measure(tiny: None) -> Measure:
    """``measure(name)``: ``bench_<name>.run()`` at the tiny scale, run once per module."""
    done: dict[str, dict[str, float]] = {}

    def run(name: str) -> dict[str, float]:
        if name not in done:
            done[name] = load(name).run()
        return done[name]

    return run


def test_the_todo_and_today_benchmarks_are_discovered() -> None:
    assert {"todo", "today"} <= set(discover())


@pytest.mark.parametrize("name", discover())
def test_each_benchmark_produces_finite_named_figures(name: str, measure: Measure) -> None:
    measured = measure(name)
    assert measured, f"bench_{name}.run() returned no figures"
    check_metrics(measured)
    for goal in getattr(load(name), "GOALS", ()):
        assert goal.metric in measured, f"goal on {goal.metric}, which bench_{name} never measures"


def test_todo_benchmark_compares_every_measurement_with_both_peers(measure: Measure) -> None:
    todo = measure("todo")
    bases = comparisons(todo)
    assert {"todo.parse_100k", "todo.parse_serialize_100k", "todo.due7_query_100k",
            "todo.parse_due7_100k", "todo.complete_write_10k"} <= set(bases)
    for base in bases:
        assert f"{base}.pytodotxt.ms" in todo and f"{base}.topydo.ms" in todo
    assert todo["todo.due7_100k.tasks"] > 0


def test_results_merge_keeps_figures_of_other_benchmarks(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    merge_results({"worker.enqueue.ms": 3.0, "todo.parse_100k.ms": 900.0}, path)
    merged = merge_results({"todo.parse_100k.ms": 450.0}, path)
    assert merged == {"worker.enqueue.ms": 3.0, "todo.parse_100k.ms": 450.0}
    assert json.loads(path.read_text()) == merged
    assert load_results(path) == merged
    with pytest.raises(ValueError, match=r"area\.what\.unit"):
        merge_results({"nounit": 1.0}, path)


def test_report_prints_ratios_and_goal_verdicts() -> None:
    console = Console(record=True, width=160)
    results = {"todo.parse_100k.ms": 100.0, "todo.parse_100k.pytodotxt.ms": 250.0,
               "todo.parse_100k.topydo.ms": 400.0, "today.process_10k.ms": 350.0}
    goals = [Goal("todo.parse_100k.ms", 200.0, "fast parse"),
             Goal("today.process_10k.ms", 300.0, "fast today"),
             Goal("never.measured.ms", 1.0, "absent")]
    print_report(results, goals, ["worker"], console)
    text = console.export_text()
    assert "2.50×" in text and "4.00×" in text
    assert "1 met, 1 missed, 1 not measured" in text
    assert "worker" in text


def test_runner_writes_the_figures_it_measured(tiny: None, tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    output.write_text(json.dumps({"other.figure.ms": 1.0}))
    assert main(["--only", "todo", "--output", str(output)]) == 0
    written = json.loads(output.read_text())
    assert written["other.figure.ms"] == 1.0
    assert "todo.parse_100k.ms" in written and "todo.parse_100k.topydo.ms" in written
