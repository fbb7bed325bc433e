"""The site in a real browser (Debian's Chromium driven by Playwright) against the real server
(``python -m web``: gunicorn), a real Redis, a real repo worker and an agent worker talking to a
loopback fake of the Anthropic API. Screenshots go to ``tests/artifacts/web/``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.agent.fake_anthropic import FakeAnthropic, Msg, text
from tests.web.conftest import PASSWORD, fixture_files, redis_db_url
from tests.worker.worker_harness import (
    ROOT,
    GitWorld,
    WorkerProcess,
    run_git,
    wait_until,
    worker_env,
)
from worker.redis_server import RedisServer, free_port

if os.environ.get("CI"):
    import playwright.sync_api as playwright_api  # in CI a missing package is a failure
else:
    playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = ROOT / "tests" / "artifacts" / "web"
WAIT_MS = 15_000
PAGES = ("/", "/tasks", "/calendar", "/calendar?view=week", "/projects", "/review", "/chat",
         "/history", "/schedule", "/briefings", "/login")  # fmt: skip
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}

if os.environ.get("CI") and not Path(CHROMIUM).exists():
    pytest.fail(f"{CHROMIUM} is missing: CI must install chromium", pytrace=False)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
]


@dataclass
class Site:
    url: str
    repo: Path
    env: dict[str, str]
    fake: FakeAnthropic

    def todo(self) -> str:
        return (self.repo / "todo.txt").read_text("utf-8", "surrogateescape")


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the web server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def site(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser")
    world = GitWorld.create(tmp, fixture_files())
    subprocess.run(["git", "clone", "-q", world.url, str(world.repo)], check=True)
    fake = FakeAnthropic().start()
    fake.default = Msg([text("Today you have the ACME standup at 9 and the gym at 19.")])
    url = redis_db_url(redis_server)
    env = worker_env(url, world.repo, world.url, TIMEZONE="Europe/Madrid")
    repo_worker = WorkerProcess(env, tmp / "workers", name="browser-repo").start()
    agent_env = {**env, "ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": fake.url}
    agent_worker = WorkerProcess(
        agent_env, tmp / "workers", queues="agent,default", name="browser-agent",
        extra=("--include", "worker.agent_tasks"),
    ).start()
    port = free_port()
    web_env = {
        **env,
        "WEB_PORT": str(port),
        "WEB_PASSWORD": PASSWORD,
        "SECRET_KEY": "browser-test-secret-" + "y" * 32,
        "VAR_DIR": str(tmp / "var"),
    }
    log = tmp / "web.log"
    with log.open("wb") as out:
        web = subprocess.Popen(
            [sys.executable, "-m", "web"], cwd=ROOT, env=web_env, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/healthz", web, log)
        yield Site(f"http://127.0.0.1:{port}", world.repo, web_env, fake)
    finally:
        web.terminate()
        try:
            web.wait(10)
        except subprocess.TimeoutExpired:
            web.kill()
            web.wait()
        agent_worker.kill()
        repo_worker.kill()
        fake.stop()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[object]:
    with playwright_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def auth_state(browser, site: Site, tmp_path_factory: pytest.TempPathFactory) -> str:
    context = browser.new_context()
    page = context.new_page()
    page.goto(site.url + "/tasks")
    assert "/login" in page.url
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site.url + "/tasks")
    state = str(tmp_path_factory.mktemp("auth") / "state.json")
    context.storage_state(path=state)
    context.close()
    return state


@pytest.fixture
def page(browser, auth_state: str) -> Iterator[object]:
    context = browser.new_context(storage_state=auth_state, viewport={"width": 1280, "height": 900})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.set_default_timeout(WAIT_MS)
    try:
        yield p
        assert not errors, f"JavaScript errors: {errors}"
    finally:
        context.close()


def test_wrong_password_then_login(browser, site: Site) -> None:
    context = browser.new_context()
    p = context.new_page()
    p.goto(site.url + "/")
    p.fill("#password", "wrong")
    p.click("button[type=submit]")
    assert "Wrong password." in p.inner_text(".form-error")
    p.fill("#password", PASSWORD)
    p.click("button[type=submit]")
    p.wait_for_selector("#dash")
    assert "Today's events" in p.content()
    context.close()


def test_add_then_complete_a_task_without_reload(page, site: Site) -> None:
    page.goto(site.url + "/tasks")
    page.evaluate("window.__sameDocument = true")
    page.fill("#new-task", "Buy stamps for the Christmas cards +christmas @errands")
    page.press("#new-task", "Enter")
    page.wait_for_selector(".flash-ok")
    row = page.locator("li.task", has_text="Buy stamps for the Christmas cards")
    row.wait_for()
    assert "Buy stamps for the Christmas cards" in site.todo()
    assert page.input_value("#new-task") == ""
    row.locator("button.check").click()
    wait_until(
        lambda: any(
            line.startswith("x ") and "Buy stamps" in line for line in site.todo().split("\n")
        ),
        10,
        "the task to be completed in todo.txt",
    )
    page.locator("li.task:not(.done)", has_text="Buy stamps for the Christmas cards").wait_for(
        state="detached"
    )
    assert page.evaluate("window.__sameDocument") is True


def test_filter_updates_the_list_and_the_address(page, site: Site) -> None:
    page.goto(site.url + "/tasks")
    page.evaluate("window.__sameDocument = true")
    assert page.locator("li.task", has_text="Draft chapter 4").count() == 1
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "filter-q"
    page.keyboard.type("plumber")
    page.locator("li.task", has_text="Draft chapter 4").wait_for(state="detached")
    assert page.locator("li.task", has_text="Call the plumber").count() == 1
    page.wait_for_url("**/tasks?q=plumber")
    page.select_option("select[name=project]", "book")
    page.wait_for_url("**/tasks?q=plumber&project=book")
    page.locator("#task-list .empty").wait_for()
    assert page.evaluate("window.__sameDocument") is True


def test_calendar_month_view(page, site: Site) -> None:
    page.goto(site.url + "/calendar?date=2026-11-01")
    assert page.locator(".month .day").count() == 42
    cell = page.locator(".month .day", has_text="ACME standup").first
    assert cell.is_visible()
    page.click("a[rel=next]")
    page.wait_for_url("**date=2026-12-01")
    assert "December 2026" in page.inner_text("h1")


def test_a_cli_change_appears_without_reload(page, site: Site) -> None:
    page.goto(site.url + "/tasks")
    page.evaluate("window.__sameDocument = true")
    page.wait_for_timeout(500)  # the live stream is connected
    # the CLI commits by itself: let the worker finish its own commit first
    wait_until(lambda: not run_git(site.repo, "status", "--porcelain"), 10, "a clean tree")
    done = subprocess.run(
        [sys.executable, "-m", "cli", "add", "--repo", str(site.repo),
         "Renew the library card @town"],
        cwd=ROOT, env=site.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page.locator("li.task", has_text="Renew the library card").wait_for()
    assert page.evaluate("window.__sameDocument") is True


def test_chat_streams_the_reply(page, site: Site) -> None:
    page.goto(site.url + "/chat")
    assert "not available" not in page.inner_text("main")
    page.fill("#chat-text", "What is on today?")
    page.press("#chat-text", "Enter")
    page.locator(".msg.user", has_text="What is on today?").wait_for()
    reply = page.locator(".msg.assistant", has_text="ACME standup at 9")
    reply.wait_for(timeout=30_000)
    page.locator(".msg.streaming").wait_for(state="detached")  # the finished answer swapped in
    assert page.locator(".msg.assistant", has_text="ACME standup at 9").count() == 1
    assert any("What is on today?" in str(body) for body in site.fake.bodies())


def test_weekly_review_step_with_a_confirmed_change(page, site: Site) -> None:
    page.goto(site.url + "/review")
    page.evaluate("window.__sameDocument = true")
    page.click("text=Start the weekly review")
    page.locator(".review-step").wait_for()
    assert "Step 1 of 17" in page.inner_text(".page-head")
    for step in (2, 3):
        page.click("button.go-on")
        page.locator(".page-head", has_text=f"Step {step} of 17").wait_for()
    assert page.inner_text("#h-step") == "Archive done tasks to done.txt."
    done_lines = [line for line in site.todo().split("\n") if line.startswith("x ")]
    assert done_lines  # the fixture's done tasks, and any completed above
    proposal = page.locator("li.proposal", has_text="done tasks to done.txt")
    proposal.locator("button.confirm").click()
    page.locator(".review-note.note-ok").wait_for()
    assert "Archive done tasks to done.txt" in page.inner_text(".review-note")
    assert not any(line.startswith("x ") for line in site.todo().split("\n"))
    done = (site.repo / "done.txt").read_text("utf-8", "surrogateescape")
    assert all(line in done for line in done_lines)
    assert page.locator("li.proposal").count() == 0  # nothing left to archive
    page.click("button.go-on")
    page.locator(".page-head", has_text="Step 4 of 17").wait_for()
    assert page.evaluate("window.__sameDocument") is True


def test_screenshots_light_dark_desktop_phone(browser, auth_state: str, site: Site) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    taken = 0
    for scheme in ("light", "dark"):
        for size, (width, height) in SIZES.items():
            context = browser.new_context(
                storage_state=auth_state,
                viewport={"width": width, "height": height},
                color_scheme=scheme,
                device_scale_factor=1,
            )
            p = context.new_page()
            for path in PAGES:
                p.goto(site.url + path)
                p.wait_for_load_state("load")
                p.wait_for_timeout(150)
                name = (path.strip("/").replace("?", "-").replace("=", "-") or "dashboard")
                shot = ARTIFACTS / f"{name}-{scheme}-{size}.png"
                p.screenshot(path=str(shot), full_page=size == "desktop")
                taken += 1
            context.close()
    assert taken == len(PAGES) * 4
