"""What each role loads at start: the model SDK only in the agent worker, before it forks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from worker.lanes import AGENT_QUEUE, DEFAULT_QUEUE, REPO_QUEUE
from worker.pool_preload import consumed_queues, modules_to_preload

ROOT = Path(__file__).resolve().parents[2]


def test_only_a_worker_on_the_agent_queue_preloads_the_model_loop() -> None:
    assert modules_to_preload({REPO_QUEUE}) == []
    assert modules_to_preload({DEFAULT_QUEUE}) == []
    assert modules_to_preload({AGENT_QUEUE, DEFAULT_QUEUE}) == ["worker.agent_loop"]


def test_consumed_queues_are_the_selected_ones_or_all() -> None:
    every = {REPO_QUEUE: 1, AGENT_QUEUE: 1}
    assert consumed_queues(_worker({REPO_QUEUE: 1}, every)) == {REPO_QUEUE}
    assert consumed_queues(_worker({}, every)) == {REPO_QUEUE, AGENT_QUEUE}


class _Queues(dict[str, object]):
    """Like Celery's ``app.amqp.queues``: every queue, and ``consume_from`` (``-Q``)."""

    def __init__(self, selected: dict[str, object], every: dict[str, object]) -> None:
        super().__init__(every)
        self.consume_from = selected


def _worker(selected: dict[str, object], every: dict[str, object]) -> SimpleNamespace:
    amqp = SimpleNamespace(queues=_Queues(selected, every))
    return SimpleNamespace(app=SimpleNamespace(amqp=amqp))


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(sorted({n.split('.')[0] for n in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    return set(done.stdout.split())


def test_task_modules_do_not_load_the_model_sdk() -> None:
    # What beat, Flower and the repo worker import: the app and every task module.
    loaded = _loaded_after("import worker.app, worker.tasks, worker.agent_tasks, "
                           "worker.proactive_tasks")
    assert "anthropic" not in loaded


def test_the_web_app_loads_neither_the_model_sdk_nor_icalendar_at_start() -> None:
    loaded = _loaded_after(
        "from shared.settings import Settings\nfrom web import create_app\n"
        "create_app(Settings(secret_key='k' * 32, web_password='p', _env_file=None))"
    )
    assert not {"anthropic", "icalendar", "discord", "rich"} & loaded
