"""The weekly review page, through a real repo worker: a whole review on the fixture repo with
some changes confirmed and some skipped, then the exact files; progress shared with Discord."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis

from shared.org_repo import OrgRepo
from shared.review_state import advance, start_review
from shared.weekly_review import load_review
from tests.web.conftest import NOW, HtmxClient, LiveRepo, fixture_files
from tests.worker.worker_harness import run_git, wait_until
from worker.review_store import STATE_KEY, load_review_state, save_review_state

ZONE = ZoneInfo("Europe/Madrid")
_STAMP_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2} (.*)$")


@pytest.fixture
def hx(live_repo: LiveRepo) -> HtmxClient:
    return HtmxClient(live_repo.client())


@pytest.fixture
def store(live_repo: LiveRepo) -> redis.Redis:
    from web.services import WebServices

    svc: WebServices = live_repo.app.extensions["myorg"]
    svc.redis.delete(STATE_KEY)
    return svc.redis


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def step_of(body: str) -> int:
    found = re.search(r"Step (\d+) of 17", body)
    assert found, body[:2000]
    return int(found.group(1))


def undecided(body: str) -> list[tuple[str, str]]:
    """(action id, label) of each proposed change still waiting for an answer."""
    return re.findall(
        r'<li class="proposal" id="action-([\w-]+)">\s*<span class="label">([^<]*)</span>', body
    )


def file(live_repo: LiveRepo, name: str) -> bytes:
    return (live_repo.root / name).read_bytes()


def test_a_whole_review_applies_exactly_what_was_confirmed(
    hx: HtmxClient, live_repo: LiveRepo, store: redis.Redis
) -> None:
    before = {name: file(live_repo, name) for name in fixture_files()}
    assert "Start the weekly review" in page(hx.client.get("/review"))
    body = page(hx.post("/review/start", target="review"))
    assert step_of(body) == 1 and "Empty the inbox" in body
    assert "Buy caf" in body  # the step's data: a task without a +project

    answers = {  # label → True confirm, False skip; anything else is left for "next" to skip
        "Archive 4 done tasks to done.txt": True,
        "Chase Bruno: Intro to the CTO of Hilo Studio": True,
        "Drop (waiting since 2026-10-20): Intro to the CTO of Hilo Studio": False,
        "Pause +clients (no task done in 26 days)": True,
        "Pause +house (no task done in 21 days)": False,
        "Give (A) to: Invoice ACME for the November milestone": True,
    }
    seen_steps = []
    notes = []
    while "Finished" not in body:
        step = step_of(body)
        seen_steps.append(step)
        pending = [(aid, label) for aid, label in undecided(body) if label in answers]
        if step == 5:  # "Look at the next two weeks of calendar": skipped as a whole
            assert "Coming up" in body and "staging walkthrough with Ana" in body
            body = page(hx.post("/review/skip-step", target="review"))
        elif pending:
            aid, label = pending[0]
            verb = "confirm" if answers[label] else "skip"
            response = hx.post(f"/review/actions/{aid}/{verb}", target="review")
            assert response.status_code == 200, response.get_data(as_text=True)
            body = page(response)
            if verb == "confirm":
                found = re.search(r'class="review-note note-ok"[^>]*>([^<]*)<', body)
                assert found, body
                notes.append(found.group(1))
        else:
            if step == 17:  # the note step's change is left undecided: skipped
                assert [label for _, label in undecided(body)] == [  # the invoice is (A) now
                    "Note in working-memory.txt: Weekly review done. Top tasks for the week: "
                    "Fix the checkout bug on ACME staging; Invoice ACME for the November "
                    "milestone; Call the plumber about the bathroom leak."
                ]
            body = page(hx.post("/review/next", target="review"))

    assert sorted(set(seen_steps)) == list(range(1, 18))
    assert "4 changes confirmed, 4 skipped, 1 step skipped." in body
    assert notes == [
        "Archive 4 done tasks to done.txt: Archive done tasks to done.txt",
        "Chase Bruno: Intro to the CTO of Hilo Studio: Add task: Chase Bruno about: Intro to "
        "the CTO of Hilo Studio +clients due:2026-11-24",
        "Pause +clients (no task done in 26 days): Set project +clients status:paused",
        "Give (A) to: Invoice ACME for the November milestone: Set priority A: (B) 2026-11-12 "
        "Invoice ACME for the November milestone +acme @computer due:2026-11-23 est:20m",
    ]
    state = load_review_state(store)
    assert state is not None and state.finished and state.skipped_steps == [4]

    # The repo holds exactly the confirmed changes (dates of new lines: the worker's today).
    today = datetime.now(ZONE).date().isoformat()
    todo = before["todo.txt"].split(b"\n")
    kept = [
        line.replace(b"(B) 2026-11-12 Invoice ACME", b"(A) 2026-11-12 Invoice ACME")
        for line in todo
        if not line.startswith(b"x")
    ]
    chase = f"{today} Chase Bruno about: Intro to the CTO of Hilo Studio +clients due:2026-11-24"
    assert file(live_repo, "todo.txt") == b"\n".join(kept) + b"\n" + chase.encode() + b"\n"
    archived = [line for line in todo if line.startswith(b"x")]
    assert len(archived) == 4
    assert file(live_repo, "done.txt") == before["done.txt"] + b"\n".join(archived) + b"\n"
    assert file(live_repo, "projects.txt") == before["projects.txt"].replace(
        b"+clients Two more steady clients status:active",
        b"+clients Two more steady clients status:paused",
    )
    memory = file(live_repo, "working-memory.txt")
    assert memory.startswith(before["working-memory.txt"])
    added = [_STAMP_RE.match(line) for line in memory[len(before["working-memory.txt"]):]
             .decode().splitlines()]
    assert all(m and m.group(1) == today for m in added)
    assert [m.group(2) for m in added if m] == [
        "Project +clients is now paused.",
        "Weekly review finished: 4 changes confirmed, 4 skipped.",
    ]
    for name in before:
        if name not in ("todo.txt", "done.txt", "projects.txt", "working-memory.txt"):
            assert file(live_repo, name) == before[name], name
    wait_until(
        lambda: "Weekly review finished" in run_git(live_repo.root, "log", "-1", "-p"),
        10,
        "the review's note to be committed",
    )
    assert "(via web)" in run_git(live_repo.root, "log", "-1", "--format=%s")

    # Finishing again (a stale page) changes nothing more.
    again = hx.post("/review/next", target="review")
    assert again.status_code == 200 and "Finished" in page(again)
    assert file(live_repo, "working-memory.txt") == memory


def test_a_review_started_in_discord_continues_on_the_web(
    hx: HtmxClient, live_repo: LiveRepo, store: redis.Redis
) -> None:
    # The bot keeps the review in the same store (bot/cogs/review.py): three steps done there.
    state = start_review(NOW)
    review = load_review(OrgRepo(live_repo.root), state.review_id, NOW)
    for _ in range(3):
        state = advance(state, review)
    save_review_state(store, state)
    body = page(hx.client.get("/review"))
    assert step_of(body) == 4 and "last week's calendar" in body
    body = page(hx.post("/review/skip-step", target="review"))
    assert step_of(body) == 5
    saved = load_review_state(store)
    assert saved is not None and saved.step == 4 and saved.skipped_steps == [3]
    assert saved.review_id == state.review_id


def test_stale_or_unknown_buttons_change_nothing(
    hx: HtmxClient, live_repo: LiveRepo, store: redis.Redis
) -> None:
    response = hx.post("/review/next", target="review")
    assert response.status_code == 409
    assert "No weekly review is in progress" in page(response)
    assert store.get(STATE_KEY) is None

    hx.post("/review/start", target="review")
    before = {name: file(live_repo, name) for name in ("todo.txt", "projects.txt")}
    response = hx.post("/review/actions/archive-000000000000/confirm", target="review")
    assert response.status_code == 409
    assert "No action archive-000000000000 in the current step." in page(response)
    saved = load_review_state(store)
    assert saved is not None and (saved.step, saved.confirmed, saved.skipped) == (0, [], [])
    assert {name: file(live_repo, name) for name in before} == before


def test_without_htmx_a_button_answers_with_the_page(
    live_repo: LiveRepo, store: redis.Redis
) -> None:
    client = live_repo.client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page(client.get("/review")))
    assert token
    response = client.post("/review/start", data={"csrf_token": token.group(1)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/review")
    assert "Step 1 of 17" in page(client.get("/review"))
    assert client.post("/review/start").status_code == 400  # no CSRF token
