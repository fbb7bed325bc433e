"""The weekly review: each checklist item of the owner's guide (skills/weekly-review.md) is a step.

A step's ``kind`` comes from words in the item ("archive", "@waiting", "due", "next action",
"nothing done", "key result", "priority", "working-memory"...); it decides which data from the
repo the step shows and which actions it proposes. An item that matches no rule is a plain
``note`` step. Actions are :mod:`shared.operations` values, applied only when the owner confirms.

Action ids depend only on what the action is about, so they stay the same when the review is
rebuilt after a restart; each action's ``op_id`` is derived from the review id and the action id,
so applying a confirmed action twice changes the repo once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from shared import operations as ops
from shared.lines import LineDoc, encode
from shared.org_repo import OrgRepo
from shared.queries import waiting_since
from shared.review_data import ReviewData, load_review_data
from shared.telos import heading
from shared.todo import Task

DROP_OVERDUE_DAYS = 14
DROP_WAITING_FACTOR = 4  # a waiting item this many times past "stale" is offered for dropping
_CHECK_RE = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+\[[ xX]\]\s+(.*\S)\s*$")

DEFAULT_GUIDE = b"""# Weekly review
## Get clear
- [ ] Put every loose idea or promise into todo.txt with a project and a context.
- [ ] Archive done tasks to done.txt.
## Get current
- [ ] Go through @waiting: chase anything older than a week.
- [ ] Check due dates for the next 14 days; move or drop what won't happen.
- [ ] Every active project has at least one next action.
- [ ] Any project with nothing done for two weeks: pause it, or decide the next step now.
- [ ] Reread this quarter's goals. Which key result moved this week?
## Plan the week
- [ ] Pick the three tasks that would make next week a good week and give them priority (A).
- [ ] Note the plan in working-memory.txt.
"""

# (kind, words any of which marks it, data keys shown); the first rule that matches wins.
RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("archive", ("archive",), ("ready_to_archive",)),
    ("waiting", ("@waiting", "waiting for", "chase"), ("stale_waiting",)),
    ("inbox", ("inbox", "loose", "project and a context"), ("inbox",)),
    ("calendar_back", ("last week's calendar", "look back"), ("events_back", "done_this_week")),
    ("week_goal", ("goal line", "week goal"), ()),
    ("calendar_ahead", ("calendar",), ("events_ahead",)),
    ("due", ("due", "overdue"), ("overdue", "due_soon")),
    ("next_actions", ("next action",), ("no_next_action",)),
    ("stalled", ("nothing done", "stalled", "pause"), ("stalled",)),
    ("invoices", ("invoice",), ("invoices", "done_this_week")),
    ("goals", ("key result", "goals"), ("goals", "goals_behind", "done_this_week")),
    ("priorities", ("priority", "(a)"), ("top",)),
    ("memory", ("working-memory", "working memory"), ("top",)),
)

#: What each data key of a step is called where the review is shown.
DATA_TITLES = {
    "ready_to_archive": "Done, still in todo.txt",
    "stale_waiting": "Waiting too long",
    "inbox": "Missing a +project or @context",
    "events_back": "Last week",
    "events_ahead": "Coming up",
    "done_this_week": "Done this week",
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "no_next_action": "Active projects without a next action",
    "stalled": "Stalled projects",
    "invoices": "Invoices",
    "goals": "Goals",
    "goals_behind": "Goals behind",
    "top": "Best candidates for next week",
}


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    operation: ops.Operation

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "operation": self.operation.to_dict()}


@dataclass(frozen=True)
class Step:
    index: int
    section: str | None
    text: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "section": self.section,
            "text": self.text,
            "kind": self.kind,
            "data": {k: _jsonable(v) for k, v in self.data.items()},
            "actions": [a.to_json() for a in self.actions],
        }


@dataclass(frozen=True)
class Review:
    review_id: str
    steps: list[Step]

    def action(self, action_id: str) -> Action | None:
        return next((a for s in self.steps for a in s.actions if a.id == action_id), None)


def guide_items(guide: bytes) -> list[tuple[str | None, str]]:
    """(section heading, item text) for each checklist item of the guide, in order."""
    out: list[tuple[str | None, str]] = []
    section = None
    for raw in LineDoc.from_bytes(guide).lines:
        text = encode(raw).decode("utf-8", "replace").lstrip("\ufeff")
        head = heading(text)
        if head and head[0] >= 2:
            section = head[1]
        m = _CHECK_RE.match(text)
        if m:
            out.append((section, m.group(1)))
    return out


def step_kind(text: str) -> str:
    """The first rule with a word that starts a word of ``text`` ("due" is not in "residue")."""
    folded = text.casefold()
    for kind, words, _ in RULES:
        if any(re.search(rf"(?<!\w){re.escape(w)}", folded) for w in words):
            return kind
    return "note"


def build_review(review_id: str, guide: bytes, data: ReviewData) -> Review:
    """The steps of the review; the built-in guide stands in when ``guide`` has no checklist."""
    items = guide_items(guide) or guide_items(DEFAULT_GUIDE)
    keys = {kind: shown for kind, _, shown in RULES}
    steps = []
    for index, (section, text) in enumerate(items):
        kind = step_kind(text)
        shown = {k: getattr(data, k) for k in keys.get(kind, ())}
        proposals = _PROPOSALS.get(kind, lambda d: [])(data)
        actions = [Action(aid, label, _with_id(op, review_id, aid)) for aid, label, op in proposals]
        steps.append(Step(index, section, text, kind, shown, actions))
    return Review(review_id, steps)


def load_review(repo: OrgRepo, review_id: str, now: datetime) -> Review:
    """The review as the repo stands at ``now`` (rebuild it after each applied action)."""
    guide = repo.read_bytes(repo.layout.weekly_review)
    return build_review(review_id, guide, load_review_data(repo, now))


Proposal = tuple[str, str, ops.Operation]


def _archive(data: ReviewData) -> list[Proposal]:
    done = data.ready_to_archive
    if not done:
        return []
    label = f"Archive {len(done)} done task{'s' if len(done) > 1 else ''} to done.txt"
    return [(_aid("archive", *(t.raw for t in done)), label, ops.ArchiveDone())]


def _waiting(data: ReviewData) -> list[Proposal]:
    out: list[Proposal] = []
    follow_up = (data.today + timedelta(days=1)).isoformat()
    for task in data.stale_waiting:
        who = task.attr("who") or "them"
        tags = " ".join(f"+{p}" for p in task.projects)
        text = f"Chase {who} about: {task.description} {tags} due:{follow_up}"
        out.append((_aid("chase", task.raw), f"Chase {who}: {task.description}",
                    ops.AddTask(text=" ".join(text.split()))))
        since = waiting_since(task)
        if since and (data.today - since).days > DROP_WAITING_FACTOR * data.stale_days:
            out.append(_drop(task, f"waiting since {since}"))
    return out


def _due(data: ReviewData) -> list[Proposal]:
    return [
        _drop(t, f"overdue since {t.due}")
        for t in data.overdue
        if t.due and (data.today - t.due).days > DROP_OVERDUE_DAYS
    ]


def _stalled(data: ReviewData) -> list[Proposal]:
    out: list[Proposal] = []
    for slug, why in data.stalled.items():
        pause = ops.SetProjectStatus(project=slug, status="paused")
        out.append((_aid("pause", slug), f"Pause +{slug} ({why})", pause))
    return out


def _priorities(data: ReviewData) -> list[Proposal]:
    top = [s.task for s in data.top]
    return [
        (_aid("prioritize", t.raw), f"Give (A) to: {t.description}",
         ops.PrioritizeTask(line=t.line, raw=t.raw, priority="A"))
        for t in top
        if t.priority != "A"
    ]


def _memory(data: ReviewData) -> list[Proposal]:
    picks = "; ".join(s.task.description for s in data.top) or "nothing picked"
    text = f"Weekly review done. Top tasks for the week: {picks}."
    return [(_aid("memory", text), f"Note in working-memory.txt: {text}",
             ops.AppendWorkingMemory(text=text))]


_PROPOSALS: dict[str, Callable[[ReviewData], list[Proposal]]] = {
    "archive": _archive,
    "waiting": _waiting,
    "due": _due,
    "stalled": _stalled,
    "priorities": _priorities,
    "memory": _memory,
}


def _drop(task: Task, why: str) -> Proposal:
    return (_aid("drop", task.raw), f"Drop ({why}): {task.description}",
            ops.DeleteTask(line=task.line, raw=task.raw))


def _aid(kind: str, *about: str) -> str:
    digest = hashlib.sha256("\n".join(about).encode("utf-8", "surrogateescape")).hexdigest()
    return f"{kind}-{digest[:12]}"


def _with_id(op: ops.Operation, review_id: str, action_id: str) -> ops.Operation:
    op_id = hashlib.sha256(f"{review_id}|{action_id}".encode()).hexdigest()[:32]
    return replace(op, op_id=op_id, source="review")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
