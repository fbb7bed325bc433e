"""Task actions through a real repo worker: add, complete, edit, prioritize; bad input; CSRF."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import HtmxClient, LiveRepo
from tests.worker.worker_harness import run_git, wait_until
from web.views import raw_token


@pytest.fixture
def hx(live_repo: LiveRepo) -> HtmxClient:
    return HtmxClient(live_repo.client())


def line_of(live_repo: LiveRepo, needle: str) -> tuple[int, str]:
    for number, raw in enumerate(live_repo.todo().split("\n"), 1):
        if needle in raw:
            return number, raw
    raise AssertionError(f"{needle!r} not in todo.txt")


def test_quick_add_goes_through_the_worker(hx: HtmxClient, live_repo: LiveRepo) -> None:
    response = hx.post("/tasks", {"text": "Water the ficus +house @home due:2026-11-30"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert response.headers["HX-Retarget"] == "#flash"
    assert response.headers["HX-Trigger"] == "myorg:changed"
    assert "Add task: Water the ficus" in body
    assert "2026-11-23 Water the ficus +house @home due:2026-11-30" in live_repo.todo() or (
        "Water the ficus +house @home due:2026-11-30" in live_repo.todo()
    )
    listing = hx.get("/tasks?q=ficus", target="task-list").get_data(as_text=True)
    assert "Water the ficus" in listing
    wait_until(
        lambda: "Water the ficus" in run_git(live_repo.root, "log", "-1", "--format=%B"),
        10,
        "the web's change to be committed",
    )
    assert "web" in run_git(live_repo.root, "log", "-3", "--format=%B")


def test_complete_swaps_the_row(hx: HtmxClient, live_repo: LiveRepo) -> None:
    line, raw = line_of(live_repo, "Bleed the radiators")
    response = hx.post(f"/tasks/{line}/complete", {"raw": raw_token(raw)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert html.lstrip().startswith('<li class="task') and f'id="task-{line}"' in html
    assert " done" in html.split(">", 1)[0]
    assert live_repo.todo().split("\n")[line - 1].startswith("x ")


def test_a_completion_is_noted_and_shown_as_recent_activity(
    hx: HtmxClient, live_repo: LiveRepo
) -> None:
    line, raw = line_of(live_repo, "Buy a carbon monoxide detector")
    assert hx.post(f"/tasks/{line}/complete", {"raw": raw_token(raw)}).status_code == 200
    memory = (live_repo.root / "working-memory.txt").read_text("utf-8").splitlines()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d Done: Buy a carbon monoxide detector \+house", memory[-1]
    )
    page = hx.client.get("/").get_data(as_text=True)
    card = page[page.index('id="h-memory"') :]
    newest = re.search(r'<ul class="memory"><li>.*?<span class="text">(.*?)</span></li>', card)
    assert newest and newest.group(1) == "Done: Buy a carbon monoxide detector +house"
    # The note is part of the completion's commit, not a change of its own.
    wait_until(
        lambda: "carbon monoxide" in run_git(live_repo.root, "log", "-3", "--format=%B"),
        10,
        "the completion to be committed",
    )
    sha = run_git(live_repo.root, "log", "-1", "--format=%H", "--grep", "carbon monoxide").strip()
    files = run_git(live_repo.root, "show", "--name-only", "--format=", sha).split()
    assert {"todo.txt", "working-memory.txt"} <= set(files)  # (with others of a group commit)


def test_prioritize_and_edit_in_place(hx: HtmxClient, live_repo: LiveRepo) -> None:
    line, raw = line_of(live_repo, "Tidy the garage")
    response = hx.post(f"/tasks/{line}/priority", {"raw": raw_token(raw), "priority": "b"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert live_repo.todo().split("\n")[line - 1].startswith("(B) ")
    raw = live_repo.todo().split("\n")[line - 1]
    form = hx.get(f"/tasks/{line}/edit?raw={raw_token(raw)}").get_data(as_text=True)
    assert 'name="text"' in form and "editing" in form
    new = raw.replace("Tidy the garage", "Tidy the garage and the shed")
    response = hx.post(f"/tasks/{line}/edit", {"raw": raw_token(raw), "text": new})
    assert response.status_code == 200
    assert "Tidy the garage and the shed" in response.get_data(as_text=True)
    assert live_repo.todo().split("\n")[line - 1] == new


def test_unknown_line_is_a_clear_error_and_nothing_changes(
    hx: HtmxClient, live_repo: LiveRepo
) -> None:
    before = live_repo.todo()
    response = hx.post("/tasks/9999/complete", {"raw": raw_token("no such task")})
    assert response.status_code == 409
    assert "no longer in todo.txt" in response.get_data(as_text=True)
    response = hx.post("/tasks/0/complete", {})
    assert response.status_code == 400
    assert hx.post("/tasks/-3/complete", {}).status_code == 404
    assert live_repo.todo() == before


def test_a_line_that_moved_is_found_by_its_text(hx: HtmxClient, live_repo: LiveRepo) -> None:
    line, raw = line_of(live_repo, "Read \"Four Thousand Weeks\"")
    response = hx.post(f"/tasks/{line + 2}/priority", {"raw": raw_token(raw), "priority": "C"})
    assert response.status_code == 200
    assert live_repo.todo().split("\n")[line - 1] == "(C) " + raw


def test_bad_input_is_refused_in_place(hx: HtmxClient, live_repo: LiveRepo) -> None:
    before = live_repo.todo()
    empty = hx.post("/tasks", {"text": "   "})
    assert empty.status_code == 400 and "The task text is empty" in empty.get_data(as_text=True)
    huge = hx.post("/tasks", {"text": "x" * 5000})
    assert huge.status_code == 400 and "too long" in huge.get_data(as_text=True)
    enormous = hx.post("/tasks", {"text": "x" * 300_000})
    assert enormous.status_code == 413
    assert "too much text" in enormous.get_data(as_text=True)
    breaks = hx.post("/tasks", {"text": "one\ntwo"})
    assert breaks.status_code == 400 and "one line" in breaks.get_data(as_text=True)
    bad_date = hx.post("/tasks", {"text": "Pay rent due:someday-maybe"})
    assert bad_date.status_code == 422
    assert "not a date" in bad_date.get_data(as_text=True)
    line, raw = line_of(live_repo, "Book the yearly boiler service")
    bad_pri = hx.post(f"/tasks/{line}/priority", {"raw": raw_token(raw), "priority": "AA"})
    assert bad_pri.status_code == 400 and "not a priority" in bad_pri.get_data(as_text=True)
    damaged = hx.post(f"/tasks/{line}/complete", {"raw": "%%%"})
    assert damaged.status_code == 400 and "damaged" in damaged.get_data(as_text=True)
    bad_edit = hx.post(f"/tasks/{line}/edit", {"raw": raw_token(raw), "text": ""})
    assert bad_edit.status_code == 400
    assert "editing" in bad_edit.get_data(as_text=True)  # the form stays open, with the error
    assert live_repo.todo() == before


def test_completing_a_done_task_says_so(hx: HtmxClient, live_repo: LiveRepo) -> None:
    line, raw = line_of(live_repo, "Send Ana the revised sitemap")
    response = hx.post(f"/tasks/{line}/complete", {"raw": raw_token(raw)})
    assert response.status_code == 422
    assert "already done" in response.get_data(as_text=True)


def test_post_without_csrf_token_changes_nothing(live_repo: LiveRepo) -> None:
    client = live_repo.client()
    before = live_repo.todo()
    line, raw = line_of(live_repo, "Buy a carbon monoxide detector")
    for path, data in (("/tasks", {"text": "forged"}),
                       (f"/tasks/{line}/complete", {"raw": raw_token(raw)})):
        response = client.post(path, data=data, headers={"HX-Request": "true"})
        assert response.status_code == 400
        assert "security token" in response.get_data(as_text=True)
        forged = client.post(
            path, data=data, headers={"HX-Request": "true", "X-CSRFToken": "made.up.token"}
        )
        assert forged.status_code == 400
    assert live_repo.todo() == before


def test_changes_made_elsewhere_show_up_in_the_list(hx: HtmxClient, live_repo: LiveRepo) -> None:
    with (live_repo.root / "todo.txt").open("a", encoding="utf-8") as f:
        f.write("2026-11-23 Edited by hand on the server @home\n")
    html = hx.get("/tasks?q=by+hand", target="task-list").get_data(as_text=True)
    assert "Edited by hand on the server" in html
    assert re.search(r'id="task-\d+"', html)
