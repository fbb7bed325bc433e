"""Reliability plan row 22: web auth and CSRF. Each test prints the figure it measures."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import redis
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import (
    PASSWORD,
    HtmxClient,
    csrf_token,
    make_app,
    web_settings,
)
from web.login_limit import KEY_PREFIX, MAX_FAILURES, LoginLimit, LoginLimiter
from web.security import CSRF_TOKEN_HOURS
from worker.redis_server import RedisServer, free_port

ATTEMPTS = 1000
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def clear_limits(client: redis.Redis) -> None:
    for key in client.scan_iter(KEY_PREFIX + "*"):
        client.delete(key)


def wrong_passwords(client: FlaskClient, count: int, headers_for) -> dict[str, int]:
    """Sends ``count`` wrong passwords; how many were checked (401) and how many refused (429)."""
    token = csrf_token(client, "/login")
    seen = {"checked": 0, "locked": 0, "other": 0}
    for i in range(count):
        response = client.post(
            "/login", data={"password": f"guess-{i}", "csrf_token": token}, headers=headers_for(i)
        )
        key = {401: "checked", 429: "locked"}.get(response.status_code, "other")
        seen[key] += 1
    return seen


def test_row22_login_lockout_and_forwarded_for_spoofing(
    app: Flask, redis_client: redis.Redis
) -> None:
    clear_limits(redis_client)
    plain = wrong_passwords(app.test_client(), ATTEMPTS, lambda i: {})
    clear_limits(redis_client)
    spoofed = wrong_passwords(
        app.test_client(),
        ATTEMPTS,
        lambda i: {"X-Forwarded-For": f"198.51.{random.randrange(256)}.{i % 256}",
                   "X-Real-IP": f"203.0.113.{i % 256}", "Forwarded": f"for=192.0.2.{i % 256}"},
    )  # fmt: skip
    bypasses = spoofed["checked"] - MAX_FAILURES
    print(f"ROW22 login: attempts={ATTEMPTS} checked_before_lockout={plain['checked']} "
          f"locked={plain['locked']} window=60s xff_spoofed_checked={spoofed['checked']} "
          f"xff_bypasses={max(bypasses, 0)}")  # fmt: skip
    assert plain == {"checked": MAX_FAILURES, "locked": ATTEMPTS - MAX_FAILURES, "other": 0}
    assert spoofed["checked"] == MAX_FAILURES and spoofed["other"] == 0
    # the right password is refused too while locked out
    client = app.test_client()
    token = csrf_token(client, "/login")
    locked = client.post("/login", data={"password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 429 and "Try again in" in locked.get_data(as_text=True)
    clear_limits(redis_client)


def test_row22_behind_a_trusted_proxy_only_its_address_counts(
    redis_server: RedisServer, org_dir: Path, redis_client: redis.Redis
) -> None:
    app = make_app(web_settings(redis_server.url, org_dir, web_trusted_proxies=1))
    clear_limits(redis_client)
    # The proxy appends the address it saw; anything the client wrote comes before it.
    seen = wrong_passwords(
        app.test_client(),
        200,
        lambda i: {"X-Forwarded-For": f"10.{i % 256}.0.1, 198.51.100.7"},
    )
    print(f"ROW22 trusted-proxy: attempts=200 checked={seen['checked']} "
          f"bypasses={max(seen['checked'] - MAX_FAILURES, 0)}")  # fmt: skip
    assert seen["checked"] == MAX_FAILURES
    # another real client behind the same proxy is not locked out
    other = app.test_client()
    token = csrf_token(other, "/login")
    response = other.post(
        "/login",
        data={"password": PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-For": "198.51.100.8"},
    )
    assert response.status_code == 302
    clear_limits(redis_client)


def sample_url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        values[arg] = 1 if "Integer" in converter else "a" * 32
    url = rule.rule
    for name, value in values.items():
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), url)
    return url


def test_row22_no_route_accepts_a_state_change_without_token(
    app: Flask, client: FlaskClient, org_dir: Path
) -> None:
    before = {p.name: p.read_bytes() for p in org_dir.iterdir() if p.is_file()}
    tried = accepted = refused = not_allowed = 0
    offenders = []
    for rule in app.url_map.iter_rules():
        url = sample_url(rule)
        for method in STATE_CHANGING:
            for headers in ({}, {"HX-Request": "true"}):
                tried += 1
                response = client.open(url, method=method, headers=headers, data={"x": "1"})
                if response.status_code == 405:
                    not_allowed += 1
                elif response.status_code == 400 and response.headers.get("X-CSRF-Refused"):
                    refused += 1
                else:
                    accepted += 1
                    offenders.append((method, url, response.status_code))
    print(f"ROW22 csrf: routes={len(list(app.url_map.iter_rules()))} requests={tried} "
          f"refused={refused} method_not_allowed={not_allowed} accepted_without_token={accepted}")
    assert accepted == 0, offenders
    assert refused > 0
    after = {p.name: p.read_bytes() for p in org_dir.iterdir() if p.is_file()}
    assert after == before


def test_row22_expired_token_htmx_post_is_refused(hx: HtmxClient, org_dir: Path) -> None:
    before = (org_dir / "todo.txt").read_bytes()
    with time_machine.travel(time.time() + CSRF_TOKEN_HOURS * 3600 + 60, tick=True):
        response = hx.post("/tasks", {"text": "sent from a page left open too long"})
    body = response.get_data(as_text=True)
    print(f"ROW22 expired-token: status={response.status_code} "
          f"refused={bool(response.headers.get('X-CSRF-Refused'))}")
    assert response.status_code == 400
    assert response.headers["X-CSRF-Refused"] == "1"
    assert response.headers["HX-Retarget"] == "#flash"
    assert "Reload the page" in body
    assert (org_dir / "todo.txt").read_bytes() == before


def test_row22_cookie_flags_on_every_cookie(app: Flask) -> None:
    cookies: list[str] = []
    client = app.test_client()
    tls = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    cookies += client.get("/login", base_url="https://localhost").headers.getlist("Set-Cookie")
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"password": PASSWORD, "csrf_token": token}, **tls)
    cookies += response.headers.getlist("Set-Cookie")
    for path in ("/", "/tasks", "/calendar"):
        cookies += client.get(path, base_url="https://localhost").headers.getlist("Set-Cookie")
    flagged = [c for c in cookies if "Secure" in c and "HttpOnly" in c and "SameSite=" in c]
    print(f"ROW22 cookies: set={len(cookies)} with_secure_httponly_samesite={len(flagged)} "
          f"({100 * len(flagged) // max(len(cookies), 1)}%)")
    assert cookies and flagged == cookies


def test_lockout_ends_with_its_window(redis_client: redis.Redis) -> None:
    clear_limits(redis_client)
    limiter = LoginLimiter(redis_client, LoginLimit(max_failures=2, window_s=1))
    limiter.record_failure("192.0.2.1")
    assert limiter.retry_after("192.0.2.1") == 0
    limiter.record_failure("192.0.2.1")
    assert limiter.retry_after("192.0.2.1") >= 1
    assert limiter.retry_after("192.0.2.2") == 0
    time.sleep(1.2)
    assert limiter.retry_after("192.0.2.1") == 0


def test_lockout_holds_while_redis_is_unreachable() -> None:
    down = redis.Redis(port=free_port(), socket_connect_timeout=0.2, socket_timeout=0.2)
    limiter = LoginLimiter(down, LoginLimit(max_failures=3, window_s=60))
    for _ in range(3):
        limiter.record_failure("192.0.2.1")
    assert limiter.retry_after("192.0.2.1") > 0
    assert limiter.retry_after("192.0.2.9") == 0
