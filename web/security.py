"""Cookies, the secret key, proxies, the loopback-only mode and the response security headers."""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.atomic import write_atomic
from shared.settings import Settings

SECRET_KEY_FILE = "web-secret-key"
SESSION_DAYS = 30
#: A page left open longer than this must be reloaded before it can change anything.
CSRF_TOKEN_HOURS = 12
LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]", "::1"]

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)


def has_password(settings: Settings) -> bool:
    return bool(settings.web_password and settings.web_password.get_secret_value())


def secret_key(settings: Settings) -> str:
    """``SECRET_KEY``, else one made once and kept (mode 0600) under ``VAR_DIR``."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    path = Path(settings.var_dir) / SECRET_KEY_FILE
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if len(key) < 32:
        key = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, key.encode("ascii") + b"\n")
        os.chmod(path, 0o600)
    return key


def security_config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "SECRET_KEY": secret_key(settings),
        "SESSION_COOKIE_NAME": "myorg_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,  # set per request: see TlsAwareSessionInterface
        "PERMANENT_SESSION_LIFETIME": timedelta(days=SESSION_DAYS),
        "WTF_CSRF_TIME_LIMIT": CSRF_TOKEN_HOURS * 3600,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    }
    if not has_password(settings):
        # No login: only this machine may talk to the site (also stops DNS rebinding).
        config["TRUSTED_HOSTS"] = LOOPBACK_HOSTS
    return config


class TlsAwareSessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie ``Secure`` whenever the request came over TLS (directly or, with
    trusted proxies, as ``X-Forwarded-Proto: https``)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def init_app(app: Flask, settings: Settings) -> None:
    if settings.web_trusted_proxies:
        n = settings.web_trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]

    if not has_password(settings):

        @app.before_request
        def _loopback_only() -> None:
            if not is_loopback(request.remote_addr):
                abort(403, "this site has no password, so it only answers on this machine")

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        return response
