"""Reading one day of calendar.txt through the day-line index: the same events as a full parse."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.calendar import events_on, parse_calendar
from shared.calendar_day_index import day_events, index_day_lines

MON = date(2026, 11, 23)
line_chars = st.characters(exclude_characters="\n")

_NEAR_MON = st.dates(MON - timedelta(days=2), MON + timedelta(days=2))
_DAY_HEADS = [" w48 Mon  ", " w48 Mon ", " W48 mon  ", " w48  ", " w47 Tue  ", "", "-1"]


@given(
    st.lists(
        st.one_of(
            st.text(line_chars, max_size=30),
            st.builds(
                lambda bom, d, head, t: f"{bom}{d.isoformat()}{head}{t}",
                st.sampled_from(["", "\ufeff", "\ufeff\ufeff"]),
                _NEAR_MON,
                st.sampled_from(_DAY_HEADS),
                st.text(line_chars, max_size=30),
            ),
        )
    ),
    _NEAR_MON,
)
def test_one_day_parse_gives_that_days_events(lines: list[str], day: date) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    assert day_events(index_day_lines(data), day) == events_on(parse_calendar(data), day)
