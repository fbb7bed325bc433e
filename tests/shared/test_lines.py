"""LineDoc: byte-faithful lines, and edits that touch only their own line."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.lines import BOM, LineDoc, split_text

ODD_FILES = [
    b"",
    b"\n",
    b"\r\n",
    b"one line, no newline",
    b"a\nb\n",
    b"a\r\nb\r\n",
    b"a\r\nb\nc\r\nd",
    BOM + b"(A) with a BOM\r\n",
    BOM,
    BOM + BOM + b"two BOMs\n",
    b"trailing spaces   \n\t tabbed  \t\n",
    b"\n\n\n# comment\n\n",
    b"nul \x00 inside\n\x00\n",
    b"latin-1 caf\xe9 and \xff\xfe bytes\n",
    b"lone cr\r in the middle\rand at the end\r",
    b"cr before crlf\r\r\n",
    b"\xed\xa0\x80 encoded surrogate\n",
    "unicode: caf\u00e9 \u2028 line sep \x0c form feed \x1c\n".encode(),
    b"\xef\xbb mangled bom\n",
]


@pytest.mark.parametrize("data", ODD_FILES)
def test_round_trip_is_byte_identical(data: bytes) -> None:
    assert LineDoc.from_bytes(data).to_bytes() == data


def test_lines_keep_their_own_endings() -> None:
    doc = LineDoc.from_bytes(b"a\r\nb\nc")
    assert doc.lines == ["a", "b", "c"]
    assert doc.endings == ["\r\n", "\n", ""]
    assert len(doc) == 3


def test_bom_is_remembered_and_not_part_of_the_first_line() -> None:
    doc = LineDoc.from_bytes(BOM + b"first\n")
    assert doc.bom is True
    assert doc.lines == ["first"]


def test_non_utf8_bytes_survive_an_edit_of_another_line() -> None:
    data = b"caf\xe9 latin-1\nedit me\n\xff\n"
    doc = LineDoc.from_bytes(data)
    doc.replace(1, "edited")
    assert doc.to_bytes() == b"caf\xe9 latin-1\nedited\n\xff\n"


def test_replace_keeps_the_line_ending_and_bom() -> None:
    doc = LineDoc.from_bytes(BOM + b"a\r\nb\r\nc")
    doc.replace(2, "C")
    doc.replace(0, "A")
    assert doc.to_bytes() == BOM + b"A\r\nb\r\nC"


@pytest.mark.parametrize(
    ("data", "newline"),
    [(b"", "\n"), (b"no newline", "\n"), (b"a\r\nb\r\nc\n", "\r\n"), (b"a\nb\nc\r\n", "\n")],
)
def test_dominant_newline(data: bytes, newline: str) -> None:
    assert LineDoc.from_bytes(data).newline == newline


@given(st.lists(st.sampled_from(["\n", "\r\n"]), max_size=12))
def test_dominant_newline_is_the_most_common_ending_and_on_a_tie_the_first(
    endings: list[str],
) -> None:
    data = "".join(f"l{i}{e}" for i, e in enumerate(endings)).encode() + b"last"
    expected = Counter(endings).most_common(1)[0][0] if endings else "\n"
    assert LineDoc.from_bytes(data).newline == expected


def test_append_uses_the_files_line_ending() -> None:
    doc = LineDoc.from_bytes(b"a\r\nb\r\n")
    doc.append("c")
    assert doc.to_bytes() == b"a\r\nb\r\nc\r\n"


def test_append_to_a_file_without_final_newline_terminates_the_last_line() -> None:
    doc = LineDoc.from_bytes(b"a\nb")
    doc.append("c")
    assert doc.to_bytes() == b"a\nb\nc\n"


def test_append_to_an_empty_file() -> None:
    doc = LineDoc.from_bytes(b"")
    doc.append("first")
    assert doc.to_bytes() == b"first\n"


def test_append_keeps_a_bom() -> None:
    doc = LineDoc.from_bytes(BOM + b"a\n")
    doc.append("b")
    assert doc.to_bytes() == BOM + b"a\nb\n"


def test_insert_in_the_middle_and_past_the_end() -> None:
    doc = LineDoc.from_bytes(b"a\r\nc\r\n")
    doc.insert(1, "b")
    doc.insert(10, "d")
    assert doc.to_bytes() == b"a\r\nb\r\nc\r\nd\r\n"


def test_delete_a_middle_line_leaves_the_others() -> None:
    doc = LineDoc.from_bytes(b"a  \r\nb\nc\r\n")
    doc.delete(1)
    assert doc.to_bytes() == b"a  \r\nc\r\n"


def test_delete_the_last_line_does_not_add_a_newline() -> None:
    doc = LineDoc.from_bytes(b"a\nb")
    doc.delete(1)
    assert doc.to_bytes() == b"a"


def test_delete_the_only_line() -> None:
    doc = LineDoc.from_bytes(b"only\n")
    doc.delete(0)
    assert doc.to_bytes() == b""


def test_copy_is_independent() -> None:
    doc = LineDoc.from_bytes(b"a\nb\n")
    other = doc.copy()
    other.replace(0, "z")
    other.append("c")
    assert doc.to_bytes() == b"a\nb\n"
    assert other.to_bytes() == b"z\nb\nc\n"


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\r\nb\n\nc", ["a", "b", "", "c"]),
        ("form\x0cfeed\u2028sep", ["form\x0cfeed\u2028sep"]),
    ],
)
def test_split_text_splits_only_on_newlines(text: str, lines: list[str]) -> None:
    assert split_text(text) == lines
