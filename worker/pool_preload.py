"""What a worker's parent process does before it forks its pool: load what the pool's tasks need,
then freeze the garbage collector's view of it, so that the children share those pages.

A prefork pool child is a copy-on-write fork of the parent: a page stays shared until either side
writes to it. Two things write to pages nobody means to change:

- a module imported in a child after the fork lives in that child alone: the model SDK (tens of
  MiB) imported by each agent pool process on its first turn would be paid once per process;
- the cyclic garbage collector, when it runs in a child, writes to the header of every object it
  examines: all the modules inherited from the parent would become private copies.

So the agent worker imports the SDK before forking (only a worker that consumes the agent queue:
the repo worker never needs it), and every worker calls :func:`gc.freeze` last, which moves the
objects that exist then out of the collector's reach (they are module-level and live as long as
the process anyway). Python's documentation of ``gc.freeze`` recommends it for this case.
"""

from __future__ import annotations

import gc
import importlib
from typing import Any

from celery import signals

from worker.lanes import AGENT_QUEUE

#: Modules a pool child would otherwise import on its first task, by the queue whose tasks need
#: them.
PRELOAD: dict[str, tuple[str, ...]] = {AGENT_QUEUE: ("worker.agent_loop",)}


def modules_to_preload(queues: set[str]) -> list[str]:
    """The modules a worker consuming ``queues`` loads before forking, in a stable order."""
    return sorted({module for queue in queues for module in PRELOAD.get(queue, ())})


def consumed_queues(worker: Any) -> set[str]:
    """The queue names a Celery ``WorkController`` consumes (``-Q``; all of them without it)."""
    return set(worker.app.amqp.queues.consume_from or worker.app.amqp.queues)


def preload_pool(sender: Any = None, **_: Any) -> None:
    """``worker_init`` handler: runs in the worker's parent after the task modules are imported
    and before the pool is created."""
    if sender is not None:
        for module in modules_to_preload(consumed_queues(sender)):
            importlib.import_module(module)
    gc.collect()
    gc.freeze()


def install_pool_preload() -> None:
    """Connect :func:`preload_pool` (once, however often this is called)."""
    signals.worker_init.connect(preload_pool, weak=False, dispatch_uid="myorg.pool_preload")
