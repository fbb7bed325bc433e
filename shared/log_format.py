"""Log lines for every process: one JSON object per line, carrying the request or task id, with
secrets masked.

A process calls :func:`configure_logging` once when it starts. Code that handles a web request, a
Discord command or a task wraps its work in :func:`log_ids` so every line it logs names the request
(and the task), and the id travels with the task to the worker. :class:`SecretMasker` masks the
values of the secret settings and anything shaped like a credential, in text and JSON alike.
:class:`TaskContentFilter` keeps the owner's text out of Celery's lines about a task ("Task
<name>[<id>] received", "... succeeded in 0.01s: <result>"): they name the task, never its
arguments or its result.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

from pydantic import SecretStr

from shared.settings import Settings

MASK = "***"
#: A secret setting shorter than this is not searched for in log text (it would mask common words).
MIN_SECRET_LENGTH = 6

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
TASK_ID: ContextVar[str | None] = ContextVar("task_id", default=None)

#: Credential shapes masked wherever they appear, whatever the settings say.
SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # user:password@ or token@ in any URL (git remotes, redis://:password@host).
    (re.compile(r"(?<=://)[^/@\s]+@"), MASK + "@"),
    # Anthropic and other "sk-" API keys.
    (re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{8,}"), "sk-ant-" + MASK),
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"), "sk-" + MASK),
    # Discord bot tokens: base64 user id . timestamp . HMAC.
    (re.compile(r"\b[A-Za-z0-9_\-]{23,28}\.[A-Za-z0-9_\-]{6,7}\.[A-Za-z0-9_\-]{27,40}\b"), MASK),
    # Discord webhook URLs carry their token in the path.
    (re.compile(r"(/api/webhooks/\d+/)[A-Za-z0-9_\-]+"), r"\1" + MASK),
    # GitHub and GitLab tokens.
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"), MASK),
    (re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}"), MASK),
    # Authorization headers.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}"), r"\1 " + MASK),
)

#: The fields of Celery's task lines that carry the owner's text: the task's arguments and result.
TASK_CONTENT_FIELDS = frozenset({"args", "kwargs", "return_value"})
# ``%(args)s`` and the like in a Celery format string, with the ": " that introduces them.
_TASK_CONTENT_PLACEHOLDER = re.compile(
    r"(?::\s*)?%\((?:args|kwargs|return_value)\)[#0 +\-]*\d*(?:\.\d+)?[a-zA-Z]"
)

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def secret_values(settings: Settings) -> list[str]:
    """The values of every setting typed as secret (API keys, tokens, passwords)."""
    values = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            if len(secret) >= MIN_SECRET_LENGTH:
                values.append(secret)
    return values


class SecretMasker(logging.Filter):
    """Masks secrets in every record it sees: message, arguments, traceback and extra fields."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        for pattern, replacement in SECRET_PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.mask(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _RECORD_ATTRS:
                setattr(record, key, self._mask_value(value))
        return True

    def _mask_value(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {str(k): self._mask_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._mask_value(v) for v in value]
        return self.mask(str(value))


class TaskContentFilter(logging.Filter):
    """Celery's lines about a task keep its id, name, runtime and outcome, and drop its arguments
    and return value, which carry the owner's text.

    Celery logs these lines (``celery.app.trace``, ``celery.worker.strategy``) with a dict of
    fields as the format arguments and again as the ``data`` extra field; the format loses its
    ``%(args)s``, ``%(kwargs)s`` and ``%(return_value)s``, ``data`` is dropped, and the task's id
    and name become the ``task_id`` and ``task_name`` fields. Runs before :class:`SecretMasker`,
    which formats the message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        fields = record.args
        if not record.name.startswith("celery") or not isinstance(fields, Mapping):
            return True
        if not TASK_CONTENT_FIELDS & fields.keys():
            return True
        record.msg = _TASK_CONTENT_PLACEHOLDER.sub("", str(record.msg))
        record.args = {k: v for k, v in fields.items() if k not in TASK_CONTENT_FIELDS}
        vars(record).pop("data", None)
        if fields.get("id"):
            record.task_id = str(fields["id"])
        if fields.get("name"):
            record.task_name = str(fields["name"])
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, extra fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        for key, var in (("request_id", REQUEST_ID), ("task_id", TASK_ID)):
            value = getattr(record, key, None) or var.get()
            if value:
                entry[key] = value
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The human-readable format for development, with the ids when there are any."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(_ids)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = [f"{k}={v}" for k, v in (("req", REQUEST_ID.get()), ("task", TASK_ID.get())) if v]
        record._ids = f" [{' '.join(ids)}]" if ids else ""
        return super().format(record)


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def log_ids(request_id: str | None = None, task_id: str | None = None) -> Iterator[str]:
    """Tag every line logged inside the block; yields the request id (made up when not given)."""
    request_id = request_id or REQUEST_ID.get() or new_request_id()
    request_token = REQUEST_ID.set(request_id)
    task_token = TASK_ID.set(task_id) if task_id is not None else None
    try:
        yield request_id
    finally:
        if task_token is not None:
            TASK_ID.reset(task_token)
        REQUEST_ID.reset(request_token)


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record of this process to ``stream`` (stderr) in ``settings.log_format``.

    Replaces the root logger's handlers, so calling it again (a forked child, a test) is harmless.
    Returns the handler.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(TaskContentFilter())  # first: the masker formats the message
    handler.addFilter(SecretMasker(secret_values(settings)))
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    logging.captureWarnings(True)
    return handler
