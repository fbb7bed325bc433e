"""The task list and the dashboard, read-only: filtering, escaping, fragments."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.web.conftest import HtmxClient


def test_tasks_page_lists_actionable_tasks_most_urgent_first(client: FlaskClient) -> None:
    html = client.get("/tasks").get_data(as_text=True)
    assert "Call the plumber about the bathroom leak" in html
    assert "Fix the checkout bug on ACME staging" in html
    # a threshold in the future hides a task until then
    assert "Update the portfolio with the ACME case study" not in html
    assert html.index("Fix the checkout bug") < html.index("Draft chapter 4")


def test_filter_by_project_context_and_text(client: FlaskClient) -> None:
    html = client.get("/tasks?project=book").get_data(as_text=True)
    assert "Redraw figure 3.2" in html
    assert "Call the plumber" not in html
    html = client.get("/tasks?context=phone").get_data(as_text=True)
    assert "Call the plumber" in html and "Redraw figure 3.2" not in html
    html = client.get("/tasks?q=PLUMBER").get_data(as_text=True)
    assert "Call the plumber" in html and "Draft chapter 4" not in html


def test_filter_by_due_and_priority(client: FlaskClient) -> None:
    html = client.get("/tasks?due=overdue").get_data(as_text=True)
    assert "Fix the checkout bug on ACME staging" in html  # due 2026-11-21, today is the 23rd
    assert "Call the plumber" not in html  # due the 25th
    html = client.get("/tasks?priority=a").get_data(as_text=True)
    assert "Call the plumber" in html and "Redraw figure 3.2" not in html


def test_show_all_includes_done_and_later_tasks(client: FlaskClient) -> None:
    html = client.get("/tasks?show=hidden").get_data(as_text=True)
    assert "Update the portfolio with the ACME case study" in html
    html = client.get("/tasks?show=all&q=x ").get_data(as_text=True)
    assert 'class="task' in html


def test_htmx_filter_returns_only_the_list(hx: HtmxClient) -> None:
    response = hx.get("/tasks?project=house", target="task-list")
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="task-list"')
    assert "<html" not in html
    assert "Call the plumber" in html
    # the list reloads itself (live refresh) with the same filter
    assert 'hx-get="/tasks?project=house"' in html


def test_bad_filter_values_are_ignored_with_a_note(client: FlaskClient) -> None:
    response = client.get("/tasks?priority=AB&due=someday&show=weird&project=two words")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ignored the priority" in html and "Ignored the due filter" in html
    assert "Ignored show=" in html and "cannot contain spaces" in html
    assert "Call the plumber" in html


def test_huge_search_text_is_cut_not_refused(client: FlaskClient) -> None:
    response = client.get("/tasks?q=" + "a" * 5000)
    assert response.status_code == 200
    assert "was cut to 200 characters" in response.get_data(as_text=True)


def test_task_text_is_escaped(client: FlaskClient, org_dir: Path) -> None:
    with (org_dir / "todo.txt").open("ab") as f:
        f.write(b"(A) <script>alert('x')</script> & <b>bold</b> +evil\"><img src=x> @home\n")
    html = client.get("/tasks").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(" in html
    assert '+evil"><img' not in html
    dash = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in dash


def test_undecodable_bytes_are_shown_not_crashing(client: FlaskClient) -> None:
    # The fixture has "Buy caf\xe9 beans" in Latin-1: invalid UTF-8.
    html = client.get("/tasks?q=beans").get_data(as_text=True)
    assert "Buy caf\ufffd beans" in html


def test_page_sizes_stay_small(client: FlaskClient) -> None:
    for path in ("/", "/tasks", "/calendar", "/projects", "/static/app.css", "/static/app.js"):
        with client.get(path) as response:
            assert response.status_code == 200, path
            assert len(response.data) < 100_000, path


def test_dashboard_shows_today(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Monday 23 November" in html
    assert "ACME standup" in html
    # 09:10 is inside the 9-9:30 standup: it is the current event
    assert 'aria-current="time"' in html
    at = html.index('aria-current="time"')
    current = html[at - 200 : at + 300]
    assert "ACME standup" in current
    assert "Fix the checkout bug on ACME staging" in html  # overdue
    assert "Intro to the CTO of Hilo Studio" in html  # waiting since October: stale


def test_dashboard_fragment_for_live_refresh(hx: HtmxClient) -> None:
    html = hx.get("/", target="dash").get_data(as_text=True)
    assert html.lstrip().startswith('<div id="dash"') and "<html" not in html
