"""Byte-faithful line storage for the owner's plain-text files.

A file is decoded as UTF-8 with ``surrogateescape`` so that any byte sequence survives a
round trip; a UTF-8 BOM is remembered; each line keeps its own ending (``\\n``, ``\\r\\n``, or
none for a last line without one). Editing one line leaves every other byte untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BOM = b"\xef\xbb\xbf"
_LINE_RE = re.compile(r"([^\n]*?)(\r\n|\n|$)")


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


@dataclass
class LineDoc:
    """A text file as a list of lines, each with its ending, plus an optional BOM."""

    lines: list[str] = field(default_factory=list)
    endings: list[str] = field(default_factory=list)
    bom: bool = False

    @classmethod
    def from_bytes(cls, data: bytes) -> LineDoc:
        bom = data.startswith(BOM)
        text = decode(data[3:] if bom else data)
        lines = text.split("\n")
        last = lines.pop()  # what follows the final "\n": "" when the file ends with one
        endings = ["\n"] * len(lines)
        if "\r" in text:
            for i, line in enumerate(lines):
                if line.endswith("\r"):
                    lines[i] = line[:-1]
                    endings[i] = "\r\n"
        if last:
            lines.append(last)
            endings.append("")
        return cls(lines, endings, bom)

    def to_bytes(self) -> bytes:
        lines, endings = self.lines, self.endings
        if len(lines) != len(endings):
            raise ValueError(f"{len(lines)} lines but {len(endings)} line endings")
        parts = [""] * (2 * len(lines))  # line, ending, line, ending...: one join, no pairs
        parts[::2] = lines
        parts[1::2] = endings
        return (BOM if self.bom else b"") + encode("".join(parts))

    def __len__(self) -> int:
        return len(self.lines)

    def copy(self) -> LineDoc:
        return LineDoc(list(self.lines), list(self.endings), self.bom)

    @property
    def newline(self) -> str:
        """The file's dominant line ending (``\\n`` for an empty file)."""
        endings = self.endings
        lf, crlf = endings.count("\n"), endings.count("\r\n")  # C loops: this runs per insert
        if lf != crlf:
            return "\n" if lf > crlf else "\r\n"
        if not lf:
            return "\n"
        return "\n" if endings.index("\n") < endings.index("\r\n") else "\r\n"  # tie: first

    def replace(self, index: int, text: str) -> None:
        self.lines[index] = text

    def delete(self, index: int) -> None:
        ending = self.endings[index]
        del self.lines[index]
        del self.endings[index]
        # Deleting the last line must not add a newline the file did not have.
        if not ending and self.endings:
            self.endings[-1] = ""

    def insert(self, index: int, text: str) -> None:
        """Insert a line before ``index`` (``len(self)`` appends)."""
        newline = self.newline
        if index >= len(self.lines):
            self.append(text)
            return
        self.lines.insert(index, text)
        self.endings.insert(index, newline)

    def append(self, text: str) -> None:
        newline = self.newline
        if self.endings and not self.endings[-1]:
            if self.lines[-1] == "" and len(self.lines) == 1:
                # An empty file: nothing to terminate.
                self.lines.pop()
                self.endings.pop()
            else:
                self.endings[-1] = newline
        self.lines.append(text)
        self.endings.append(newline)


def split_text(text: str) -> list[str]:
    """Split on ``\\n`` / ``\\r\\n`` only (``str.splitlines`` also splits on form feeds etc.)."""
    return [m.group(1).removesuffix("\r") for m in _LINE_RE.finditer(text) if m.group(0)]
