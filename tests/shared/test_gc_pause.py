"""The collector pause around bulk parsing: off while parsing, back on after, shared by threads."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from shared.gc_pause import collector_paused
from shared.todo_list import parse_tasks


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_on_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_parsing_a_large_file_walks_its_objects_once() -> None:
    lines = (f"(A) task {i} +p{i % 7} @c due:2026-12-{1 + i % 28:02d}\n" for i in range(20_000))
    data = "".join(lines)
    collections: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(note)
    try:
        tasks = parse_tasks(data.encode())
    finally:
        gc.callbacks.remove(note)
    # Unpaused, the collector would run every 700 allocations, dozens of times over 20,000
    # tasks; paused, it walks the young generation once, before the parse returns.
    assert collections == [0]
    assert gc.isenabled()
    assert len(tasks) == 20_000 and tasks[5].projects == ("p5",)


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_an_error_inside_resumes_the_collector() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("parse failed")
    assert gc.isenabled()


def test_threads_share_the_pause_until_the_last_one_leaves() -> None:
    entered, release_first, first_done = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with collector_paused():
            entered.set()
            release_first.wait(10)
        first_done.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert entered.wait(10)
    with collector_paused():
        release_first.set()
        assert first_done.wait(10)
        assert not gc.isenabled()  # the first thread left; this one still parses
    thread.join(10)
    assert gc.isenabled()
