from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.assistant_config import (
    DEFAULT_SCHEDULE,
    AssistantConfig,
    AssistantConfigError,
    WorkHours,
    is_valid_cron,
    parse_assistant_config,
    parse_work_hours,
    zone,
)

CONTRACT = b"""timezone = "Europe/Madrid"
[schedule]            # cron strings, in the owner's timezone
morning_briefing = "0 8 * * *"
evening_summary  = "0 20 * * *"
deadline_check   = "0 * * * *"
waiting_followup = "0 9 * * 1"
git_sync         = "*/15 * * * *"
event_prep_minutes = 30
[reminders]
deadline_days = [7, 3, 1]
waiting_stale_days = 7
[contexts]            # context inference: time windows and calendar words
work_hours = "Mon-Fri 09:00-18:00"
"""


def test_empty_file_gives_the_contract_defaults() -> None:
    config = parse_assistant_config(b"")
    assert config == AssistantConfig()
    assert config.timezone is None
    assert config.schedule == {
        "morning_briefing": "0 8 * * *",
        "evening_summary": "0 20 * * *",
        "deadline_check": "0 * * * *",
        "waiting_followup": "0 9 * * 1",
        "git_sync": "*/15 * * * *",
    }
    assert config.event_prep_minutes == 30
    assert config.reminders.deadline_days == (7, 3, 1)
    assert config.reminders.waiting_stale_days == 7
    assert config.projects.stalled_days == 14
    assert config.contexts == {"work_hours": "Mon-Fri 09:00-18:00"}
    assert config.work_hours == "Mon-Fri 09:00-18:00"
    assert config.extra == {} and config.problems == ()


def test_defaults_are_valid_cron() -> None:
    assert all(
        croniter.is_valid(expr) and is_valid_cron(expr) for expr in DEFAULT_SCHEDULE.values()
    )


_NUMBER = st.integers(0, 99).map(str)
_CRON_ITEM = st.one_of(
    st.just("*"),
    st.builds("*/{}".format, _NUMBER),
    _NUMBER,
    st.builds("{}-{}".format, _NUMBER, _NUMBER),
    st.builds("{}-{}/{}".format, _NUMBER, _NUMBER, _NUMBER),
    st.builds("{}/{}".format, _NUMBER, _NUMBER),
)
_CRON_FIELD = st.lists(_CRON_ITEM, min_size=1, max_size=3).map(",".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_CRON_FIELD, min_size=5, max_size=5), st.sampled_from([" ", "  ", "\t"]))
def test_numeric_cron_is_judged_as_croniter_judges_it(fields: list[str], sep: str) -> None:
    # is_valid_cron answers the plain numeric forms without croniter: never differently.
    expr = sep.join(fields)
    assert is_valid_cron(expr) == croniter.is_valid(expr)


@pytest.mark.parametrize(
    "expr", ["0 8 * * 1-5", "*/15 * * * *", "0-59/5 0-23 1-31 1-12 0-6", "5,10 8 1 1 0"]
)
def test_plain_cron_needs_no_croniter(expr: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from shared.assistant_config import is_valid_cron; "
        f"assert is_valid_cron({expr!r}); assert 'croniter' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_contract_example() -> None:
    config = parse_assistant_config(CONTRACT)
    assert config.problems == ()
    assert config.timezone == "Europe/Madrid"
    assert config.schedule == DEFAULT_SCHEDULE
    assert config.event_prep_minutes == 30
    assert config.reminders.deadline_days == (7, 3, 1)


def test_values_are_read() -> None:
    data = b"""
timezone = "America/New_York"
[schedule]
morning_briefing = "30 7 * * mon-fri"
event_prep_minutes = 0
[reminders]
deadline_days = [14, 2, 2, 0]
waiting_stale_days = 3
[projects]
stalled_days = 21
[contexts]
work_hours = "Tue,Thu 9-13"
gym = ["gym", "run"]
"""
    config = parse_assistant_config(data)
    assert config.problems == ()
    assert config.timezone == "America/New_York"
    assert config.schedule["morning_briefing"] == "30 7 * * mon-fri"
    assert config.schedule["git_sync"] == "*/15 * * * *"
    assert config.event_prep_minutes == 0
    assert config.reminders.deadline_days == (14, 2, 0)
    assert config.reminders.waiting_stale_days == 3
    assert config.projects.stalled_days == 21
    assert config.contexts == {"work_hours": "Tue,Thu 9-13", "gym": ["gym", "run"]}


def test_invalid_toml_gives_defaults_and_a_problem() -> None:
    config = parse_assistant_config(b'timezone = "Europe/Madrid\n[schedule\n')
    assert config.timezone is None
    assert config.schedule == DEFAULT_SCHEDULE
    assert len(config.problems) == 1
    assert config.problems[0].startswith("assistant.toml is not valid TOML")


def test_deeply_nested_or_huge_values() -> None:
    config = parse_assistant_config(b"a = " + b"[" * 100_000)
    assert config.problems == ("assistant.toml is nested too deeply; using defaults",)
    config = parse_assistant_config(b"[projects]\nstalled_days = [" + b"1, " * 10_000 + b"]")
    assert config.projects.stalled_days == 14
    assert len(config.problems[0]) < 200


def test_non_utf8_and_bom() -> None:
    assert parse_assistant_config(b'timezone = "\xff"').problems == (
        "assistant.toml is not UTF-8 text; using defaults",
    )
    config = parse_assistant_config(b'\xef\xbb\xbftimezone = "UTC"\r\n')
    assert config.timezone == "UTC" and config.problems == ()


@pytest.mark.parametrize(
    "expr",
    ["bogus", "0 8 * *", "0 8 * * * *", "@daily", "0 8 L * *", "0 8 * * 1#2", "61 * * * *", "", 5],
)
def test_bad_cron_falls_back_to_its_default(expr: object) -> None:
    value = f"{expr!r}" if isinstance(expr, int) else f'"{expr}"'
    config = parse_assistant_config(
        f"[schedule]\nmorning_briefing = {value}\ngit_sync = '*/5 * * * *'\n".encode()
    )
    assert config.schedule["morning_briefing"] == "0 8 * * *"
    assert config.schedule["git_sync"] == "*/5 * * * *"
    assert len(config.problems) == 1
    assert "schedule.morning_briefing" in config.problems[0]
    assert "0 8 * * *" in config.problems[0]


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('timezone = "Mars/Olympus"', "timezone = 'Mars/Olympus' is not a known timezone"),
        ('timezone = "../../etc/passwd"', "is not a known timezone"),
        ("timezone = 3", "timezone = 3 is not a known timezone"),
        (
            "[reminders]\nwaiting_stale_days = -2",
            "waiting_stale_days = -2 should be a whole number",
        ),
        ("[reminders]\nwaiting_stale_days = 0", "waiting_stale_days = 0"),
        ("[reminders]\nwaiting_stale_days = true", "waiting_stale_days = True"),
        ("[reminders]\ndeadline_days = [7, -1]", "reminders.deadline_days = [7, -1]"),
        ("[reminders]\ndeadline_days = 7", "reminders.deadline_days = 7"),
        ("[projects]\nstalled_days = -14", "stalled_days = -14"),
        ("[projects]\nstalled_days = 1.5", "stalled_days = 1.5"),
        ("[schedule]\nevent_prep_minutes = -5", "event_prep_minutes = -5"),
        ("[schedule]\nevent_prep_minutes = 99999999", "event_prep_minutes = 99999999"),
        ('[contexts]\nwork_hours = "whenever"', "contexts.work_hours = 'whenever'"),
        ('[contexts]\nwork_hours = "Mon-Fri 18:00-09:00"', "contexts.work_hours"),
        ("schedule = 5", "schedule should be a [schedule] table"),
    ],
)
def test_invalid_values_fall_back_with_a_problem(toml: str, problem: str) -> None:
    config = parse_assistant_config(toml.encode())
    assert len(config.problems) == 1, config.problems
    assert problem in config.problems[0]
    defaults = AssistantConfig()
    assert config.timezone is None
    assert config.schedule == defaults.schedule
    assert config.event_prep_minutes == defaults.event_prep_minutes
    assert config.reminders == defaults.reminders
    assert config.projects == defaults.projects
    assert config.work_hours == defaults.work_hours


def test_one_bad_key_keeps_the_good_ones() -> None:
    config = parse_assistant_config(
        b'timezone = "Nowhere/City"\n[reminders]\ndeadline_days = [2]\nwaiting_stale_days = -1\n'
    )
    assert config.reminders.deadline_days == (2,)
    assert config.reminders.waiting_stale_days == 7
    assert len(config.problems) == 2


def test_unknown_keys_are_kept_in_extra() -> None:
    config = parse_assistant_config(
        b'name = "Marta"\n[schedule]\nweekly_review = "0 17 * * 5"\n'
        b"[reminders]\nsnooze = 10\n[projects]\nshow_done = true\n[voice]\nenabled = false\n"
    )
    assert config.problems == ()
    assert "weekly_review" not in config.schedule
    assert config.extra == {
        "name": "Marta",
        "schedule": {"weekly_review": "0 17 * * 5"},
        "reminders": {"snooze": 10},
        "projects": {"show_done": True},
        "voice": {"enabled": False},
    }


def test_zone() -> None:
    assert zone(parse_assistant_config(b'timezone = "Europe/Madrid"'), "UTC") == ZoneInfo(
        "Europe/Madrid"
    )
    assert zone(parse_assistant_config(b""), "Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
    assert zone(parse_assistant_config(b'timezone = "Bad/Zone"'), "UTC") == ZoneInfo("UTC")
    with pytest.raises(AssistantConfigError, match="unknown timezone 'Nope/Nope'"):
        zone(AssistantConfig(), "Nope/Nope")


def test_parse_work_hours() -> None:
    assert parse_work_hours("Mon-Fri 09:00-18:00") == WorkHours(
        frozenset({0, 1, 2, 3, 4}), time(9, 0), time(18, 0)
    )
    assert parse_work_hours("sat,Sun 10-14:30") == WorkHours(
        frozenset({5, 6}), time(10), time(14, 30)
    )
    assert parse_work_hours("Fri-Mon 20:00-24:00") == WorkHours(
        frozenset({4, 5, 6, 0}), time(20), time(23, 59, 59)
    )
    for bad in (
        "",
        "Mon-Fri",
        "Xyz 9-17",
        "Mon 17-9",
        "Mon 9:60-10",
        "Mon 25-26",
        "Mon-Tue-Wed 9-17",
    ):
        assert parse_work_hours(bad) is None, bad


@settings(max_examples=300, deadline=None, database=None)
@given(st.binary(max_size=300))
def test_never_raises_on_bytes(data: bytes) -> None:
    assert isinstance(parse_assistant_config(data), AssistantConfig)


TOML_VALUES = st.one_of(
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.text(max_size=20),
    st.lists(st.integers(-10, 10), max_size=4),
    st.sampled_from(["0 8 * * *", "Europe/Madrid", "Mon-Fri 9-17", "", "\x00", "a/../b"]),
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.sampled_from(["timezone", "x"]),
    st.sampled_from(["schedule", "reminders", "projects", "contexts"]),
    st.sampled_from(
        [
            "morning_briefing",
            "git_sync",
            "event_prep_minutes",
            "deadline_days",
            "waiting_stale_days",
            "stalled_days",
            "work_hours",
            "other",
        ]
    ),
    TOML_VALUES,
    TOML_VALUES,
)
def test_never_raises_on_odd_values(
    top: str, table: str, key: str, top_value: object, value: object
) -> None:
    import json

    def literal(v: object) -> str:
        return json.dumps(v)  # JSON scalars and arrays of ints are valid TOML literals

    data = f"{top} = {literal(top_value)}\n[{table}]\n{key} = {literal(value)}\n".encode()
    config = parse_assistant_config(data)
    assert all(is_valid_cron(expr) for expr in config.schedule.values())
    assert config.projects.stalled_days >= 1 and config.reminders.waiting_stale_days >= 1
    assert all(d >= 0 for d in config.reminders.deadline_days)
    assert parse_work_hours(config.work_hours) is not None
    zone(config, "UTC")
