"""The agent's prompt cost and its own overhead, on a standard 5-turn conversation.

The demo repo; the real loop and SDK against the loopback fake endpoint, which estimates tokens
at 4 characters each and simulates prompt caching from the ``cache_control`` breakpoints. The
naive comparison sends the same conversation with every file of the repo in the system prompt
and no caching. Non-LLM overhead is a turn's wall time minus the time spent in model calls:
prompt building, tools, gate, state, history.
"""

from __future__ import annotations

import shutil
import time
from typing import Any

from cli.demo_repo import create_demo_repo
from shared.agent.ids import new_turn_id
from shared.agent.prompt import ROLE_AND_RULES
from shared.agent.state import MemoryState
from shared.agent.turn import TurnDeps, TurnRequest, handle_message
from shared.apply import apply_operation
from shared.operations import Operation, OpResult
from shared.org_repo import OrgRepo
from tests.agent.conftest import ANCHOR, NOW
from tests.agent.fake_anthropic import CacheModel, FakeAnthropic, Msg, text, tool_use
from tests.bench.report import Goal
from tests.bench.results import work_dir
from worker.agent_loop import LoopConfig, SdkRunner

GOALS = (
    Goal(
        "agent.uncached_input_vs_naive.x",
        5.0,
        "uncached input tokens per turn at least 5x fewer than a naive all-files prompt",
        at_least=True,
    ),
    Goal("agent.overhead_per_turn.ms", 50.0, "non-LLM overhead per turn under 50 ms"),
)

CONVERSATION: list[tuple[str, list[Msg]]] = [
    (
        "what's on today?",
        [
            Msg([tool_use("get_todays_events", {})]),
            Msg([text("Standup at 9, chapter 3 from 10 to 13, gym at 19.")]),
        ],
    ),
    (
        "which calls do I have to make?",
        [
            Msg([tool_use("search_tasks", {"context": "@phone"})]),
            Msg([text("Three: the plumber, the physio, the boiler.")]),
        ],
    ),
    (
        "add call Gil about the tiles tomorrow +house @phone",
        [
            Msg(
                [
                    tool_use(
                        "add_task", {"text": "Call Gil about the tiles +house @phone due:tomorrow"}
                    )
                ]
            ),
            Msg([text("Added for tomorrow.")]),
        ],
    ),
    (
        "how is the book going?",
        [
            Msg([tool_use("analyze_project_progress", {"project": "+book"})]),
            Msg([text("Chapter 3 is waiting on revisions; 1 of 6 done.")]),
        ],
    ),
    (
        "what should I do next? I have 30 minutes",
        [
            Msg([tool_use("suggest_tasks", {"minutes": 30})]),
            Msg([text("Call the plumber first: it is due today and takes 15 minutes.")]),
        ],
    ),
]


class TimedRunner(SdkRunner):
    """Counts the time spent in model calls, so the rest of a turn can be measured."""

    llm_seconds = 0.0

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return super()._call(*args, **kwargs)
        finally:
            self.llm_seconds += time.perf_counter() - started


def naive_system(repo: OrgRepo) -> str:
    files = [
        f"## {rel}\n{(repo.root / rel).read_text('utf-8', 'replace')}" for rel in repo.list_files()
    ]
    return ROLE_AND_RULES + "\n\n# The org repository\n\n" + "\n\n".join(files)


def strip_cache(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_cache(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [strip_cache(v) for v in value]
    return value


def run() -> dict[str, float]:
    root = work_dir() / "agent" / "org"
    shutil.rmtree(root.parent, ignore_errors=True)
    repo = OrgRepo(create_demo_repo(root, ANCHOR))
    fake = FakeAnthropic().start()
    try:
        return _measure(repo, fake)
    finally:
        fake.stop()


def _measure(repo: OrgRepo, fake: FakeAnthropic) -> dict[str, float]:
    def apply(op: Operation) -> OpResult:
        return apply_operation(repo, op, NOW)

    config = LoopConfig(api_key="sk-bench", base_url=fake.url, model="claude-sonnet-4-6")
    runner = TimedRunner(config)
    deps = TurnDeps(repo, MemoryState(), apply, runner)
    fake.script(Msg([text("Hello.")]))
    handle_message(TurnRequest("warmup", new_turn_id(), "hello"), NOW, deps)  # imports, caches
    fake.cache = CacheModel()  # the conversation starts with a cold prompt cache
    ours: list[dict[str, int]] = []
    overhead_ms: list[float] = []
    per_turn_requests: list[int] = []
    for words, replies in CONVERSATION:
        fake.script(*replies)
        before = len(fake.requests)
        runner.llm_seconds = 0.0
        started = time.perf_counter()
        result = handle_message(TurnRequest("bench", new_turn_id(), words), NOW, deps)
        wall = time.perf_counter() - started
        assert result.mode == "model" and result.usage, result.text
        ours.append(result.usage)
        overhead_ms.append((wall - runner.llm_seconds) * 1000)
        per_turn_requests.append(len(fake.requests) - before)
    runner.close()

    system = naive_system(repo)
    naive_cache = CacheModel()
    naive: list[int] = []
    bodies = [r.body for r in fake.requests[-sum(per_turn_requests) :]]
    for count in per_turn_requests:
        turn_bodies, bodies = bodies[:count], bodies[count:]
        naive.append(
            sum(
                naive_cache.usage({**strip_cache(b), "system": system})["input_tokens"]
                for b in turn_bodies
            )
        )

    uncached = [u["input_tokens"] + u["cache_creation_input_tokens"] for u in ours]
    later = ours[1:]
    read = sum(u["cache_read_input_tokens"] for u in later)
    prompt = sum(
        u["input_tokens"] + u["cache_creation_input_tokens"] + u["cache_read_input_tokens"]
        for u in later
    )
    avg = sum(uncached) / len(uncached)
    naive_avg = sum(naive) / len(naive)
    return {
        "agent.uncached_input_per_turn.tokens": avg,
        "agent.uncached_input_turn2to5.tokens": sum(uncached[1:]) / len(uncached[1:]),
        "agent.prompt_per_turn.tokens": sum(
            u["input_tokens"] + u["cache_creation_input_tokens"] + u["cache_read_input_tokens"]
            for u in ours
        )
        / len(ours),
        "agent.naive_input_per_turn.tokens": naive_avg,
        "agent.uncached_input_vs_naive.x": naive_avg / avg,
        "agent.uncached_input_vs_naive_turn2to5.x": (sum(naive[1:]) / len(naive[1:]))
        / (sum(uncached[1:]) / len(uncached[1:])),
        "agent.cached_fraction_from_turn2.ratio": read / prompt if prompt else 0.0,
        "agent.output_per_turn.tokens": sum(u["output_tokens"] for u in ours) / len(ours),
        "agent.overhead_per_turn.ms": sorted(overhead_ms)[len(overhead_ms) // 2],
        "agent.overhead_per_turn_max.ms": max(overhead_ms),
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:45} {value:10.2f}")
