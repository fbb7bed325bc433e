"""Login and logout, and the guard that keeps every other page behind the session."""

from __future__ import annotations

import hashlib
import hmac

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_htmx import make_response as htmx_response
from werkzeug.security import check_password_hash

from web import app_settings
from web.login_limit import LoginLimiter
from web.security import has_password
from web.services import services

bp = Blueprint("auth", __name__)

#: Endpoints anyone may reach: the login form, the probes, static files, the token-guarded feed.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "health.healthz",
        "health.readyz",
        "static",
        "feed.calendar_ics",
        "metrics.metrics",  # guarded by its own token check
    }
)
LIMITER = "login_limiter"
HASH_PREFIXES = ("scrypt:", "pbkdf2:")


def password_matches(configured: str, given: str) -> bool:
    """Compare in constant time: a werkzeug hash is checked as such, plain text by digest."""
    if configured.startswith(HASH_PREFIXES):
        return check_password_hash(configured, given)
    want = hashlib.sha256(configured.encode("utf-8")).digest()
    got = hashlib.sha256(given.encode("utf-8", "surrogatepass")).digest()
    return hmac.compare_digest(want, got)


def password_fingerprint() -> str:
    """Changes when the password changes, so older sessions stop working."""
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    password = app_settings(current_app).web_password
    value = password.get_secret_value() if password else ""
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def logged_in() -> bool:
    if not has_password(app_settings(current_app)):
        return True
    return session.get("auth") == password_fingerprint()


def limiter() -> LoginLimiter:
    svc = services()
    found = svc.extras.get(LIMITER)
    if not isinstance(found, LoginLimiter):
        found = LoginLimiter(svc.redis)
        svc.extras[LIMITER] = found
    return found


def safe_next(target: str | None) -> str:
    """Only a path on this site (``/tasks?x=1``), never ``//evil`` or ``https://evil``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("dashboard.index")
    return target


@bp.before_app_request
def require_login() -> ResponseReturnValue | None:
    if request.endpoint in PUBLIC_ENDPOINTS or logged_in():
        return None
    login = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        return htmx_response("Please log in again.", 401, redirect=login)
    if request.accept_mimetypes.best == "text/event-stream" or request.path == "/events":
        return Response("log in first", 401, mimetype="text/plain")
    return redirect(login)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    settings = app_settings(current_app)
    next_url = safe_next(request.values.get("next"))
    if not has_password(settings):
        return redirect(next_url)
    if request.method == "GET":
        return render_template("auth/login.html", next_url=next_url, error=None)
    address = request.remote_addr or "unknown"
    wait = limiter().retry_after(address)
    if wait:
        error = f"Too many wrong passwords. Try again in {wait} s."
        response = render_template("auth/login.html", next_url=next_url, error=error), 429
        return response
    given = request.form.get("password", "")
    assert settings.web_password is not None
    if not password_matches(settings.web_password.get_secret_value(), given):
        limiter().record_failure(address)
        return render_template("auth/login.html", next_url=next_url, error="Wrong password."), 401
    session.clear()
    session.permanent = True
    session["auth"] = password_fingerprint()
    return redirect(next_url)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("auth.login"))
