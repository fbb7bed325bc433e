"""Deterministic, realistic data for the benchmarks: todo.txt files and whole org repositories.

Everything is drawn from a seeded :class:`random.Random`, so the same arguments always give the
same bytes. Dates spread around ``anchor`` (the "today" every benchmark uses). The text is valid
UTF-8 with LF endings so that both peer libraries can read it too.
"""

from __future__ import annotations

import random
import subprocess
from datetime import date, timedelta
from pathlib import Path

ANCHOR = date(2026, 11, 23)

_VERBS = (
    "Call", "Email", "Write", "Review", "Fix", "Book", "Buy", "Plan", "Send", "Ask", "Draft",
    "Clean", "Renew", "Pay", "Update", "Read", "Prepare", "Check", "Order", "Finish",
)
_OBJECTS = (
    "the plumber about the leak", "the quarterly report", "chapter 4 notes", "the invoice",
    "train tickets to Oviedo", "the dentist appointment", "new running shoes", "the meal plan",
    "the budget spreadsheet", "Inés about the manuscript", "the release checklist",
    "the boiler service", "the tax receipts", "the landing page copy", "the garden hose",
    "Jürgen's pull request", "the school trip form", "the passport renewal", "the backup drive",
    "the conference talk outline", "Lucía's birthday present", "the car insurance",
)
_TAILS = ("", "", "", "before Friday", "this week", "again", "with Ana", "for the team",
          "— urgent", "(second try)", "asap", "if time allows")
_PROJECTS = (
    "acme", "book", "house", "running", "taxes", "clients", "newsletter", "christmas", "garden",
    "car", "school", "health", "website", "conference", "finance", "family", "reading", "music",
    "travel", "office", "backup", "photos", "kitchen", "bike", "volunteer", "learning", "admin",
    "podcast", "moving", "wedding", "insurance", "pets", "bathroom", "roof", "hiring", "sales",
    "support", "release", "research", "community",
)
_CONTEXTS = ("computer", "phone", "home", "errands", "town", "office", "email", "car", "kids")
_PEOPLE = ("Ana", "Bruno", "Gil", "Inés", "Carmen", "Jon", "Nuria", "Dani", "Jürgen", "Zoë")
_REC = ("1d", "1w", "+1w", "2w", "1m", "+1m", "1y", "5b")
_EST = ("5m", "15m", "30m", "1h", "2h", "3h")
_ENERGY = ("low", "med", "high")
_MALFORMED = (
    "Pay the rent due:2026-13-45 @computer",
    "Water the plants rec:sometimes @home",
    "(B) ",
    "x",
    "Start the diet t:someday +health",
    "(a) lowercase priority is just text",
    "\tindented with a tab and trailing spaces   ",
    "due:tomorrow written by hand, never resolved",
    "Meeting notes 12:30 see https://example.org/notes?id=7",
)
# Impossible dates: kept by our parser, but pytodotxt raises on them, so the files compared
# side by side leave them out (``impossible_dates=False``).
_IMPOSSIBLE = (
    "2026-02-30 Impossible creation date +house",
    "x 2026-99-01 done on a day that never was",
)
_EVENTS = (
    "9-9:30 standup +acme", "12:30-13:30 lunch with Ana", "19 gym", "10-13 writing block +book",
    "16:30 pick up Pablo from football", "18 intervals at the track +running", "8:15 school run",
    "14-15 call with Inés +book", "Pablo's birthday", "11 dentist", "20:30 dinner at Nuria's",
    "17 weekly review", "15:30-16:30 physio +running", "Public holiday", "7 long run +running",
)


class TodoGen:
    """Random todo.txt lines of each kind, from one seeded generator."""

    def __init__(
        self, seed: int = 1, anchor: date = ANCHOR, *, impossible_dates: bool = True
    ) -> None:
        self.rnd = random.Random(seed)
        self.anchor = anchor
        self.next_id = 1
        self.malformed = _MALFORMED + _IMPOSSIBLE if impossible_dates else _MALFORMED

    def _day(self, low: int, high: int) -> date:
        return self.anchor + timedelta(days=self.rnd.randint(low, high))

    def _description(self) -> list[str]:
        r = self.rnd
        words = [r.choice(_VERBS), r.choice(_OBJECTS)]
        tail = r.choice(_TAILS)
        if tail:
            words.append(tail)
        if r.random() < 0.02:
            words.append(f"see https://example.org/t/{r.randint(1, 99999)}")
        for _ in range(r.choices((0, 1, 2), (20, 65, 15))[0]):
            words.append("+" + r.choice(_PROJECTS))
        return words

    def open_line(self) -> str:
        r = self.rnd
        head: list[str] = []
        if r.random() < 0.35:
            head.append("(" + r.choices("ABCD", (10, 15, 7, 3))[0] + ")")
        if r.random() < 0.85:
            head.append(self._day(-400, 0).isoformat())
        words = self._description()
        if r.random() < 0.04:
            words += ["@waiting", f"who:{r.choice(_PEOPLE)}"]
            if r.random() < 0.5:
                words.append(f"since:{self._day(-30, 0).isoformat()}")
        else:
            for _ in range(r.choices((0, 1, 2), (15, 75, 10))[0]):
                words.append("@" + r.choice(_CONTEXTS))
        due = self._day(-60, 60) if r.random() < 0.4 else None
        if due:
            words.append(f"due:{due.isoformat()}")
        if r.random() < 0.1:
            threshold = self._day(-30, 40)
            if due and threshold > due:
                threshold = due - timedelta(days=r.randint(0, 5))
            words.append(f"t:{threshold.isoformat()}")
        if r.random() < 0.05:
            words.append(f"rec:{r.choice(_REC)}")
        if r.random() < 0.3:
            words.append(f"est:{r.choice(_EST)}")
        if r.random() < 0.2:
            words.append(f"energy:{r.choice(_ENERGY)}")
        if r.random() < 0.01:
            words.append(f"id:{self.next_id}")
            self.next_id += 1
        elif r.random() < 0.01 and self.next_id > 1:
            words.append(f"p:{r.randint(1, self.next_id - 1)}")
        return " ".join(head + words)

    def done_line(self) -> str:
        r = self.rnd
        completed = self._day(-365, 0)
        created = completed - timedelta(days=r.randint(0, 60))
        words = ["x", completed.isoformat(), created.isoformat(), *self._description()]
        words.append("@" + r.choice(_CONTEXTS))
        if r.random() < 0.3:
            words.append("pri:" + r.choice("ABC"))
        if r.random() < 0.3:
            words.append(f"due:{(completed + timedelta(days=r.randint(-5, 5))).isoformat()}")
        return " ".join(words)

    def malformed_line(self) -> str:
        return self.rnd.choice(self.malformed)

    def other_line(self) -> str:
        """A blank line or a comment, as people leave them in a hand-kept file."""
        if self.rnd.random() < 0.5:
            return ""
        return f"# {self.rnd.choice(_PROJECTS)} ----------------------------"


# Share of each kind of line in a mixed todo.txt (per 1000).
MIX = (("open", 720), ("done", 220), ("other", 30), ("malformed", 30))


def todo_lines(
    count: int, *, seed: int = 1, anchor: date = ANCHOR, impossible_dates: bool = True
) -> list[str]:
    """``count`` todo.txt lines: open and done tasks, blank and comment lines, malformed ones."""
    gen = TodoGen(seed, anchor, impossible_dates=impossible_dates)
    makers = {
        "open": gen.open_line,
        "done": gen.done_line,
        "other": gen.other_line,
        "malformed": gen.malformed_line,
    }
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    return [makers[k]() for k in gen.rnd.choices(kinds, weights, k=count)]


def todo_bytes(
    count: int, *, seed: int = 1, anchor: date = ANCHOR, impossible_dates: bool = True
) -> bytes:
    lines = todo_lines(count, seed=seed, anchor=anchor, impossible_dates=impossible_dates)
    return ("\n".join(lines) + "\n").encode("utf-8")


def calendar_lines(first: date, last: date, *, seed: int = 2) -> list[str]:
    """Day lines from ``first`` to ``last`` with 0–4 events each, plus week, month, year goals."""
    rnd = random.Random(seed)
    weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    out = ["# calendar.txt: one line per day"]
    day = first
    while day <= last:
        week = day.isocalendar().week
        if day.month == 1 and day.day == 1:
            out.append(f"{day.year}  Year goal {day.year}: keep three steady clients")
        if day.day == 1:
            out.append(f"{day:%Y-%m}  Month goal: {rnd.choice(_OBJECTS)}")
        if day.weekday() == 0 and rnd.random() < 0.5:
            out.append(f"{day} w{week:02d}  Week goal: {rnd.choice(_VERBS)} {rnd.choice(_OBJECTS)}")
        events = rnd.sample(_EVENTS, rnd.randint(0, 4))
        out.append(f"{day} w{week:02d} {weekdays[day.weekday()]}  " + ". ".join(events))
        day += timedelta(days=1)
    return out


def projects_lines() -> list[str]:
    statuses = ("active",) * 6 + ("paused", "someday", "done")
    goals = ("revenue-5k", "book-draft", "home-winter", "run-10k", "calm-admin")
    return [
        f"+{slug} The {slug} project status:{statuses[i % len(statuses)]}"
        f" goal:{goals[i % len(goals)]} area:{('work', 'home', 'health')[i % 3]}"
        for i, slug in enumerate(_PROJECTS)
    ]


def goals_text(year: int, quarter: int) -> str:
    parts = [f"# {year} Q{quarter}", ""]
    for n, gid in enumerate(("revenue-5k", "book-draft", "home-winter", "run-10k", "calm-admin")):
        parts += [f"## {gid}: Goal number {n + 1}", f"Supports: telos G{n + 1}"]
        parts += [f"- [{'x' if k <= n % 3 else ' '}] Key result {k + 1}" for k in range(4)]
        parts.append("")
    return "\n".join(parts)


ASSISTANT_TOML = """timezone = "Europe/Madrid"

[schedule]
morning_briefing = "0 8 * * 1-5"
git_sync = "*/15 * * * *"

[reminders]
deadline_days = [7, 3, 1]
waiting_stale_days = 7

[projects]
stalled_days = 14
"""


def write_repo(
    root: Path,
    *,
    open_tasks: int = 10_000,
    done_tasks: int = 5_000,
    first_day: date = date(2022, 1, 1),
    last_day: date = date(2026, 12, 31),
    anchor: date = ANCHOR,
    seed: int = 3,
) -> Path:
    """A git repository with ``open_tasks`` open tasks in todo.txt, an archive of done tasks,
    a calendar from ``first_day`` to ``last_day``, projects, this quarter's goals and settings."""
    root.mkdir(parents=True, exist_ok=True)
    gen = TodoGen(seed, anchor)
    todo = [gen.open_line() for _ in range(open_tasks)]
    todo += [gen.done_line() for _ in range(open_tasks // 50)]
    done = [gen.done_line() for _ in range(done_tasks)]
    quarter = (anchor.month - 1) // 3 + 1
    files = {
        "todo.txt": "\n".join(todo) + "\n",
        "done.txt": "\n".join(done) + "\n",
        "calendar.txt": "\n".join(calendar_lines(first_day, last_day)) + "\n",
        "projects.txt": "\n".join(projects_lines()) + "\n",
        f"goals/{anchor.year}-Q{quarter}.md": goals_text(anchor.year, quarter),
        "assistant.toml": ASSISTANT_TOML,
        "working-memory.txt": f"{anchor} 08:00 Benchmark repository.\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root
