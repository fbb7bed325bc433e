"""Fixtures of the CLI tests (defined with the helpers in ``cli_harness``)."""

from tests.cli.cli_harness import repo, tasks_now, template, today_view

__all__ = ["repo", "tasks_now", "template", "today_view"]
