"""The worker's parts on their own: credentials, commit messages, the pending list, the lock,
the delivery counter, repo preparation. Real git and a real Redis; no worker process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import git
import pytest
import redis
from celery.exceptions import Reject

from shared.operations import AddTask
from shared.org_repo import OrgRepo
from shared.settings import Settings
from worker import git_cmd
from worker.app import celery_config, create_celery_app
from worker.commit_message import OpRecord, ops_message, parse_ops, parse_reverts
from worker.deliveries import PoisonTaskError, deliveries, guard_delivery
from worker.group_commit import GroupCommit
from worker.lanes import APPLY_OPERATION
from worker.redis_server import free_port
from worker.repo_doctor import prepare_repo
from worker.repo_lock import RepoBusyError, RepoLock, make_token
from worker.tasks import lane_for


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_credentials_stay_out_of_urls_arguments_and_messages(tmp_path: Path) -> None:
    s = settings(git_repo_url="https://me:s3cret@git.example.org/me/org.git")
    assert git_cmd.remote_url(s) == "https://git.example.org/me/org.git"
    env = git_cmd.network_env(s, tmp_path)
    assert env["MYORG_GIT_USERNAME"] == "me" and env["MYORG_GIT_PASSWORD"] == "s3cret"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    askpass = Path(env["GIT_ASKPASS"])
    assert "s3cret" not in askpass.read_text() and os.access(askpass, os.X_OK)
    answer = subprocess.run(
        [str(askpass), "Password for 'https://me@git.example.org': "],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.stdout == "s3cret\n"
    message = "fatal: unable to access 'https://me:s3cret@git.example.org/': s3cret rejected"
    assert "s3cret" not in git_cmd.redact(message, s)
    token = settings(git_repo_url="https://git.example.org/x.git", git_password="tok")
    assert git_cmd.credentials(token) == (None, "tok")


def test_git_is_never_handed_a_string_that_could_be_an_option(tmp_path: Path) -> None:
    with pytest.raises(git_cmd.GitError):
        git_cmd.checked_sha("--upload-pack=touch /tmp/x")
    assert git_cmd.checked_sha("a" * 40) == "a" * 40


def test_commit_messages_list_each_change_and_where_it_came_from() -> None:
    records = [
        OpRecord("id1", "add_task", "add task: Buy milk\nsecond line", "web"),
        OpRecord("id2", "complete_task", "complete task: x", "discord"),
    ]
    message = ops_message(records)
    assert message.splitlines()[:4] == [
        "2 changes (via web, discord)",
        "",
        "- add task: Buy milk second line (via web)",
        "- complete task: x (via discord)",
    ]
    assert [op["id"] for op in parse_ops(message)] == ["id1", "id2"]
    single = ops_message([OpRecord("id3", "undo", "undo: add task: y", "cli", reverts="abc")])
    assert single.startswith("undo: add task: y (via cli)\n")
    assert parse_reverts(single) == "abc" and parse_ops(single)[0]["source"] == "cli"
    assert parse_ops("a commit by hand\n\nMyorg-Op: not json\n") == []


def test_the_pending_list_survives_torn_lines_and_drops(tmp_path: Path) -> None:
    org = OrgRepo(tmp_path)
    group = GroupCommit(org, settings())
    a, b = AddTask(text="a", op_id="A"), AddTask(text="b", op_id="B", source="web")
    assert group.note(a) and group.note(b) and not group.note(a)
    group.applied("A", ["todo.txt"])
    group.drop("B")
    with open(group.path, "ab") as f:
        f.write(b'{"op_id": "C", "kind": "add_ta')  # a crash mid-line
    [only] = group.pending()
    assert only.record.op_id == "A" and only.files == ("todo.txt",)
    assert group.due(queue_length=0, now=0.0)


def test_the_repo_lock_excludes_a_second_holder_and_breaks_a_dead_ones(
    redis_client: redis.Redis, tmp_path: Path
) -> None:
    first = RepoLock(redis_client, ttl_s=30, wait_s=0.2)
    second = RepoLock(redis_client, ttl_s=30, wait_s=0.2)
    with first, pytest.raises(RepoBusyError, match="held by another worker"):
        second.acquire()
    # A holder process that died: its token names a pid that no longer runs.
    proc = subprocess.run(
        [sys.executable, "-c", "from worker.repo_lock import make_token; print(make_token())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    redis_client.set("myorg:repo-lock", proc.stdout.strip(), px=30_000)
    with second:
        assert redis_client.get("myorg:repo-lock") != proc.stdout.strip().encode()
    assert redis_client.get("myorg:repo-lock") is None
    assert make_token().count("|") == 4


def test_the_repo_lock_carries_other_commands_in_its_round_trips(
    redis_client: redis.Redis,
) -> None:
    """Commands riding on the lock's round trips: the replies are those of the attempt that took
    the lock (not of one made while another holder had it), and the release sends them first."""
    holder = RepoLock(redis_client, ttl_s=30, wait_s=0)
    holder.acquire()
    redis_client.delete("q")
    redis_client.rpush("q", "a", "b")
    waiter = RepoLock(redis_client, ttl_s=30, wait_s=5)
    attempts: list[int] = []

    def also(pipe: redis.client.Pipeline) -> None:
        pipe.llen("q")
        attempts.append(1)
        if len(attempts) == 2:  # after a first attempt that found the lock held (queue: 2)
            redis_client.delete("q")
            holder.release()

    assert waiter.acquire(also=also) == [0]
    assert len(attempts) == 2
    waiter.release(also=lambda pipe: pipe.set("sent-before-release", "1"))
    assert redis_client.get("sent-before-release") == b"1"
    assert redis_client.get("myorg:repo-lock") is None


def test_a_task_that_cannot_reach_redis_is_handed_back_not_failed(tmp_path: Path) -> None:
    """A Redis that does not answer while a task enters the lane (a hang can outlast the soft
    time limit): the task goes back to the queue instead of failing, and nothing is written."""
    app = create_celery_app(
        settings(
            redis_url=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            org_repo_path=tmp_path / "org",
            redis_socket_timeout_s=0.2,
        )
    )
    request = SimpleNamespace(id="t1", delivery_info={"redelivered": True})
    task = SimpleNamespace(app=app, name=APPLY_OPERATION, request=request)
    with pytest.raises(Reject) as handed_back, lane_for(task, {}):  # type: ignore[arg-type]
        pytest.fail("the lane was entered")
    assert handed_back.value.requeue and "Redis did not answer" in str(handed_back.value.reason)
    assert not (tmp_path / "org").exists()
    app.close()


def test_a_task_redelivered_too_often_is_dropped_once(redis_client: redis.Redis) -> None:
    assert guard_delivery(redis_client, "t1", "x", [], 3, redelivered=False) == 0
    assert guard_delivery(redis_client, "t1", "x", [], 3, redelivered=True) == 1
    assert guard_delivery(redis_client, "t1", "x", [], 3, redelivered=True) == 2
    with pytest.raises(PoisonTaskError):
        guard_delivery(redis_client, "t1", "x", [], 3, redelivered=True)
    assert deliveries(redis_client, "t1") == 3 and redis_client.llen("myorg:dead-letters") == 1


def test_a_new_repo_is_initialised_and_configured(tmp_path: Path) -> None:
    root = prepare_repo(settings(org_repo_path=tmp_path / "org"))
    with git.Repo(root) as repo:
        reader = repo.config_reader("repository")
        assert reader.get_value("core", "fsync") == "committed,index"
        assert repo.head.reference.name == "main"
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("not a repo")
    with pytest.raises(RuntimeError, match="not empty and is not a git repository"):
        prepare_repo(settings(org_repo_path=tmp_path / "full"))


def test_the_celery_config_is_json_only_with_late_acks_and_fast_redelivery() -> None:
    conf = celery_config(settings())
    assert conf["task_serializer"] == conf["result_serializer"] == "json"
    assert conf["accept_content"] == ["json"]
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1
    transport = conf["broker_transport_options"]
    assert transport["visibility_timeout"] == 30 and conf["task_time_limit"] == 25
    assert transport["unacked_restore_interval"] * transport["unacked_restore_throttle"] <= 2
    assert conf["task_routes"]["myorg.repo.*"] == {"queue": "repo"}
    assert conf["task_routes"]["myorg.agent.*"] == {"queue": "agent"}
