"""doccano JSONL (sequence labelling): one document per line, `label` as
`[start, end, tag name]` in code points, which slice the line's `text` (as Python
and doccano's own backend do) to each segment."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from common import Expected, same_counts, short, standalone


def check(path: Path, expected: Expected) -> str:
    found = Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines, "no line"
    for n, line in enumerate(lines, 1):
        obj = json.loads(line)
        assert isinstance(obj.get("text"), str), f"line {n}: no text"
        assert isinstance(obj.get("label"), list), f"line {n}: no label list"
        doc = expected.document_with_text(obj["text"], f"line {n}")
        assert obj.get("id") == doc["id"], f"line {n}: id {obj.get('id')!r}, its text is {doc['id']}'s"
        text = obj["text"]
        for lab in obj["label"]:
            assert isinstance(lab, list) and len(lab) == 3, f"line {n}: label {lab!r} is not [start, end, tag]"
            s, e, tag = lab
            assert isinstance(s, int) and isinstance(e, int) and isinstance(tag, str), f"line {n}: label {lab!r}"
            assert 0 <= s < e <= len(text), f"line {n}: label {lab!r} outside a text of {len(text)} code points"
            quotes = [a["quote"] for a in expected.annotations if (a["doc"], a["start"], a["end"]) == (doc["id"], s, e)]
            assert quotes, f"line {n}: no annotation of {doc['id']} spans {s}..{e}"
            assert text[s:e] == quotes[0], f"line {n}: text[{s}:{e}] = {short(text[s:e])}, expected {short(quotes[0])}"
            found[(doc["id"], s, e, tag)] += 1
    assert len(lines) == len(expected.coded_documents), f"{len(lines)} lines, expected one per coded document ({len(expected.coded_documents)})"
    same_counts(found, expected.segments(name=True), "doccano labels")
    return f"{len(lines)} documents, {sum(found.values())} labels slice by code points"


if __name__ == "__main__":
    standalone(check, "usage: check_doccano.py DOCCANO.jsonl [EXPECTED.json]")
