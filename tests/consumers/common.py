"""What every consumer check shares: the fixture's expected data and helpers.

`expected.json` is written by the fixture generator
(`cargo run -p marginalia-core --example consumer_fixture -- DIR`) from the
backup it makes, not from any exporter: the documents' cleaned texts, the live
annotations (spans in code points) and the codebook. Each check reads one
export the way its consumer does and compares what it finds with this.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Expected:
    def __init__(self, path: Path):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self.documents = {d["id"]: d for d in data["documents"]}
        self.annotations = data["annotations"]
        self.deleted = set(data["deleted"])
        self.codebook = data["codebook"]
        self.tag_name = {t["id"]: t["name"] for t in self.codebook}
        self.by_id = {a["id"]: a for a in self.annotations}
        # Documents that have live annotations: the ones every export carries.
        coded = {a["doc"] for a in self.annotations}
        self.coded_documents = [d for d in data["documents"] if d["id"] in coded]
        for d in data["documents"]:
            sha = hashlib.sha256(d["text"].encode("utf-8")).hexdigest()
            assert sha == d["text_sha256"], f"expected.json: text_sha256 of {d['id']} does not match its text"

    def text(self, doc: str) -> str:
        return self.documents[doc]["text"]

    def document_with_text(self, text: str, what: str) -> dict:
        """The document whose cleaned text is exactly `text`."""
        for d in self.documents.values():
            if d["text"] == text:
                return d
        near = min(self.documents.values(), key=lambda d: abs(len(d["text"]) - len(text)))
        raise AssertionError(
            f"{what}: its text is none of the documents' texts (closest in length: {near['id']}, "
            f"{len(near['text'])} vs {len(text)} code points; first difference at {first_difference(near['text'], text)})"
        )

    def segments(self, name: bool = False) -> Counter:
        """(doc, start, end, tag) for every live annotation and tag (the tag's name if `name`)."""
        return Counter(
            (a["doc"], a["start"], a["end"], self.tag_name[t] if name else t) for a in self.annotations for t in a["tags"]
        )

    def segment_rows(self) -> int:
        return sum(len(a["tags"]) for a in self.annotations)


def first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def slice_utf16(text: str, start: int, end: int) -> str:
    """`text[start:end]` with offsets in UTF-16 code units (JavaScript's, Label Studio's)."""
    units = text.encode("utf-16-le")
    assert 0 <= start <= end <= len(units) // 2, f"UTF-16 span {start}..{end} outside a text of {len(units) // 2} units"
    return units[2 * start : 2 * end].decode("utf-16-le")


def slice_utf8(text: str, start: int, end: int) -> str:
    data = text.encode("utf-8")
    assert 0 <= start <= end <= len(data), f"UTF-8 span {start}..{end} outside a text of {len(data)} bytes"
    return data[start:end].decode("utf-8")


def same_counts(found: Counter, expected: Counter, what: str, show: int = 5) -> None:
    """Asserts two multisets are equal, naming what is missing and what is extra."""
    missing = expected - found
    extra = found - expected
    if missing or extra:
        lines = [f"{what}: {sum(missing.values())} expected but not found, {sum(extra.values())} found but not expected"]
        lines += [f"  missing {k}" for k in list(missing)[:show]]
        lines += [f"  extra   {k}" for k in list(extra)[:show]]
        raise AssertionError("\n".join(lines))


def short(s: str, n: int = 60) -> str:
    return repr(s if len(s) <= n else s[: n - 1] + "…")


def standalone(check, usage: str) -> None:
    """Runs one check from the command line: `python check_x.py EXPORT [EXPECTED]`."""
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(usage)
        sys.exit(2)
    expected = Expected(Path(args[1]) if len(args) > 1 else ROOT / "target/consumers/expected.json")
    try:
        print(check(Path(args[0]), expected))
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
