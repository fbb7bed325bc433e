"""The todo.txt rules of the format contract, one by one."""

from __future__ import annotations

from datetime import date

import pytest

from shared.lines import LineDoc
from shared.todo import is_attribute, is_task_line, parse_task, render_task, set_attribute
from shared.todo_list import TaskNotFoundError, find_task, parse_tasks, tasks_of


def test_contract_example_open_task() -> None:
    t = parse_task("(A) 2026-11-20 Call the plumber about the leak +house @telefon due:2026-11-25")
    assert not t.done
    assert t.priority == "A"
    assert t.creation_date == date(2026, 11, 20)
    assert t.completion_date is None
    assert t.text == "Call the plumber about the leak +house @telefon due:2026-11-25"
    assert t.projects == ("house",)
    assert t.contexts == ("@telefon",)
    assert t.attributes == {"due": "2026-11-25"}
    assert t.due == date(2026, 11, 25)
    assert t.description == "Call the plumber about the leak"
    assert t.problems == ()


def test_contract_example_done_task_with_both_dates() -> None:
    t = parse_task("x 2026-11-22 2026-11-18 Send invoice to ACME +freelance @computer")
    assert t.done
    assert t.completion_date == date(2026, 11, 22)
    assert t.creation_date == date(2026, 11, 18)
    assert t.priority is None
    assert t.text == "Send invoice to ACME +freelance @computer"
    assert t.projects == ("freelance",)
    assert t.contexts == ("@computer",)


def test_done_task_with_completion_date_only() -> None:
    t = parse_task("x 2026-11-22 Pay rent")
    assert t.done and t.completion_date == date(2026, 11, 22)
    assert t.creation_date is None
    assert t.text == "Pay rent"


def test_done_task_without_dates() -> None:
    t = parse_task("x Pay rent")
    assert t.done and t.completion_date is None and t.text == "Pay rent"


@pytest.mark.parametrize("raw", ["xylophone lessons", "X 2026-11-22 capital x", "x2026 nope"])
def test_x_must_be_a_lone_lowercase_word_to_mark_done(raw: str) -> None:
    assert not parse_task(raw).done


def test_priority_only_first_and_only_uppercase() -> None:
    assert parse_task("(B) thing").priority == "B"
    assert parse_task("(b) thing").priority is None
    assert parse_task("thing (A)").priority is None
    assert parse_task("(AB) thing").priority is None
    assert parse_task("x (A) done thing").priority is None


def test_creation_date_after_priority() -> None:
    t = parse_task("(C) 2026-01-05 Renew passport")
    assert t.priority == "C" and t.creation_date == date(2026, 1, 5)
    assert t.text == "Renew passport"


def test_creation_date_without_priority() -> None:
    t = parse_task("2026-11-01 Ask Ana for the signed contract @waiting who:Ana +freelance")
    assert t.creation_date == date(2026, 11, 1)
    assert t.priority is None
    assert t.is_waiting
    assert t.attr("who") == "Ana"


def test_projects_and_contexts_anywhere_deduplicated_in_order() -> None:
    t = parse_task("+b start @x middle +a +b end @y @x")
    assert t.projects == ("b", "a")
    assert t.contexts == ("@x", "@y")


def test_lone_plus_and_at_are_words() -> None:
    t = parse_task("1 + 1 @ home")
    assert t.projects == () and t.contexts == ()


def test_email_address_is_not_a_context() -> None:
    assert parse_task("Write ana@example.org").contexts == ()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("due:2026-11-25", ("due", "2026-11-25")),
        ("t:2026-11-20", ("t", "2026-11-20")),
        ("rec:+1m", ("rec", "+1m")),
        ("est:30m", ("est", "30m")),
        ("energy:low", ("energy", "low")),
        ("who:Ana", ("who", "Ana")),
        ("my_key-2:v:w", ("my_key-2", "v:w")),
        ("https://example.org/a:b", None),
        ("http://x", None),
        ("ftp://host/file", None),
        ("12:30", None),
        ("key:", None),
        (":value", None),
        ("plain", None),
    ],
)
def test_is_attribute(word: str, expected: tuple[str, str] | None) -> None:
    assert is_attribute(word) == expected


def test_urls_are_not_attributes() -> None:
    t = parse_task("Read https://example.org/x?a=1 and http://b.org due:2026-12-01")
    assert t.attributes == {"due": "2026-12-01"}
    assert "https://example.org/x?a=1" in t.text


def test_repeated_key_becomes_a_list_in_order() -> None:
    t = parse_task("Chain p:1 p:2 goal:a p:3")
    assert t.attributes == {"p": ["1", "2", "3"], "goal": "a"}
    assert t.attr("p") == "1"
    assert t.attr_all("p") == ["1", "2", "3"]


def test_understood_attributes() -> None:
    t = parse_task(
        "Water plants due:2026-11-25 t:2026-11-20 rec:+1w est:15m energy:low who:Ana"
    )
    assert t.due == date(2026, 11, 25)
    assert t.threshold == date(2026, 11, 20)
    assert t.recurrence == "+1w"
    assert t.attr("est") == "15m"
    assert t.attr("energy") == "low"
    assert t.attr("who") == "Ana"
    assert t.problems == ()


def test_threshold_hides_until_its_day() -> None:
    t = parse_task("Later t:2026-11-25")
    assert not t.visible_on(date(2026, 11, 24))
    assert t.visible_on(date(2026, 11, 25))
    assert parse_task("No threshold").visible_on(date(2000, 1, 1))


def test_waiting_is_the_waiting_context() -> None:
    assert parse_task("Ana's contract @waiting").is_waiting
    assert not parse_task("Ana's contract @wait").is_waiting


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("Pay due:2026-13-45", "invalid date in due:2026-13-45"),
        ("Pay t:someday", "invalid date in t:someday"),
        ("Pay rec:often", "invalid recurrence rec:often"),
        ("(A)", "empty task"),
        ("x", "empty task"),
        ("x 2026-11-22", "empty task"),
        ("(A) 2026-11-20", "empty task"),
        ("2026-02-30 Pay", "invalid creation date 2026-02-30"),
        ("x 2026-13-45 Pay", "invalid completion date 2026-13-45"),
        ("x 2026-11-22 2026-02-30 Pay", "invalid creation date 2026-02-30"),
    ],
)
def test_malformed_lines_parse_with_problems_and_keep_raw(raw: str, problem: str) -> None:
    t = parse_task(raw, 7)
    assert problem in t.problems
    assert t.malformed
    assert t.raw == raw
    assert t.line == 7


def test_malformed_due_is_kept_as_attribute_but_has_no_date() -> None:
    t = parse_task("Pay due:2026-13-45")
    assert t.attributes == {"due": "2026-13-45"}
    assert t.due is None


def test_lone_priority_and_lone_x() -> None:
    a = parse_task("(A)")
    assert a.priority == "A" and a.text == "" and not a.done
    x = parse_task("x")
    assert x.done and x.text == ""


def test_malformed_lines_survive_a_file_round_trip_untouched() -> None:
    data = b"(A)\nx\nPay due:2026-13-45\n  indented   task  \n"
    doc = LineDoc.from_bytes(data)
    tasks = tasks_of(doc)
    assert [t.raw for t in tasks] == ["(A)", "x", "Pay due:2026-13-45", "  indented   task  "]
    assert doc.to_bytes() == data


def test_blank_and_comment_lines_are_not_tasks_but_keep_numbering() -> None:
    tasks = parse_tasks(b"# my list\n\nfirst\n   \n  # indented comment\nsecond\n")
    assert [(t.line, t.text) for t in tasks] == [(3, "first"), (6, "second")]
    assert not is_task_line("# c") and not is_task_line("  ") and is_task_line("a")


def test_bom_and_crlf_file() -> None:
    tasks = parse_tasks(b"\xef\xbb\xbf(A) first +p\r\nsecond\r\n")
    assert tasks[0].priority == "A" and tasks[0].raw == "(A) first +p"
    assert tasks[1].raw == "second"


def test_non_utf8_line_parses() -> None:
    (t,) = parse_tasks(b"caf\xe9 +caf\xe9\n")
    assert t.projects and t.text.startswith("caf")


def test_to_json_keys_and_values() -> None:
    t = parse_task("(A) 2026-11-20 Call +house @tel due:2026-11-25 t:2026-11-21 rec:1w a:1 a:2", 3)
    j = t.to_json()
    assert j == {
        "line": 3,
        "raw": "(A) 2026-11-20 Call +house @tel due:2026-11-25 t:2026-11-21 rec:1w a:1 a:2",
        "done": False,
        "priority": "A",
        "completion_date": None,
        "creation_date": "2026-11-20",
        "text": "Call +house @tel due:2026-11-25 t:2026-11-21 rec:1w a:1 a:2",
        "projects": ["house"],
        "contexts": ["@tel"],
        "attributes": {"due": "2026-11-25", "t": "2026-11-21", "rec": "1w", "a": ["1", "2"]},
        "due": "2026-11-25",
        "threshold": "2026-11-21",
        "recurrence": "1w",
        "malformed": False,
        "problems": [],
    }


def test_render_task() -> None:
    created, completed = date(2026, 1, 2), date(2026, 1, 3)
    assert render_task("Call", priority="A", creation_date=created) == "(A) 2026-01-02 Call"
    done = render_task("Call", done=True, completion_date=completed, creation_date=created)
    assert done == "x 2026-01-03 2026-01-02 Call"
    assert render_task("Call", done=True, priority="A") == "x Call"


def test_set_attribute_in_place_append_and_remove() -> None:
    assert set_attribute("a due:2026-01-01 b", "due", "2026-02-02") == "a due:2026-02-02 b"
    assert set_attribute("a", "pri", "A") == "a pri:A"
    assert set_attribute("a due:2026-01-01 b", "due", None) == "a b"
    assert set_attribute("a", "due", None) == "a"
    assert set_attribute("see https://x.org", "https", "y") == "see https://x.org https:y"


def test_find_task_by_line_and_by_raw() -> None:
    doc = LineDoc.from_bytes(b"# c\nalpha\nbeta\n")
    assert find_task(doc, 2) == 1
    assert find_task(doc, 2, "alpha") == 1
    assert find_task(doc, 1, "beta") == 2  # shifted: found by its text
    with pytest.raises(TaskNotFoundError, match="no task on line 1"):
        find_task(doc, 1)
    with pytest.raises(TaskNotFoundError, match="no task on line 9"):
        find_task(doc, 9)
    with pytest.raises(TaskNotFoundError, match=r"no longer in todo\.txt"):
        find_task(doc, 2, "gamma")


def test_find_task_ambiguous_raw_asks_for_a_line() -> None:
    doc = LineDoc.from_bytes(b"same\nother\nsame\n")
    assert find_task(doc, 3, "same") == 2
    with pytest.raises(TaskNotFoundError, match="appears 2 times"):
        find_task(doc, 2, "same")


@pytest.mark.parametrize(
    "raw",
    [
        "(A) 2026-11-20 Call Ana +house @phone due:2026-11-25 t:2026-11-21 rec:1w",
        "x 2026-11-22 2026-11-18 Send invoice +freelance due:2026-13-01 due:2026-11-30",
        "Read t:2026-02-30 t:2026-03-01 https://example.org 12:30",
        "(B) ",
        "\ufeffplain task",
    ],
)
def test_a_parsed_task_is_the_task_its_fields_make(raw: str) -> None:
    """parse_task builds its Task field by field: the same value as ``Task(**fields)``, with
    the same cached dates a fresh Task computes."""
    from dataclasses import fields

    from shared.todo import Task

    parsed = parse_task(raw, 3)
    rebuilt = Task(**{f.name: getattr(parsed, f.name) for f in fields(Task)})
    assert parsed == rebuilt
    assert hash(parsed) == hash(rebuilt)
    assert repr(parsed) == repr(rebuilt)
    assert (parsed.due, parsed.threshold) == (rebuilt.due, rebuilt.threshold)
    assert set(vars(parsed)) == {f.name for f in fields(Task)} | {"due", "threshold"}
