"""Events, history and undo through a real repo worker; pending changes poll until applied."""

from __future__ import annotations

import re

import pytest
from flask import render_template

from shared import operations as ops
from tests.web.conftest import HtmxClient, LiveRepo
from tests.worker.worker_harness import run_git, wait_until
from web.services import services
from worker.client import enqueue_operation


@pytest.fixture
def hx(live_repo: LiveRepo) -> HtmxClient:
    return HtmxClient(live_repo.client())


def calendar_text(live_repo: LiveRepo) -> str:
    return (live_repo.root / "calendar.txt").read_text("utf-8")


def test_add_event_through_the_worker(hx: HtmxClient, live_repo: LiveRepo) -> None:
    response = hx.post(
        "/calendar/events", {"day": "2026-11-27", "time": "18:00", "text": "Dinner with Ana"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "myorg:changed"
    assert "2026-11-27 w48 Fri  18:00 Dinner with Ana" in calendar_text(live_repo)
    week = hx.get("/calendar?view=week&date=2026-11-27").get_data(as_text=True)
    assert "Dinner with Ana" in week


def test_history_lists_changes_and_undoes_the_last(hx: HtmxClient, live_repo: LiveRepo) -> None:
    response = hx.post("/tasks", {"text": "Undo me please +house"})
    assert response.status_code == 200
    wait_until(
        lambda: "Undo me please" in run_git(live_repo.root, "log", "-1", "--format=%s"),
        10,
        "the change to be committed",
    )
    html = hx.client.get("/history").get_data(as_text=True)
    assert "add task: Undo me please +house" in html
    assert html.count(">Undo</button>") == 1
    assert "seed" in html and "(direct commit)" in html
    undo = hx.post("/history/undo")
    body = undo.get_data(as_text=True)
    assert undo.status_code == 200, body
    assert "Undone: add task: Undo me please" in body
    assert "Undo me please" not in live_repo.todo()
    # nothing left by the assistant that was not undone: the calendar event still is
    html = hx.client.get("/history").get_data(as_text=True)
    assert html.count(">Undo</button>") == 1
    assert "Dinner with Ana" in html


def test_undo_refused_when_the_owner_edited_the_same_lines(
    hx: HtmxClient, live_repo: LiveRepo
) -> None:
    path = live_repo.root / "calendar.txt"
    text = path.read_text("utf-8").replace("18:00 Dinner with Ana", "18:30 Dinner with Ana")
    path.write_text(text, "utf-8")
    run_git(live_repo.root, "commit", "-q", "-am", "move dinner")
    before = path.read_bytes()
    response = hx.post("/history/undo")
    assert response.status_code == 409
    assert "cannot undo" in response.get_data(as_text=True)
    assert path.read_bytes() == before


def test_a_queued_change_is_polled_until_applied(hx: HtmxClient, live_repo: LiveRepo) -> None:
    op = ops.AddTask(text="Queued from elsewhere +house", source="web")
    with live_repo.app.app_context():
        task_id = enqueue_operation(services().celery, op)
    response = hx.get(f"/ops/{task_id}")
    wait_until(lambda: "Queued from elsewhere" in live_repo.todo(), 10, "the change")
    response = hx.get(f"/ops/{task_id}")
    assert response.status_code == 200
    assert "Add task: Queued from elsewhere" in response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "myorg:changed"
    assert hx.get("/ops/not-a-task-id").status_code == 400


def test_pending_flash_polls_itself(live_repo: LiveRepo) -> None:
    with live_repo.app.test_request_context():
        html = render_template(
            "partials/flash.html", level="pending", message="waiting", task_id="a" * 32
        )
    assert re.search(r'hx-get="/ops/a{32}" hx-trigger="load delay:1s"', html)


def test_history_times_are_in_the_owners_timezone(hx: HtmxClient, live_repo: LiveRepo) -> None:
    # Committed on a host in UTC at 23:30: for the owner in Madrid it was 00:30 the next day.
    (live_repo.root / "inbox.txt").write_text("a note\n", "utf-8")
    run_git(live_repo.root, "add", "inbox.txt")
    when = "2026-11-23T23:30:00+00:00"
    stamp = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    run_git(live_repo.root, "commit", "-q", "-m", "note from the server", env=stamp)
    html = hx.client.get("/history").get_data(as_text=True)
    assert re.search(r'<time datetime="2026-11-23T23:30:00\+00:00">2026-11-24 00:30</time>', html)
