"""todo.txt side by side with pytodotxt and topydo, on the same generated files.

On 100,000 lines: parse; parse + serialize; "due within 7 days", both on lists parsed
beforehand (query only) and from the bytes (parse + query). On 10,000 lines: complete one task
and write the file (ours: ``apply_operation(CompleteTask)`` with its journal and fsyncs, no git
commit). Parse figures are the best of several interleaved rounds, with the garbage collector
on as in a real process; completion figures are the median over many different tasks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from shared import queries
from shared.apply import apply_operation
from shared.lines import LineDoc
from shared.operations import CompleteTask
from shared.org_repo import OrgRepo
from shared.todo import parse_task
from shared.todo_edit import complete_task
from shared.todo_list import parse_tasks, tasks_of
from tests.bench import peers
from tests.bench.gen import ANCHOR, todo_bytes
from tests.bench.report import Goal
from tests.bench.results import work_dir
from tests.bench.timing import best_of, median_ms, once_ms, repeats, scaled

NOW = datetime.combine(ANCHOR, datetime.min.time().replace(hour=8), tzinfo=UTC)
TODAY = ANCHOR
DAYS = 7

GOALS = (
    Goal("todo.parse_100k.speedup_vs_fastest_peer_cpu.x", 2.0,
         "parse 100k lines at least 2× faster than the fastest peer (CPU time)", at_least=True),
    Goal("todo.complete_write_10k.ms", 5.0,
         "complete one task in a 10k-line file, write included, under 5 ms"),
)


def run() -> dict[str, float]:
    peers.init_topydo()
    results: dict[str, float] = {}
    results.update(bench_parse())
    results.update(bench_complete())
    return results


def _compare(base: str, fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """``base.ms`` (ours) and ``base.<peer>.ms``: best wall time; the same under ``base.cpu``
    with the best CPU time."""
    out: dict[str, float] = {}
    for who, timing in best_of(fns, rounds).items():
        name = "" if who == "ours" else f".{who}"
        out[f"{base}{name}.ms"] = timing.wall_ms
        out[f"{base}.cpu{name}.ms"] = timing.cpu_ms
    return out


def bench_parse() -> dict[str, float]:
    lines = scaled(100_000)
    data = todo_bytes(lines, impossible_dates=False)
    print(f"todo: {lines:,} lines, {len(data) / 1e6:.1f} MB")
    results: dict[str, float] = {}

    results.update(_compare("todo.parse_100k", {
        "ours": lambda: parse_tasks(data),
        "pytodotxt": lambda: peers.pytodotxt_parse(data),
        "topydo": lambda: peers.topydo_parse(data),
    }, repeats(7)))
    for base, ratio in (("todo.parse_100k", "todo.parse_100k.speedup_vs_fastest_peer.x"),
                        ("todo.parse_100k.cpu", "todo.parse_100k.speedup_vs_fastest_peer_cpu.x")):
        fastest = min(results[f"{base}.pytodotxt.ms"], results[f"{base}.topydo.ms"])
        results[ratio] = fastest / results[f"{base}.ms"]

    def ours_roundtrip() -> bytes:
        doc = LineDoc.from_bytes(data)
        tasks_of(doc)
        return doc.to_bytes()

    results.update(_compare("todo.parse_serialize_100k", {
        "ours": ours_roundtrip,
        "pytodotxt": lambda: peers.pytodotxt_serialize(peers.pytodotxt_parse(data)),
        "topydo": lambda: peers.topydo_serialize(peers.topydo_parse(data)),
    }, repeats(3)))

    results.update(bench_query(data))
    results.update(_compare(f"todo.parse_due{DAYS}_100k", {
        "ours": lambda: queries.due_within(parse_tasks(data), TODAY, DAYS),
        "pytodotxt": lambda: peers.pytodotxt_due_within(peers.pytodotxt_parse(data), TODAY, DAYS),
        "topydo": lambda: peers.topydo_due_within(peers.topydo_parse(data), TODAY, DAYS),
    }, repeats(3)))
    return results


def _complete_in_memory(data: bytes, index: int) -> bytes:
    """Our edit without the journal and its fsyncs: split, complete, serialize."""
    doc = LineDoc.from_bytes(data)
    complete_task(doc, index, TODAY)
    return doc.to_bytes()


def _fsync_ms(directory: Path) -> float:
    """The floor under any durable write here: 4 KB written and fsynced (median)."""
    probe = directory / "fsync-probe"

    def write() -> None:
        with open(probe, "wb") as f:
            f.write(b"x" * 4096)
            f.flush()
            os.fsync(f.fileno())

    return median_ms([once_ms(write) for _ in range(repeats(20))])


def bench_query(data: bytes) -> dict[str, float]:
    """The query alone, on lists each library parsed beforehand; checks all three agree."""
    ours, pyt, top = parse_tasks(data), peers.pytodotxt_parse(data), peers.topydo_parse(data)
    answers = {
        "ours": [t.raw for t in queries.due_within(ours, TODAY, DAYS)],
        "pytodotxt": [t._raw for t in peers.pytodotxt_due_within(pyt, TODAY, DAYS)],
        "topydo": [t.source() for t in peers.topydo_due_within(top, TODAY, DAYS)],
    }
    same = answers["ours"] == answers["pytodotxt"] == answers["topydo"]
    print(f"todo: due within {DAYS} days: {len(answers['ours'])} tasks"
          + ("; all three agree" if same else "; DIFFERENT answers: "
             + ", ".join(f"{k} {len(v)}" for k, v in answers.items())))
    results = {f"todo.due{DAYS}_100k.tasks": float(len(answers["ours"]))}
    results.update(_compare(f"todo.due{DAYS}_query_100k", {
        "ours": lambda: queries.due_within(ours, TODAY, DAYS),
        "pytodotxt": lambda: peers.pytodotxt_due_within(pyt, TODAY, DAYS),
        "topydo": lambda: peers.topydo_due_within(top, TODAY, DAYS),
    }, repeats(5)))
    return results


def _fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def bench_complete() -> dict[str, float]:
    lines = scaled(10_000)
    data = todo_bytes(lines, seed=7, impossible_dates=False)
    doc = LineDoc.from_bytes(data)
    # Open, non-recurring, well-formed tasks, spread over the file: each run completes another.
    candidates = [
        (i, raw) for i, raw in enumerate(doc.lines)
        if raw == raw.strip() and (t := parse_task(raw)).text and not t.done
        and not t.recurrence and not t.problems
    ]
    count = repeats(30)
    step = max(1, len(candidates) // count)
    picks = candidates[::step][:count]
    base = _fresh_dir(work_dir() / "complete")

    ours_root = _fresh_dir(base / "ours")
    subprocess.run(["git", "init", "-q", str(ours_root)], check=True)
    (ours_root / "todo.txt").write_bytes(data)
    repo = OrgRepo(ours_root)
    ours = [
        once_ms(partial(apply_operation, repo, CompleteTask(line=i + 1, raw=raw), NOW))
        for i, raw in picks
    ]
    in_memory = [once_ms(partial(_complete_in_memory, data, i)) for i, _ in picks]

    pyt_file = _fresh_dir(base / "pytodotxt") / "todo.txt"
    pyt_file.write_bytes(data)
    pyt = []
    for _, raw in picks[: repeats(10)]:
        linenr = peers.pytodotxt_linenr(pyt_file, raw)
        pyt.append(once_ms(partial(peers.pytodotxt_complete, pyt_file, linenr, TODAY)))

    top_file = _fresh_dir(base / "topydo") / "todo.txt"
    top_file.write_bytes(data)
    top = []
    for _, raw in picks[: repeats(10)]:
        number = peers.topydo_number(top_file, raw)
        top.append(once_ms(partial(peers.topydo_complete, top_file, number, TODAY)))

    done_lines = LineDoc.from_bytes((ours_root / "todo.txt").read_bytes()).lines
    completed = sum(done_lines[i].startswith(f"x {TODAY}") for i, _ in picks)
    print(f"todo: completed {completed} of {len(picks)} tasks in a {lines:,}-line file "
          f"(ours: best {min(ours):.2f} ms, worst {max(ours):.2f} ms)")
    return {
        "disk.fsync_4k.ms": _fsync_ms(base),
        "todo.complete_write_10k.ms": median_ms(ours),
        "todo.complete_write_10k.pytodotxt.ms": median_ms(pyt),
        "todo.complete_write_10k.topydo.ms": median_ms(top),
        "todo.complete_in_memory_10k.ms": median_ms(in_memory),
    }
