"""Times shown to the owner: in the zone of ``assistant.toml``, whatever offset they carry."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from shared.owner_time import local_stamp

MADRID = ZoneInfo("Europe/Madrid")


def test_a_time_with_an_offset_is_shown_in_the_owners_zone() -> None:
    assert local_stamp("2026-11-23T23:30:00+00:00", MADRID) == "2026-11-24 00:30"
    assert local_stamp("2026-07-01T08:00:00-04:00", MADRID) == "2026-07-01 14:00"  # summer time
    assert local_stamp("2026-11-24T08:15:00+01:00", MADRID) == "2026-11-24 08:15"


def test_a_time_without_an_offset_or_not_a_time_is_shown_as_written() -> None:
    assert local_stamp("2026-11-23T23:30:00", MADRID) == "2026-11-23 23:30"
    assert local_stamp("yesterday-ish", MADRID) == "yesterday-ish"
