"""The web interface: a Flask app factory with one blueprint per page area."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFProtect

from shared.settings import Settings


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    services: object | None = None,
) -> Flask:
    """Build the app. ``settings`` defaults to ``Settings()`` read from the environment.

    ``clock`` (an aware ``now``) and ``services`` (a :class:`web.services.WebServices`) let
    tests and benchmarks fix the time and share connections; both default to the real ones.
    """
    from web import errors, request_log, security, views
    from web import services as web_services

    settings = settings or Settings()
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config.update(security.security_config(settings))
    app.session_interface = security.TlsAwareSessionInterface()
    CSRFProtect(app)
    HTMX(app)
    web_services.init_app(app, settings, clock=clock, services=services)
    security.init_app(app, settings)
    request_log.init_app(app)
    errors.init_app(app)
    views.init_app(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    """Every page area of the site, registered in one place."""
    from web.auth import bp as auth_bp
    from web.briefings import bp as briefings_bp
    from web.calendar import bp as calendar_bp
    from web.chat import bp as chat_bp
    from web.dashboard import bp as dashboard_bp
    from web.feed import bp as feed_bp
    from web.health import bp as health_bp
    from web.history import bp as history_bp
    from web.live import bp as live_bp
    from web.metrics import bp as metrics_bp
    from web.projects import bp as projects_bp
    from web.review import bp as review_bp
    from web.schedule import bp as schedule_bp
    from web.tasks import bp as tasks_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(metrics_bp)
    for bp in (
        auth_bp,
        dashboard_bp,
        tasks_bp,
        calendar_bp,
        projects_bp,
        review_bp,
        chat_bp,
        history_bp,
        schedule_bp,
        briefings_bp,
        feed_bp,
        live_bp,
    ):
        app.register_blueprint(bp)


def app_settings(app: Flask) -> Settings:
    """The settings the app was built with."""
    settings: Settings = app.config["SETTINGS"]
    return settings
