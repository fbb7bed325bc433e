"""Benchmarks, run with ``make bench`` (``python -m tests.bench``); not part of the test suite.

Every ``bench_*.py`` module here with a ``run() -> dict[str, float]`` is a benchmark. Its
figures are named ``area.what.unit`` (``todo.parse_100k.ms``); a figure ``X.<peer>.ms`` next to
``X.ms`` is the same measurement with a peer library and is printed side by side with ours. A
module may also list ``GOALS`` (:class:`tests.bench.report.Goal`), checked at the end.
"""
