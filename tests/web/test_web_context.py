"""The dashboard's context is the owner's override in Redis, the one ``/context`` sets in Discord:
one for every browser and process, until it expires."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from flask import Flask

from tests.web.conftest import NOW, HtmxClient, log_in
from worker.context_override import OVERRIDE_KEY, get_override, set_override


@pytest.fixture(autouse=True)
def no_override(redis_client: redis.Redis) -> Iterator[None]:
    """The session's Redis is shared by the web tests: leave no override behind."""
    redis_client.delete(OVERRIDE_KEY)
    yield
    redis_client.delete(OVERRIDE_KEY)


def do_next(html: str) -> str:
    return html[html.index('id="h-priority"') : html.index('id="h-late"')]


def test_context_picked_on_the_dashboard_is_the_shared_override(
    app: Flask, hx: HtmxClient, redis_client: redis.Redis
) -> None:
    response = hx.post("/context", {"context": "Phone"})
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "myorg:changed"
    assert "@phone until 13:10" in response.get_data(as_text=True)  # 09:10 + 4 hours
    override = get_override(redis_client)
    assert override is not None and override.context == "@phone"
    assert override.until == NOW + timedelta(hours=4)
    assert 4 * 3600 - 10 < redis_client.ttl(OVERRIDE_KEY) <= 4 * 3600

    html = hx.get("/", target="dash").get_data(as_text=True)
    assert "Call the plumber" in do_next(html) and "Redraw figure 3.2" not in do_next(html)
    other = app.test_client()  # another browser: the same context
    log_in(other)
    html = other.get("/").get_data(as_text=True)
    assert '<option value="phone" selected>' in html
    assert "Redraw figure 3.2" not in do_next(html)

    bad = hx.post("/context", {"context": "two words"})
    assert bad.status_code == 400 and "one word" in bad.get_data(as_text=True)
    assert get_override(redis_client) == override

    assert hx.post("/context", {"context": ""}).status_code == 200  # every context
    assert not redis_client.exists(OVERRIDE_KEY)
    html = hx.get("/", target="dash").get_data(as_text=True)
    assert "Redraw figure 3.2" in do_next(html)


def test_an_override_set_elsewhere_filters_the_dashboard_until_it_expires(
    hx: HtmxClient, redis_client: redis.Redis
) -> None:
    set_override(redis_client, "errands", NOW + timedelta(hours=2), NOW)  # as /context does
    html = hx.get("/", target="dash").get_data(as_text=True)
    assert '<option value="errands" selected>' in html
    assert 'Do next <span class="muted">@errands</span>' in html
    assert "Call the plumber" not in do_next(html)

    set_override(redis_client, "phone", NOW - timedelta(minutes=1), NOW - timedelta(hours=1))
    html = hx.get("/", target="dash").get_data(as_text=True)  # ran out a minute ago
    assert '<option value="" selected>every context</option>' in html
    assert "Redraw figure 3.2" in do_next(html)
