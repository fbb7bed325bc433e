"""Login, sessions, cookies, CSRF and the loopback-only mode."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from tests.web.conftest import PASSWORD, csrf_token, log_in, make_app, web_settings
from worker.redis_server import RedisServer


def test_every_page_but_login_and_probes_needs_the_session(app: Flask) -> None:
    client = app.test_client()
    for path in ("/", "/tasks", "/calendar", "/projects", "/chat", "/history", "/schedule",
                 "/briefings"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/events").status_code == 401


def test_htmx_request_without_session_is_sent_to_login(app: Flask) -> None:
    response = app.test_client().get("/tasks", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_login_with_the_right_password_then_pages_open(app: Flask) -> None:
    client = app.test_client()
    log_in(client)
    page = client.get("/")
    assert page.status_code == 200
    assert "Today's events" in page.get_data(as_text=True)


def test_wrong_password_is_refused(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"password": "nope", "csrf_token": token})
    assert response.status_code == 401
    assert "Wrong password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_redirects_only_to_local_paths(app: Flask) -> None:
    for target, expected in (("/tasks?q=x", "/tasks?q=x"), ("//evil.example", "/"),
                             ("https://evil.example/", "/"), ("/\\evil", "/")):
        client = app.test_client()
        token = csrf_token(client, "/login")
        response = client.post(
            "/login", data={"password": PASSWORD, "csrf_token": token, "next": target}
        )
        assert response.headers["Location"] == expected, target


def test_login_form_without_csrf_token_is_refused(app: Flask) -> None:
    response = app.test_client().post("/login", data={"password": PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_a_password_hash_in_settings_is_checked_as_a_hash(
    redis_server: RedisServer, org_dir: Path
) -> None:
    hashed = generate_password_hash("s3cret-pass")
    app = make_app(web_settings(redis_server.url, org_dir, password=hashed))
    client = app.test_client()
    token = csrf_token(client, "/login")
    assert client.post("/login", data={"password": hashed, "csrf_token": token}).status_code == 401
    assert client.post(
        "/login", data={"password": "s3cret-pass", "csrf_token": token}
    ).status_code == 302


def test_session_cookie_flags(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client, "/login")
    plain = client.post("/login", data={"password": PASSWORD, "csrf_token": token})
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    tls = app.test_client()
    token = csrf_token(tls, "/login")
    response = tls.post(
        "/login",
        data={"password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
    )
    flags = response.headers["Set-Cookie"]
    assert "Secure" in flags and "HttpOnly" in flags and "SameSite=Lax" in flags


def test_behind_a_trusted_proxy_https_makes_the_cookie_secure(
    redis_server: RedisServer, org_dir: Path
) -> None:
    app = make_app(web_settings(redis_server.url, org_dir, web_trusted_proxies=1))
    client = app.test_client()
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
        "Referer": "https://localhost/login",
    }
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"password": PASSWORD, "csrf_token": token}, headers=headers
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_logout_ends_the_session(client) -> None:
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_changing_the_password_ends_older_sessions(
    redis_server: RedisServer, org_dir: Path
) -> None:
    first = make_app(web_settings(redis_server.url, org_dir))
    client = first.test_client()
    log_in(client)
    second = make_app(web_settings(redis_server.url, org_dir, password="a new password"))
    cookie = client.get_cookie("myorg_session")
    assert cookie is not None
    other = second.test_client()
    other.set_cookie("myorg_session", cookie.value)
    assert other.get("/").status_code == 302


def test_security_headers(client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "unsafe-inline" not in csp


def test_pages_load_no_external_resources(client) -> None:
    for path in ("/", "/tasks", "/calendar", "/projects"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html), path


@pytest.fixture
def open_app(redis_server: RedisServer, org_dir: Path) -> Flask:
    return make_app(web_settings(redis_server.url, org_dir, password=None))


def test_without_password_no_login_is_needed_from_this_machine(open_app: Flask) -> None:
    client = open_app.test_client()
    page = client.get("/")
    assert page.status_code == 200
    assert "answers on this machine only" in page.get_data(as_text=True)
    assert client.get("/login").status_code == 302


def test_without_password_other_machines_are_refused(open_app: Flask) -> None:
    client = open_app.test_client()
    response = client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 403
    rebinding = client.get("/", headers={"Host": "attacker.example"})
    assert rebinding.status_code == 400


def test_without_password_csrf_is_still_required(open_app: Flask) -> None:
    client = open_app.test_client()
    response = client.post("/tasks", data={"text": "sneaky"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["X-CSRF-Refused"] == "1"
