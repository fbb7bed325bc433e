"""JSON log lines with request and task ids, and no secret ever written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from celery.app import trace

from shared.log_format import (
    MASK,
    REQUEST_ID,
    JsonFormatter,
    SecretMasker,
    configure_logging,
    log_ids,
    secret_values,
)
from shared.settings import Settings

# Built from parts so that no token-shaped literal is tracked in the repository.
ANTHROPIC_KEY = "sk-ant-" + "api03-fake-Zx9yQ2wV7uT4sR1pO8nM5lK3jH6gF0dS-aAbBcC"
DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4" + ".GaBcDe." + "fakefakefakefakefakefakefake0123"
FLOWER_PASSWORD = "correct-horse-battery"
GIT_TOKEN = "ghp_fake0123456789abcdefghijklmnopqrstuv"


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,
        anthropic_api_key=ANTHROPIC_KEY,
        discord_bot_token=DISCORD_TOKEN,
        flower_password=FLOWER_PASSWORD,
        web_password="pw",  # too short to search for: it would mask ordinary words
        log_format="json",
        log_level="DEBUG",
    )


@pytest.fixture
def captured(settings: Settings) -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging(settings, stream)
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        logging.captureWarnings(False)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_object_with_level_logger_and_message(
    captured: io.StringIO,
) -> None:
    logging.getLogger("myorg.test").info("applied %d edits", 3, extra={"op_id": "op-1"})
    (entry,) = lines(captured)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "myorg.test"
    assert entry["msg"] == "applied 3 edits"
    assert entry["op_id"] == "op-1"
    assert str(entry["ts"]).endswith("+00:00")


def test_request_and_task_ids_come_from_the_context(captured: io.StringIO) -> None:
    log = logging.getLogger("myorg.test")
    with log_ids(request_id="req-42"):
        log.info("enqueued")
        with log_ids(task_id="task-7"):
            log.info("applying")
    log.info("outside")
    first, second, third = lines(captured)
    assert (first["request_id"], "task_id" in first) == ("req-42", False)
    assert (second["request_id"], second["task_id"]) == ("req-42", "task-7")
    assert "request_id" not in third and REQUEST_ID.get() is None


def test_log_ids_makes_up_a_request_id_when_none_is_given() -> None:
    with log_ids() as first:
        assert REQUEST_ID.get() == first and len(first) == 32
    with log_ids() as second:
        assert second != first


def test_secret_settings_are_masked_in_message_arguments_and_extras(
    captured: io.StringIO, settings: Settings
) -> None:
    log = logging.getLogger("myorg.test")
    log.warning("calling with key %s", ANTHROPIC_KEY)
    log.warning("token", extra={"headers": {"Authorization": f"Bot {DISCORD_TOKEN}"}})
    log.warning("flower login %s", FLOWER_PASSWORD)
    text = captured.getvalue()
    for secret in (ANTHROPIC_KEY, DISCORD_TOKEN, FLOWER_PASSWORD):
        assert secret not in text
    assert text.count(MASK) >= 3
    assert FLOWER_PASSWORD in secret_values(settings)
    assert "pw" not in secret_values(settings)


def test_tracebacks_are_masked(captured: io.StringIO) -> None:
    try:
        raise RuntimeError(f"push to https://me:{GIT_TOKEN}@example.org/org.git failed")
    except RuntimeError:
        logging.getLogger("myorg.test").exception("git sync failed")
    (entry,) = lines(captured)
    assert "RuntimeError" in str(entry["exc"])
    assert GIT_TOKEN not in captured.getvalue()
    assert "https://***@example.org/org.git" in str(entry["exc"])


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("remote https://user:hunter2secret@git.example.org/x.git", "hunter2secret"),
        ("broker redis://:redispass99@redis:6379/0", "redispass99"),
        (f"key={ANTHROPIC_KEY} end", ANTHROPIC_KEY),
        ("key=sk-proj-fakeabcdefghijklmnop0123", "fakeabcdefghijklmnop0123"),
        (f"token {DISCORD_TOKEN}", DISCORD_TOKEN),
        ("hook https://discord.com/api/webhooks/123/fake-AbCdEf_ij", "fake-AbCdEf_ij"),
        (f"clone with {GIT_TOKEN}", GIT_TOKEN),
        ("Authorization: Bearer fake.eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9"),
        ("Authorization: Basic YWRtaW46c2VjcmV0", "YWRtaW46c2VjcmV0"),
    ],
)
def test_credential_shapes_are_masked_without_any_settings(text: str, leak: str) -> None:
    masked = SecretMasker().mask(text)
    assert leak not in masked
    assert MASK in masked


def test_ordinary_text_is_left_alone() -> None:
    text = "(A) Call Ana +freelance @phone due:2026-11-27 https://example.org/a.b, v1.2.3"
    assert SecretMasker().mask(text) == text


def test_text_format_for_terminals_names_the_ids(settings: Settings) -> None:
    stream = io.StringIO()
    text_settings = settings.model_copy(update={"log_format": "text"})
    handler = configure_logging(text_settings, stream)
    try:
        with log_ids(request_id="req-1", task_id="t-2"):
            logging.getLogger("myorg.test").info("hello %s", FLOWER_PASSWORD)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.captureWarnings(False)
    line = stream.getvalue()
    assert "[req=req-1 task=t-2]" in line and "hello ***" in line
    assert not line.startswith("{")


def test_formatter_serializes_values_json_cannot_hold() -> None:
    record = logging.makeLogRecord({"msg": "x", "levelname": "INFO", "when": object()})
    entry = json.loads(JsonFormatter().format(record))
    assert entry["when"].startswith("<object object")


def test_celery_task_lines_name_the_task_but_not_its_arguments_or_result(
    captured: io.StringIO,
) -> None:
    text = "Ring the notary about the flat"
    task = {"id": "t-1", "name": "myorg.repo.apply_operation", "eta": None}
    received = {**task, "args": f"[{{'text': '{text}'}}]", "kwargs": "{}"}
    logging.getLogger("celery.worker.strategy").info(
        trace.LOG_RECEIVED, received, extra={"data": received}
    )
    trace.info(
        trace.LOG_SUCCESS, {**received, "return_value": f"{{'raw': '{text}'}}", "runtime": 0.5}
    )
    failed = {
        **received,
        "exc": "OperationError('no such line')",
        "description": "raised unexpected",
    }
    trace.logger.error(trace.LOG_FAILURE, failed, extra={"data": failed})
    assert text not in captured.getvalue()
    first, second, third = lines(captured)
    assert first["msg"] == "Task myorg.repo.apply_operation[t-1] received"
    assert second["msg"] == "Task myorg.repo.apply_operation[t-1] succeeded in 0.5s"
    assert third["msg"] == (
        "Task myorg.repo.apply_operation[t-1] raised unexpected: OperationError('no such line')"
    )
    for entry in (first, second, third):
        assert (entry["task_id"], entry["task_name"]) == ("t-1", "myorg.repo.apply_operation")
        assert "data" not in entry


def test_other_lines_with_a_mapping_are_left_alone(captured: io.StringIO) -> None:
    logging.getLogger("myorg.test").info("%(args)s seen", {"args": "kept"})
    (entry,) = lines(captured)
    assert entry["msg"] == "kept seen"
