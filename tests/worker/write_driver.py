"""Subprocess driver for the torn-write test: rewrites one 1 MB file forever, until killed.

``python -m tests.worker.write_driver journal PATH`` writes through the write-ahead journal (what
the repo lane does); ``... naive PATH`` rewrites the file in place, the control. Imports only the
domain layer, so it starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shared.journal import Journal
from shared.org_repo import OrgRepo

BIG_A = b"".join(b"line %06d of version A\n" % i for i in range(40_000))
BIG_B = b"".join(b"line %06d of version B, a bit longer\n" % i for i in range(30_000))


def run_journal(path: Path) -> None:
    journal = Journal(OrgRepo(path.parent))
    print("READY", flush=True)
    i = 0
    while True:
        with journal.locked():
            journal.commit(f"write-{i}", {path.name: BIG_A if i % 2 else BIG_B}, {})
        i += 1


def run_naive(path: Path) -> None:
    print("READY", flush=True)
    i = 0
    while True:
        with open(path, "wb") as f:
            f.write(BIG_A if i % 2 else BIG_B)
        i += 1


if __name__ == "__main__":
    {"journal": run_journal, "naive": run_naive}[sys.argv[1]](Path(sys.argv[2]))
