"""Reading what was appended to a line-oriented log since the last read."""

from __future__ import annotations

from pathlib import Path


class LineTail:
    """Complete lines appended to a file since the last read (rereads when it is replaced)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ino: int | None = None
        self.offset = 0
        self.torn = False  # the file ends in a partial line

    def read(self) -> tuple[bool, list[bytes]]:
        """``(reset, lines)``; ``reset`` when the file was replaced and is read from the start."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            reset = self.ino is not None or self.offset > 0
            self.ino, self.offset, self.torn = None, 0, False
            return reset, []
        reset = st.st_ino != self.ino or st.st_size < self.offset
        if reset:
            self.ino, self.offset = st.st_ino, 0
        if st.st_size == self.offset:
            self.torn = False
            return reset, []
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            chunk = f.read(st.st_size - self.offset)
        complete = chunk.rfind(b"\n") + 1  # a torn last line is read once it is whole
        self.offset += complete
        self.torn = complete < len(chunk)
        return reset, chunk[:complete].splitlines()
