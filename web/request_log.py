"""Every request runs under a request id: the caller's ``X-Request-Id`` or a new one.

Log lines written while handling the request carry it (see :mod:`shared.log_format`), tasks sent
from it carry it to the worker, and the response names it in ``X-Request-Id``. One line per
request is logged to ``web.request``.
"""

from __future__ import annotations

import logging
import re
import time

from flask import Flask, Response, g, request

from shared.log_format import REQUEST_ID, new_request_id

HEADER = "X-Request-Id"
#: A caller's id is kept only when it looks like an id (no spaces, quotes or line breaks).
VALID_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

log = logging.getLogger("web.request")


def request_id_from(value: str | None) -> str:
    return value if value and VALID_ID.fullmatch(value) else new_request_id()


def init_app(app: Flask) -> None:
    @app.before_request
    def enter() -> None:
        g.request_id = request_id_from(request.headers.get(HEADER))
        g.request_started = time.perf_counter()
        g.request_id_token = REQUEST_ID.set(g.request_id)

    @app.after_request
    def name_it(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[HEADER] = request_id
            elapsed_ms = (time.perf_counter() - g.request_started) * 1000
            log.info(
                "%s %s %s %.1f ms", request.method, request.path, response.status_code,
                elapsed_ms, extra={"status": response.status_code, "ms": round(elapsed_ms, 1)},
            )  # fmt: skip
        return response

    @app.teardown_request
    def leave(_exc: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            REQUEST_ID.reset(token)
