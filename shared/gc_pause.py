"""Pausing Python's cyclic garbage collector while a parser builds a file's worth of objects.

Parsing a large todo.txt builds a few hundred thousand small objects (a task, its tags, its
dates), none of which refer back to each other in a cycle: reference counting frees them all.
Left running, the collector walks those objects again and again while they are being built,
generation after generation — a third of the time of parsing 100,000 lines. Paused, it walks
them once, when it resumes: :func:`collector_paused` ends with a collection of the youngest
generation, so the caller pays for that walk itself instead of whoever allocates next.

The pause is process-wide and shared: threads that parse at once keep it until the last one
leaves, and a collector that was already off (``myorg`` pauses it for a whole command) stays off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            if _resume:
                gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            resume = _depth == 0 and _resume
            if resume:
                gc.enable()
        if resume:
            gc.collect(0)
