"""Briefings: every proactive message the assistant sent, newest first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from web.views import render_page

bp = Blueprint("briefings", __name__)


def briefings_context() -> dict[str, Any]:
    return {"briefings": []}


@bp.get("/briefings")
def index() -> str:
    return render_page("briefings/index.html", None, **briefings_context())
