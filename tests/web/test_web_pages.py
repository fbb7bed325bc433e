"""Calendar, projects, schedule, briefings, the iCalendar feed and the live-update stream."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import redis
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar as ICalendar

from tests.web.conftest import HtmxClient
from web.feed import feed_token
from worker.changes import CHANGES_CHANNEL


def test_month_view_has_a_grid_with_today_and_events(client: FlaskClient) -> None:
    html = client.get("/calendar").get_data(as_text=True)
    assert "November 2026" in html
    assert html.count('role="gridcell"') == 42  # 2026-10-26 .. 2026-12-06: six weeks
    today = html[html.index('aria-current="date"') - 100 : html.index('aria-current="date"') + 900]
    assert "23" in today and "ACME standup" in today
    assert "Launch the ACME relaunch" in html  # the month goal
    assert "Call the plumber" in html  # due on the 25th


def test_week_view_and_navigation(client: FlaskClient) -> None:
    html = client.get("/calendar?view=week&date=2026-11-25").get_data(as_text=True)
    assert "Week 48" in html
    assert "staging walkthrough with Ana" in html and "9-9:30" in html
    assert "Ship ACME staging and send chapter 3" in html  # the week goal
    assert 'href="/calendar?view=week&amp;date=2026-11-30"' in html  # next week
    nxt = client.get("/calendar?date=2026-12-10").get_data(as_text=True)
    assert "December 2026" in nxt and "dentist with Pablo" in nxt


def test_bad_calendar_query_falls_back_with_a_note(client: FlaskClient) -> None:
    html = client.get("/calendar?date=2026-02-30&view=year").get_data(as_text=True)
    assert "Ignored the date" in html and "Ignored view=" in html
    assert "November 2026" in html


def test_calendar_fragment_for_live_refresh(hx: HtmxClient) -> None:
    html = hx.get("/calendar?view=week", target="cal").get_data(as_text=True)
    assert html.lstrip().startswith('<div id="cal"') and "<html" not in html


def test_add_event_validates_before_queueing(hx: HtmxClient, org_dir: Path) -> None:
    before = (org_dir / "calendar.txt").read_bytes()
    cases = [
        ({"day": "2026-13-01", "text": "x"}, "Invalid date"),
        ({"day": "tomorrow", "text": "x"}, "Invalid date"),
        ({"day": "2026-11-30", "time": "25:00", "text": "x"}, "Not a time"),
        ({"day": "2026-11-30", "time": "10-9", "text": "x"}, "ends before it starts"),
        ({"day": "2026-11-30", "text": "   "}, "Write what the event is"),
        ({"day": "2026-11-30", "text": "y" * 600}, "at most 500"),
    ]
    for data, message in cases:
        response = hx.post("/calendar/events", data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert (org_dir / "calendar.txt").read_bytes() == before


def test_projects_page_shows_progress_stalls_and_the_chain(client: FlaskClient) -> None:
    html = client.get("/projects").get_data(as_text=True)
    assert "ACME shop relaunch" in html
    assert "<progress" in html
    assert "Reach 5k monthly freelance revenue" in html  # acme → goal
    assert re.search(r"G2:", html)  # goal → telos
    assert "Christmas in Oviedo" in html and "serves no goal" in html
    assert "Paused, someday and done" in html and "Monthly newsletter" in html
    assert "Goals for 2026-Q4" in html and 'class="done"' in html


def test_schedule_lists_jobs_with_next_runs_in_the_owner_zone(client: FlaskClient) -> None:
    html = client.get("/schedule").get_data(as_text=True)
    assert "morning briefing" in html and "0 8 * * 1-5" in html
    # now is Mon 23 Nov 09:10 in Madrid: the next morning briefing is Tue 24 at 08:00 +01:00
    assert 'datetime="2026-11-24T08:00:00+01:00"' in html
    assert "CET" in html


def test_briefings_page_has_an_empty_state(client: FlaskClient) -> None:
    html = client.get("/briefings").get_data(as_text=True)
    assert "No briefing has been sent yet." in html


def test_calendar_feed_needs_its_token(app: Flask) -> None:
    client = app.test_client()  # no session: a phone's calendar app
    assert client.get("/calendar.ics").status_code == 404
    assert client.get("/calendar.ics?token=" + "0" * 32).status_code == 404
    with app.test_request_context():
        token = feed_token()
    response = client.get(f"/calendar.ics?token={token}")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = ICalendar.from_ical(response.data)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    standup = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "ACME standup +acme"]
    assert any(str(e.decoded("DTSTART")) == "2026-11-23 09:00:00+01:00" for e in standup)
    assert "Due: Call the plumber about the bathroom leak" in events
    assert str(events["Jon's sister visits"].decoded("DTSTART")) == "2026-11-28"
    assert cal.walk("VTIMEZONE"), "timed events need their VTIMEZONE"
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids))


def test_feed_url_is_shown_on_the_calendar_page(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        token = feed_token()
    assert f"/calendar.ics?token={token}" in client.get("/calendar").get_data(as_text=True)


def read_stream(response, until: str, timeout: float = 8.0) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    for chunk in response.response:
        seen += chunk.decode() if isinstance(chunk, bytes) else chunk
        if until in seen or time.monotonic() > deadline:
            break
    return seen


def test_events_stream_relays_worker_changes(
    app: Flask, client: FlaskClient, redis_client: redis.Redis
) -> None:
    app.config["SSE_STREAM_SECONDS"] = 5
    response = client.get("/events", buffered=False)
    assert response.mimetype == "text/event-stream"
    change = {"type": "applied", "source": "discord", "summary": "add task: x", "files": ["a"]}
    timer = threading.Timer(0.3, redis_client.publish, (CHANGES_CHANNEL, json.dumps(change)))
    timer.start()
    try:
        seen = read_stream(response, "event: change")
    finally:
        timer.join()
        response.close()
    assert "event: hello" in seen and "event: change" in seen
    data = json.loads(seen.split("event: change\ndata: ", 1)[1].split("\n", 1)[0])
    assert data == change


def test_events_stream_notices_hand_edits(app: Flask, client: FlaskClient, org_dir: Path) -> None:
    app.config["SSE_STREAM_SECONDS"] = 6

    def edit() -> None:
        with (org_dir / "todo.txt").open("a", encoding="utf-8") as f:
            f.write("Added with an editor\n")

    response = client.get("/events", buffered=False)
    timer = threading.Timer(0.5, edit)
    timer.start()
    try:
        seen = read_stream(response, '"type": "files"')
    finally:
        timer.join()
        response.close()
    assert '"type": "files"' in seen


def test_chat_without_an_agent_worker_says_so(client: FlaskClient) -> None:
    html = client.get("/chat").get_data(as_text=True)
    assert "The agent is not available" in html
    assert 'id="chat-form"' in html


def test_chat_refuses_bad_input(hx: HtmxClient) -> None:
    assert "Write a message first" in hx.post("/chat", {"text": "  "}).get_data(as_text=True)
    long = hx.post("/chat", {"text": "x" * 5000})
    assert long.status_code == 400 and "at most 4000" in long.get_data(as_text=True)
    assert hx.get("/chat/stream/bad%20id").status_code == 400
    missing = hx.get("/chat/turns/" + "f" * 24)
    assert missing.status_code == 404 and "No answer was recorded" in missing.get_data(as_text=True)


def test_chat_message_is_queued_and_streamed_page_escapes_it(
    hx: HtmxClient, redis_client: redis.Redis
) -> None:
    response = hx.post("/chat", {"text": "<script>alert(1)</script> what is on today?"})
    redis_client.delete("agent")  # no agent worker here: drop the queued turn
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert 'data-stream="/chat/stream/' in html and 'data-done="/chat/turns/' in html
