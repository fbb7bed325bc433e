"""The dashboard's "Suggested now": the best three tasks, each with why."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import HtmxClient


def suggested(html: str) -> list[tuple[str, str]]:
    section = html[html.index('id="h-suggest"') : html.index('id="h-priority"')]
    rows = re.findall(
        r'<li class="suggestion"><span class="text">(.*?)</span>'
        r'(?: <span class="reason muted">(.*?)</span>)?</li>',
        section,
    )
    return [(title, reason) for title, reason in rows]


def test_dashboard_shows_three_suggestions_with_their_reasons(client: FlaskClient) -> None:
    rows = suggested(client.get("/").get_data(as_text=True))
    assert len(rows) == 3
    assert rows[0] == (
        "Fix the checkout bug on ACME staging",
        "overdue 2 days · priority A · serves revenue-5k (behind)",
    )
    assert all(reason for _, reason in rows)
    assert all("waiting" not in title.casefold() for title, _ in rows)


def test_suggestions_follow_the_chosen_context(hx: HtmxClient) -> None:
    hx.post("/context", {"context": "phone"})
    rows = suggested(hx.get("/", target="dash").get_data(as_text=True))
    assert rows[0][0] == "Call the plumber about the bathroom leak"
    assert "@phone" in rows[0][1]
    # A task of another context ranks lower, and says why.
    checkout = [reason for title, reason in rows if title == "Fix the checkout bug on ACME staging"]
    assert checkout and "not @phone" in checkout[0]
