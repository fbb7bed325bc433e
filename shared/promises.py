"""Promises in chat: "I'll send Ana the invoice on Friday" → ``Send Ana the invoice due:…``.

Deterministic and conservative: a sentence is a promise only when it is a statement led by
"I'll", "I will", "I'm going to", "I am going to" or "I promise to" (after nothing but a filler
like "ok," or a time like "tomorrow"), its verb is an action (not *be*, *think*, *try*...) and
something beyond pronouns is left to do. Questions, negations, hedges ("maybe", "probably") and
conditions ("if", "unless") are never promises. A time phrase ("on Friday", "by 2026-12-01",
"tomorrow", "in 3 days", "before Thursday") becomes ``due:`` via :func:`shared.dates.resolve_date`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from shared.dates import resolve_date
from shared.operations import AddTask

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_TRIGGER_RE = re.compile(
    r"(?<![\w'])(?:i'll|i will|i'm going to|i am going to|i'm gonna|i promise (?:to|i'll|i will))"
    r"\s+(?:(?:definitely|surely|certainly|also|just|then|first)\s+)*"
    r"(?:(?:make sure|remember) to\s+)?",
    re.IGNORECASE,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FILLERS = _words(
    "ok okay sure yes yeah yep fine alright right so and then no problem worries great cool "
    "perfect thanks thank you got it understood"
)
_REFUSED_VERBS = _words(
    "be have see think try let wait guess need want like love miss hate know bet consider "
    "probably maybe perhaps possibly hopefully not never always still"
)
_EMPTY_WORDS = _words(
    "it this that them him her you me us these those something anything everything there so "
    "then later soon now back too again up out over off into to for with about on at in of a "
    "an the my your his our their"
)
_CONDITION_RE = re.compile(r"\b(?:if|unless|whether|in case|when i|once i)\b", re.IGNORECASE)
_TAIL_WORDS = _words("then later asap please ok")
MAX_MESSAGE_CHARS = 4000  # a longer message is read up to here
_PREP = r"(?:(?P<prep>by|on|before|until|till)\s+)"
_WD = (
    r"mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
_WHEN_RE = re.compile(
    rf"(?<![\w-])(?:first thing\s+)?{_PREP}?(?:"
    r"(?P<day>today|tonight|tomorrow)(?:\s+(?:morning|afternoon|evening|night))?"
    r"|this\s+(?P<part>morning|afternoon|evening)"
    r"|(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<end>month|week)"
    r"|(?P<thisweek>this\s+week)"
    r"|(?P<next>next\s+(?:week|month))"
    r"|in\s+(?P<n>\d{1,3}|an?|one|two|three|four|five|ten)\s+(?P<unit>day|week|month)s?"
    r"|(?:this\s+|over\s+the\s+|on\s+the\s+)?(?P<weekend>weekend)"
    rf"|(?:the\s+)?(?P<dnum>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
    rf"|{_MONTH.replace('month', 'month2')}\s+(?P<dnum2>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<wdpre>(?:next|this|coming)\s+)?(?P<wd>{_WD})"
    r")(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Promise:
    """A task the owner committed to: ``text`` without the date, ``due`` when one was said."""

    text: str
    due: date | None
    sentence: str

    @property
    def line(self) -> str:
        """The todo.txt line to offer: ``Send Ana the invoice due:2026-11-27``."""
        return f"{self.text} due:{self.due.isoformat()}" if self.due else self.text

    def operation(self, source: str = "agent") -> AddTask:
        return AddTask(text=self.line, source=source)

    def to_json(self) -> dict[str, object]:
        due = self.due.isoformat() if self.due else None
        return {"text": self.text, "due": due, "line": self.line, "sentence": self.sentence}


def find_promises(message: str, today: date) -> list[Promise]:
    """Every promise in ``message``, one per sentence at most, in order."""
    text = message[:MAX_MESSAGE_CHARS].replace("\u2019", "'").replace("\u2018", "'")
    found = (_promise(s.strip(), today) for s in _SENTENCE_RE.split(text))
    return [p for p in found if p is not None]


def find_promise(message: str, today: date) -> Promise | None:
    """The first promise in ``message``, if any."""
    return next(iter(find_promises(message, today)), None)


def _promise(sentence: str, today: date) -> Promise | None:
    if not sentence or sentence.endswith("?") or _CONDITION_RE.search(sentence):
        return None
    m = _TRIGGER_RE.search(sentence)
    if m is None:
        return None
    due = None
    prefix = sentence[: m.start()].strip(" ,:-!—")
    words = prefix.replace(",", " ").split()
    while words and words[0].casefold().strip("!.") in _FILLERS:
        words.pop(0)
    if words:
        lead = _WHEN_RE.fullmatch(" ".join(words))
        if lead is None:
            return None
        due = _resolve(lead, today)
    rest = sentence[m.end() :].rstrip(" .!")
    verb = rest.split(" ", 1)[0].casefold()
    if not verb or verb in _REFUSED_VERBS:
        return None
    when = _pick_when(rest)
    if when is not None:
        due = due or _resolve(when, today)
        rest = f"{rest[: when.start()]} {rest[when.end() :]}"
    rest = _strip_tail(rest.split())
    object_words = [w.strip(",").casefold() for w in rest.split()[1:]]
    if not any(w not in _EMPTY_WORDS for w in object_words):
        return None
    return Promise(rest[0].upper() + rest[1:], due, sentence)


def _strip_tail(words: list[str]) -> str:
    """Drop trailing fillers: "water the plants then, for sure" → "water the plants"."""
    while words:
        last = words[-1].strip(",").casefold()
        if last in _TAIL_WORDS:
            words.pop()
        elif last == "sure" and len(words) > 1 and words[-2].casefold() == "for":
            del words[-2:]
        else:
            break
    return " ".join(words).strip(" ,")


def _pick_when(rest: str) -> re.Match[str] | None:
    """The first time phrase; a bare weekday counts only with a preposition or at the end
    ("call mum about Sunday lunch" has none)."""
    for m in _WHEN_RE.finditer(rest):
        if m.start() == 0:
            continue  # the verb itself
        if m["wd"] and not (m["prep"] or m["wdpre"] or m.end() == len(rest)):
            continue
        return m
    return None


def _resolve(m: re.Match[str], today: date) -> date | None:
    day = _resolve_phrase(m, today)
    if day is not None and (m["prep"] or "").casefold() == "before":
        day -= timedelta(days=1)
    return day


def _resolve_phrase(m: re.Match[str], today: date) -> date | None:
    if m["day"]:
        word = m["day"].casefold()
        return resolve_date("today" if word == "tonight" else word, today)
    if m["part"]:
        return today
    if m["iso"]:
        return resolve_date(m["iso"], today)
    if m["end"]:
        return resolve_date("eom", today) if m["end"].casefold() == "month" else _friday(today)
    if m["thisweek"]:
        return _friday(today)
    if m["next"]:
        return resolve_date(" ".join(m["next"].split()), today)
    if m["n"]:
        count = _NUMBERS.get(m["n"].casefold()) or int(m["n"])
        return resolve_date(f"{count}{m['unit'][0].casefold()}", today)
    if m["weekend"]:
        return resolve_date("sat", today) if today.weekday() != 5 else today
    if m["wd"]:
        return resolve_date(m["wd"], today)
    month, number = (m["month"], m["dnum"]) if m["dnum"] else (m["month2"], m["dnum2"])
    return _month_day(_MONTHS.index(month[:3].casefold()) + 1, int(number), today)


def _friday(today: date) -> date:
    return today + timedelta(days=(4 - today.weekday()) % 7)


def _month_day(month: int, day: int, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found >= today:
            return found
    return None
