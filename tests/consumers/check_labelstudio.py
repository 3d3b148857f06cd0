"""Label Studio tasks JSON: `value.start`/`value.end` count UTF-16 code units
(as Label Studio's editor does in the browser) and slice the task's text to
`value.text`, the segment; each memo is a per-region textarea result on the
same region."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from common import Expected, same_counts, short, slice_utf16, standalone


def check(path: Path, expected: Expected) -> str:
    tasks = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(tasks, list), "the file is not a list of tasks"
    assert len(tasks) == len(expected.coded_documents), f"{len(tasks)} tasks, expected {len(expected.coded_documents)}"
    names = set(expected.tag_name.values())
    found = Counter()
    ids = set()
    for n, task in enumerate(tasks):
        text = task["data"]["text"]
        doc = expected.document_with_text(text, f"task {n}")
        assert task["data"].get("id") == doc["id"], f"task {n}: data.id {task['data'].get('id')!r}"
        memos = {}
        for ann in task["annotations"]:
            for r in ann["result"]:
                assert r["from_name"] and r["to_name"], f"task {n}: result {r.get('id')} names no control"
                a = expected.by_id.get(r["id"])
                assert a is not None, f"task {n}: result {r['id']} is no live annotation"
                v = r["value"]
                seg = slice_utf16(text, v["start"], v["end"])
                assert seg == a["quote"], f"task {n}: {r['id']} UTF-16 {v['start']}..{v['end']} slices {short(seg)}, the quote is {short(a['quote'])}"
                if r["type"] == "textarea":
                    # A per-region memo: the same region (id and offsets) as its labels.
                    assert v["text"] == [a["memo"]], f"task {n}: memo of {r['id']} is {v['text']!r}, expected {[a['memo']]!r}"
                    memos[r["id"]] = (v["start"], v["end"])
                    continue
                assert r["type"] == "labels", f"task {n}: result {r['id']} of type {r['type']!r}"
                assert r["id"] not in ids, f"task {n}: two labels results with id {r['id']}"
                ids.add(r["id"])
                assert seg == v["text"], f"task {n}: UTF-16 {v['start']}..{v['end']} slices {short(seg)}, value.text is {short(v['text'])}"
                assert v["labels"] and set(v["labels"]) <= names, f"task {n}: labels {v['labels']} not in the codebook"
                for label in v["labels"]:
                    found[(doc["id"], a["start"], a["end"], label)] += 1
        with_memo = {a["id"] for a in expected.annotations if a["doc"] == doc["id"] and a["memo"]}
        assert set(memos) == with_memo, f"task {n}: {len(memos)} memos, {len(with_memo)} annotations with one"
    same_counts(found, expected.segments(name=True), "Label Studio labels")
    return f"{len(tasks)} tasks, {len(ids)} label regions and their memos slice by UTF-16 units"


if __name__ == "__main__":
    standalone(check, "usage: check_labelstudio.py TASKS.json [EXPECTED.json]")
