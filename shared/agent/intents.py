"""Built-in command understanding for when no model is available (no key, endpoint down, budget
spent): a few common intents recognised deterministically from what the owner typed.

:func:`parse_intent` is pure; :mod:`shared.agent.degraded` carries the intents out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from shared.agent.when import cut, find_date, find_time


@dataclass(frozen=True)
class AddTaskIntent:
    text: str  # todo.txt text, with ``due:YYYY-MM-DD`` when a date was said


@dataclass(frozen=True)
class CompleteTaskIntent:
    line: int | None = None
    query: str | None = None


@dataclass(frozen=True)
class ShowTodayIntent:
    pass


@dataclass(frozen=True)
class ShowDueIntent:
    """Overdue tasks and, unless ``overdue_only``, those due from today through ``days`` on."""

    days: int = 7
    overdue_only: bool = False


@dataclass(frozen=True)
class SuggestIntent:
    context: str | None = None  # without the "@"


@dataclass(frozen=True)
class ListTasksIntent:
    context: str | None = None  # without the "@"
    project: str | None = None  # without the "+"


@dataclass(frozen=True)
class AddEventIntent:
    day: date
    text: str
    time: str | None = None


@dataclass(frozen=True)
class ConfirmIntent:
    pending_id: str
    confirm: bool


@dataclass(frozen=True)
class UndoIntent:
    """Undo the assistant's most recent change (as ``myorg undo``, Discord's ``/undo``)."""


@dataclass(frozen=True)
class ClarifyIntent:
    message: str


@dataclass(frozen=True)
class UnknownIntent:
    text: str


Intent = (
    AddTaskIntent
    | CompleteTaskIntent
    | ShowTodayIntent
    | ShowDueIntent
    | SuggestIntent
    | ListTasksIntent
    | AddEventIntent
    | ConfirmIntent
    | UndoIntent
    | ClarifyIntent
    | UnknownIntent
)

_POLITE_RE = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|and|also|please|pls|can you|could you|would you|will you)\b[,\s]*)+",
    re.I,
)
_THANKS_RE = re.compile(r"[,\s]+(?:please|pls|thanks|thank you|thx)$", re.I)
_CONFIRM_RE = re.compile(
    r"^(?:(?P<no>cancel|reject|deny)|confirm|yes,? confirm|approve)\s+"
    r"#?(?P<id>[A-Za-z0-9]{4,32})$",
    re.I,
)
_UNDO_RE = re.compile(
    r"^(?:undo|revert|take back)(?:\s+(?:that|it|this"
    r"|(?:(?:the|my|your)\s+)?last(?:\s+(?:change|edit|one))?))?$",
    re.I,
)
_DONE_WORDS = r"(?:done|did|finished|completed|complete|check(?:ed)? off|tick(?:ed)? off|x)"
_DONE_NUMBER_RE = re.compile(
    rf"^(?:(?:mark|set)\s+)?(?:(?P<pre>{_DONE_WORDS})\s+)?(?:with\s+)?"
    rf"(?:task|line|item|number|no\.?|#)?\s*#?(?P<n>\d{{1,5}})"
    rf"(?:\s+(?:is\s+|as\s+)?(?P<post>{_DONE_WORDS}))?$",
    re.I,
)
_DONE_TEXT_RE = re.compile(
    rf"^(?:i(?:'ve| have)?\s+(?:just\s+)?(?:done|did|finished|completed)|{_DONE_WORDS}|mark)"
    rf"(?:\s+with|\s*:)?\s+(?P<q>.+?)(?:\s+(?:as\s+|is\s+)?{_DONE_WORDS})?$",
    re.I,
)
_TODAY_RE = re.compile(
    r"^(?:(?:show|give|tell|get)\s+(?:me\s+)?)?(?:what(?:'s|s| is| do i have| have i got)\s+)?"
    r"(?:on\s+|up\s+|for\s+|planned\s+)?(?:(?:my|the)\s+)?"
    r"(?:today|today'?s?\s+(?:agenda|plan|schedule|overview|briefing|view)|agenda(?:\s+for today)?|"
    r"day|briefing|plan for today|schedule(?:\s+for)?\s+today|(?:agenda|plan|schedule)\s+today|"
    r"how does (?:my|the) day look(?: like)?|how'?s my day(?: looking)?)"
    r"(?:\s+today)?(?:\s+look(?:ing)?\s+like)?$",
    re.I,
)
_DUE_RE = re.compile(
    r"^(?:(?:show|list|give|get|tell)\s+(?:me\s+)?)?"
    r"(?:what(?:'s|s| is| are| do i have| have i got)?\s+|which\s+|anything\s+|is anything\s+)?"
    r"(?:(?:my|the|any|all)\s+)?(?:(?:tasks?|things|todos?)\s+(?:that\s+)?(?:are\s+|is\s+)?)?"
    r"(?:(?P<late>overdue|late|past due)(?:\s+tasks)?"
    r"|(?:(?:upcoming|coming|next)\s+)?(?:deadlines?|due dates?|due)(?:\s+tasks)?"
    r"(?:\s+(?:(?P<soon>soon|this week|next)|(?P<day>today|tomorrow)|(?P<month>this month)"
    r"|(?:in the next|within|in)\s+(?P<n>\d{1,3})\s+days?))?)$",
    re.I,
)
_SUGGEST_RE = re.compile(
    r"^(?:(?:suggest|recommend)(?:\s+me)?(?:\s+(?:something|a task|the next task|"
    r"what (?:to|i should|should i) do(?:\s+(?:next|now|first))?))?"
    r"|what(?:'s|s| is)? next|what (?:should|shall|could) i (?:do|work on|tackle|start with)"
    r"(?:\s+(?:next|now|first))?|what to do(?:\s+(?:next|now))?|next task|what now)"
    r"(?:\s+(?:at\s+|@)(?P<ctx>[\w-]+))?$",
    re.I,
)
_LIST_RE = re.compile(
    r"^(?:(?:show|list|give|get|display|what are|which are|what's|whats|what is)\s+(?:me\s+)?)?"
    r"(?:(?:all|my|the)\s+)*(?:open\s+)?(?:tasks|todos?|to-?dos|todo list|list|next actions)$",
    re.I,
)
_TAG_RE = re.compile(r"(?<!\S)([@+])([\w\-]+)")
_LIST_LEAD_RE = re.compile(
    r"^(?:show|list|give|get|display|what|which|anything|my|tasks|todos?|things|stuff|open|"
    r"all|any|calls|errands)\b",
    re.I,
)
_AT_RE = re.compile(r"\b(?:at|@|in context|context)\s+(?:the\s+|my\s+)?(?P<w>[\w-]+)\b", re.I)
_PROJECT_RE = re.compile(
    r"\b(?:project|for|on|in)\s+(?:the\s+|my\s+)?(?P<w>[\w-]+)(?:\s+project)?\b", re.I
)
_EVENT_LEAD_RE = re.compile(
    r"^(?:(?:add|create|new|put|book|schedule|plan)\s+(?:an?\s+|the\s+)?(?:new\s+)?"
    r"(?:event|appointment|meeting|calendar (?:event|entry))\b(?:\s*:)?|"
    r"(?:event|calendar|appointment|cal)\s*:|schedule\b|(?:put|add)\b(?=.*\b(?:on|to|in)\s+"
    r"(?:the\s+|my\s+)?calendar\b))",
    re.I,
)
_CALENDAR_TAIL_RE = re.compile(r"\s*\b(?:on|to|in)\s+(?:the\s+|my\s+)?calendar\b", re.I)
_LEADING_CLOCK_RE = re.compile(r"^(?P<t>\d{1,2}(?::\d{2})?)\s+(?=\S)")
_TASK_LEAD_RE = re.compile(
    r"^(?:(?:add|new|create|put)(?:\s+(?:an?\s+)?(?:new\s+)?(?:task|todo|to-do|item))?"
    r"(?:\s+to(?=\s+\w+\s))?|todo|to-?do|task|remind me to|remember to|don'?t forget to|"
    r"i (?:need|have|must|should) to|i must|i should|need to|gotta)\s*:?\s+(?P<rest>.+)$",
    re.I,
)
_LIST_TAIL_RE = re.compile(
    r"\s+(?:to|on|in)\s+(?:my|the)\s+(?:todo|to-do|task|tasks|todo\.txt)?\s*(?:list|file)?$", re.I
)
_PRIORITY_RE = re.compile(r"\s*\b(?:priority|prio)\s+(?P<p>[a-cA-C])\b|\s*\b(?P<urgent>urgent)\b")


def parse_intent(
    text: str,
    today: date,
    contexts: Iterable[str] = (),
    projects: Iterable[str] = (),
) -> Intent:
    """What ``text`` asks for; ``contexts``/``projects`` (no sigil) help read "tasks at home"."""
    s = _THANKS_RE.sub("", _POLITE_RE.sub("", text.strip())).strip().rstrip("?!. ").strip()
    s = re.sub(r"\s+", " ", s)
    if not s:
        return UnknownIntent(text)
    known_ctx = {c.lstrip("@").lower(): c.lstrip("@") for c in contexts}
    known_proj = {p.lstrip("+").lower(): p.lstrip("+") for p in projects}
    rules = (_confirm, _undo, _done_number, _today, _due, _suggest, _list, _event, _done_text)
    for rule in (*rules, _task):
        intent = rule(s, today, known_ctx, known_proj)
        if intent is not None:
            return intent
    return UnknownIntent(text)


Known = dict[str, str]


def _confirm(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    m = _CONFIRM_RE.match(s)
    return ConfirmIntent(m["id"], confirm=not m["no"]) if m else None


def _undo(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    return UndoIntent() if _UNDO_RE.match(s) else None


def _done_number(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    m = _DONE_NUMBER_RE.match(s)
    if not m or not (m["pre"] or m["post"]):
        return None
    return CompleteTaskIntent(line=int(m["n"]))


def _today(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    return ShowTodayIntent() if _TODAY_RE.match(s) else None


def _due(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    m = _DUE_RE.match(s)
    if not m:
        return None
    if m["late"]:
        return ShowDueIntent(overdue_only=True)
    if m["day"]:
        return ShowDueIntent(days=0 if m["day"].lower() == "today" else 1)
    if m["month"]:
        return ShowDueIntent(days=30)
    return ShowDueIntent(days=int(m["n"]) if m["n"] else 7)


def _suggest(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    m = _SUGGEST_RE.match(s)
    if not m:
        return None
    where = m["ctx"]
    return SuggestIntent(ctx.get(where.lower(), where) if where else None)


def _list(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    if _LIST_RE.match(s):
        return ListTasksIntent()
    tags = _TAG_RE.findall(s)
    bare = _TAG_RE.sub("", s).strip()
    lead = _LIST_LEAD_RE.match(s)
    if tags and (not bare or lead) and not _TASK_LEAD_RE.match(s):
        context = next((w for sig, w in tags if sig == "@"), None)
        project = next((w for sig, w in tags if sig == "+"), None)
        return ListTasksIntent(context=context, project=project)
    if not lead:
        return None
    m = _AT_RE.search(s)
    if m and m["w"].lower() in ctx:
        return ListTasksIntent(context=ctx[m["w"].lower()])
    for m in _PROJECT_RE.finditer(s):
        if m["w"].lower() in proj:
            return ListTasksIntent(project=proj[m["w"].lower()])
    return None


def _event(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    m = _EVENT_LEAD_RE.match(s)
    if not m:
        return None
    rest = _CALENDAR_TAIL_RE.sub("", s[m.end() :]).strip(" :,")
    found = find_date(rest, today)
    if found is None:
        return ClarifyIntent("Which day? For example: add event friday 10-11 dentist")
    day, span = found
    rest = cut(rest, span)
    clock = find_time(rest)
    time = clock.value if clock else None
    if clock is not None:
        rest = cut(rest, clock)
    else:
        lead = _LEADING_CLOCK_RE.match(rest)  # calendar.txt style: "9 standup"
        if lead and int(lead["t"].split(":")[0]) <= 24:
            time, rest = lead["t"], rest[lead.end() :]
    rest = re.sub(r"^(?:for|about|:)\s+", "", rest).strip(" :,-")
    noun = re.search(r"\b(meeting|appointment)\b", m.group(0), re.I)
    if noun and rest.lower().startswith("with "):
        rest = f"{noun.group(1).lower()} {rest}"
    if not rest:
        return ClarifyIntent("What is the event? For example: add event friday 10-11 dentist")
    return AddEventIntent(day=day, text=rest, time=time)


def _done_text(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    m = _DONE_TEXT_RE.match(s)
    if not m:
        return None
    if s.lower().startswith("mark") and not re.search(rf"\b{_DONE_WORDS}$", s, re.I):
        return None
    query = re.sub(r"^(?:the|my)\s+|\s+task$|^task\s+", "", m["q"].strip(" '\"")).strip(" '\"")
    return CompleteTaskIntent(query=query) if query else None


def _task(s: str, today: date, ctx: Known, proj: Known) -> Intent | None:
    m = _TASK_LEAD_RE.match(s)
    if not m:
        return None
    rest = _unquote(_LIST_TAIL_RE.sub("", m["rest"]).strip())
    priority = None
    pm = _PRIORITY_RE.search(rest)
    if pm:
        priority = (pm["p"] or "A").upper()
        rest = (rest[: pm.start()] + rest[pm.end() :]).strip()
    if not re.search(r"(?<!\S)due:\S+", rest):
        found = find_date(rest, today)
        if found is not None:
            day, span = found
            rest = cut(rest, span) + f" due:{day.isoformat()}"
    if not _TAG_RE.sub("", rest).strip() or rest.isdigit():
        return ClarifyIntent("What is the task? For example: add call the plumber tomorrow @phone")
    if priority and not re.match(r"^\([A-Z]\) ", rest):
        rest = f"({priority}) {rest}"
    return AddTaskIntent(text=rest)


def _unquote(text: str) -> str:
    """``"send invoice" due friday`` → ``send invoice due friday``."""
    m = re.match(r"^(['\"“‘])(?P<inner>.+?)(['\"”’])(?P<tail>.*)$", text)
    return f"{m['inner']}{m['tail']}".strip() if m else text
