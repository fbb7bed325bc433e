"""Serve the web app with gunicorn (threaded workers, so streaming responses don't block).

``python -m web``. Without ``WEB_PASSWORD`` the site has no login, so it binds 127.0.0.1 only.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from shared.log_format import configure_logging
from shared.settings import Settings
from web import create_app

THREADS = 16


class WebServer(BaseApplication):
    """gunicorn running one prebuilt Flask app."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def has_web_password(settings: Settings) -> bool:
    return bool(settings.web_password and settings.web_password.get_secret_value())


def bind_host(settings: Settings) -> str:
    """``WEB_HOST``, or 127.0.0.1 when there is no ``WEB_PASSWORD`` (a site without a login)."""
    return settings.web_host if has_web_password(settings) else "127.0.0.1"


def main() -> None:
    settings = Settings()
    configure_logging(settings)
    host = bind_host(settings)
    if not has_web_password(settings):
        print(
            f"web: WEB_PASSWORD is not set, so the site is served on 127.0.0.1 only "
            f"(http://127.0.0.1:{settings.web_port}/)",
            file=sys.stderr,
            flush=True,
        )
    options = {
        "bind": f"{host}:{settings.web_port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": THREADS,
        "timeout": 60,
        "graceful_timeout": 10,
        # JSON logs have their own line per request (web.request_log), with its id.
        "accesslog": None if settings.log_format == "json" else "-",
        "proc_name": "myorg-web",
        "control_socket_disable": True,
    }
    app = create_app(settings)
    # gunicorn forks its worker from this process: freeze what exists now (the app and every
    # module it imported) so the worker's garbage collector never writes to those pages and they
    # stay shared with this parent instead of being copied into the worker.
    gc.collect()
    gc.freeze()
    WebServer(app, options).run()


if __name__ == "__main__":
    main()
