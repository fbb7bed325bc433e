"""``spliced_bytes`` gives exactly ``to_bytes()`` for any file and any edit of its lines."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.line_splice import spliced_bytes
from shared.lines import LineDoc

LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=30
)
ENDING = st.sampled_from(["\n", "\r\n"])
EDIT = st.tuples(
    st.sampled_from(["replace", "insert", "delete", "append", "ending", "prepend"]),
    st.integers(min_value=0, max_value=10_000),
    LINE,
)


def build(lines: list[str], endings: list[str], last_open: bool, bom: bool) -> bytes:
    text = "".join(line + ending for line, ending in zip(lines, endings, strict=True))
    if last_open and lines:
        text = text.removesuffix(endings[-1])
    data = text.encode("utf-8", "surrogatepass")
    return (b"\xef\xbb\xbf" if bom else b"") + data


def edit(doc: LineDoc, edits: list[tuple[str, int, str]]) -> LineDoc:
    new = doc.copy()
    for kind, where, text in edits:
        size = len(new.lines)
        if kind == "append" or (size == 0 and kind != "ending"):
            new.append(text)
        elif kind == "replace":
            new.replace(where % size, text)
        elif kind == "insert":
            new.insert(where % size, text)
        elif kind == "delete":
            new.delete(where % size)
        elif kind == "prepend":
            new.insert(0, text)
        elif size:
            i = where % size
            new.endings[i] = "\r\n" if new.endings[i] != "\r\n" else "\n"
    return new


@settings(max_examples=400)
@given(
    st.lists(st.tuples(LINE, ENDING), max_size=40),
    st.booleans(),
    st.booleans(),
    st.lists(EDIT, min_size=0, max_size=4),
)
def test_spliced_bytes_equal_a_full_serialization(
    rows: list[tuple[str, str]], last_open: bool, bom: bool, edits: list[tuple[str, int, str]]
) -> None:
    data = build([r[0] for r in rows], [r[1] for r in rows], last_open, bom)
    old = LineDoc.from_bytes(data)
    assert old.to_bytes() == data
    new = edit(old, edits)
    assert spliced_bytes(old, data, new) == new.to_bytes()


def test_non_utf8_bytes_outside_the_edit_are_kept_as_they_were() -> None:
    data = b"caf\xe9\r\n(A) call Ana\r\n\xff\xfe tail"
    old = LineDoc.from_bytes(data)
    new = old.copy()
    new.replace(1, "x 2026-11-23 (A) call Ana")
    assert spliced_bytes(old, data, new) == b"caf\xe9\r\nx 2026-11-23 (A) call Ana\r\n\xff\xfe tail"


def test_an_unchanged_doc_gives_back_the_same_bytes() -> None:
    data = b"one\ntwo\n"
    old = LineDoc.from_bytes(data)
    assert spliced_bytes(old, data, old.copy()) is data
