"""One context for the owner: set on the web dashboard, ``/context`` in Discord shows it, and set
with ``/context``, the dashboard shows it — the real bot against the fake Discord, the real Flask
app, both on the same Redis."""

from __future__ import annotations

from collections.abc import Callable

import redis
from flask import Flask

from tests.bot.bot_harness import BotThread
from tests.bot.conftest import NOW
from tests.bot.fake_discord import FakeDiscord
from tests.web.conftest import HtmxClient, log_in, web_settings
from tests.worker.worker_harness import GitWorld
from web import create_app
from worker.context_override import OVERRIDE_KEY
from worker.redis_server import RedisServer


def ask(fake: FakeDiscord, name: str, options: dict[str, object] | None = None) -> str:
    record = fake.run_command(name, options)
    return fake.wait_reply(record)


def web_app(redis_server: RedisServer, world: GitWorld) -> Flask:
    settings = web_settings(redis_server.url, world.repo).model_copy(update={"timezone": "UTC"})
    app = create_app(settings, clock=lambda: NOW)  # the bot's clock and timezone
    app.config.update(TESTING=True)
    return app


def dashboard(hx: HtmxClient) -> str:
    return hx.get("/", target="dash").get_data(as_text=True)


def do_next(html: str) -> str:
    return html[html.index('id="h-priority"') : html.index('id="h-late"')]


def test_a_context_set_on_either_side_shows_on_the_other(
    cloned: GitWorld,
    fake: FakeDiscord,
    run_bot: Callable[..., BotThread],
    redis_server: RedisServer,
    redis_client: redis.Redis,
) -> None:
    run_bot()
    browser = web_app(redis_server, cloned).test_client()
    log_in(browser)
    hx = HtmxClient(browser)
    assert '<option value="" selected>every context</option>' in dashboard(hx)

    # web → Discord
    assert hx.post("/context", {"context": "@store"}).status_code == 200
    assert ask(fake, "context") == "Context **@store** — set by you until 14:00."
    assert "Context **@store** — set by you" in ask(fake, "suggest")  # and it ranks by it

    # Discord → web
    assert ask(fake, "context", {"name": "phone", "hours": 1}).startswith(
        "Context **@phone** — set by you until 11:00"
    )
    html = dashboard(hx)
    assert '<option value="phone" selected>' in html
    assert 'Do next <span class="muted">@phone</span>' in html
    assert "Call the plumber about the leak" in do_next(html) and "Buy milk" not in do_next(html)

    # cleared on the web: Discord is back to the calendar and the time
    assert hx.post("/context", {"context": ""}).status_code == 200
    assert not redis_client.exists(OVERRIDE_KEY)
    assert ask(fake, "context") == "Context **@work** — from the time: work hours."

    # cleared in Discord: the dashboard shows every context again
    ask(fake, "context", {"name": "home"})
    assert '<option value="home" selected>' in dashboard(hx)
    assert ask(fake, "context", {"name": "auto"}).startswith("Override cleared.")
    html = dashboard(hx)
    assert '<option value="" selected>every context</option>' in html
    assert "Buy milk" in do_next(html)
