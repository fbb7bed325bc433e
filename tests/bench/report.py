"""Print benchmark figures: side-by-side comparisons with peers, other figures, and goals.

A comparison is read from the metric names: ``X.ms`` is ours and ``X.<peer>.ms`` the same
measurement with a peer library; the ratio printed is peer / ours (above 1: we are faster).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

PEERS = ("pytodotxt", "topydo")


@dataclass(frozen=True)
class Goal:
    """``metric`` must stay below ``limit`` (or reach at least ``limit`` with ``at_least``)."""

    metric: str
    limit: float
    text: str
    at_least: bool = False

    def verdict(self, results: dict[str, float]) -> str:
        value = results.get(self.metric)
        if value is None:
            return "not measured"
        ok = value >= self.limit if self.at_least else value < self.limit
        return "met" if ok else "missed"


def comparisons(results: dict[str, float]) -> list[str]:
    """Base names (``todo.parse_100k``) that have our figure and at least one peer's."""
    bases = []
    for name in results:
        if not name.endswith(".ms"):
            continue
        base = name[: -len(".ms")]
        if any(f"{base}.{peer}.ms" in results for peer in PEERS):
            bases.append(base)
    # Wall-clock row first, its CPU-time twin (``base.cpu``) right below it.
    return sorted(bases, key=lambda b: (b.removesuffix(".cpu"), b.endswith(".cpu")))


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def comparison_table(results: dict[str, float]) -> Table:
    table = Table(title="Side by side (ms; ratio = peer / ours, above 1 means we are faster)",
                  title_justify="left")
    table.add_column("measurement")
    table.add_column("ours", justify="right")
    for peer in PEERS:
        table.add_column(peer, justify="right")
    for peer in PEERS:
        table.add_column(f"{peer}/ours", justify="right")
    for base in comparisons(results):
        ours = results[f"{base}.ms"]
        peers = [results.get(f"{base}.{peer}.ms") for peer in PEERS]
        ratios = [f"{p / ours:.2f}×" if p is not None and ours > 0 else "—" for p in peers]
        table.add_row(base, _ms(ours), *[_ms(p) for p in peers], *ratios)
    return table


def other_table(results: dict[str, float]) -> Table:
    compared = set(comparisons(results))
    shown = {f"{b}.ms" for b in compared} | {f"{b}.{p}.ms" for b in compared for p in PEERS}
    table = Table(title="Other figures", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name in sorted(set(results) - shown):
        unit = name.rsplit(".", 1)[-1]
        value = results[name]
        text = _ms(value) if unit == "ms" else f"{value:,.2f}"
        table.add_row(name, f"{text} {unit}")
    return table


def goals_table(goals: Iterable[Goal], results: dict[str, float]) -> Table:
    table = Table(title="Goals", title_justify="left")
    table.add_column("goal")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("verdict")
    style = {"met": "green", "missed": "bold red", "not measured": "yellow"}
    for goal in goals:
        verdict = goal.verdict(results)
        value = results.get(goal.metric)
        table.add_row(goal.text, goal.metric, "—" if value is None else f"{value:,.2f}",
                      f"[{style[verdict]}]{verdict}[/]")
    return table


def print_report(
    results: dict[str, float], goals: list[Goal], failed: list[str], console: Console
) -> None:
    if comparisons(results):
        console.print(comparison_table(results))
    console.print(other_table(results))
    if goals:
        console.print(goals_table(goals, results))
        verdicts = [g.verdict(results) for g in goals]
        console.print(
            f"Goals: {verdicts.count('met')} met, {verdicts.count('missed')} missed"
            + (f", {verdicts.count('not measured')} not measured" if "not measured" in verdicts
               else "")
        )
    if failed:
        console.print(f"[bold red]Benchmarks that failed (skipped): {', '.join(failed)}[/]")
