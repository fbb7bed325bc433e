"""Errors as the owner sees them: one clear sentence, in place for HTMX, as a page otherwise."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from web.flash import flash
from web.views import BadInputError

CSRF_MESSAGE = (
    "This page is out of date (its security token is missing or expired). "
    "Reload the page and try again."
)


def error_response(status: int, message: str) -> Response:
    """The message in the page's flash area for HTMX requests; a small page otherwise."""
    if request.headers.get("HX-Request") == "true":
        return flash("error", message, status)
    body = render_template("error.html", status=status, message=message)
    return Response(body, status, mimetype="text/html")


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Response:
        response = error_response(400, CSRF_MESSAGE)
        response.headers["X-CSRF-Refused"] = "1"
        return response

    @app.errorhandler(BadInputError)
    def _bad_input(exc: BadInputError) -> Response:
        return error_response(400, str(exc))

    @app.errorhandler(SecurityError)
    def _untrusted_host(exc: SecurityError) -> Response:
        # No URL can be built for an untrusted Host, so no page template either.
        return Response("This site only answers to its own address.\n", 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> HTTPException | Response:
        if exc.code is None or exc.code < 400:
            return exc
        message = {
            404: "There is no such page.",
            405: "That action is not available here.",
            413: "That is too much text to send at once.",
        }.get(exc.code, exc.description or exc.name)
        response = error_response(exc.code, message)
        allowed = getattr(exc, "valid_methods", None)
        if exc.code == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response
