"""Matrix CSV (units × tags), read by pandas: one integer column per tag of the
codebook (named by the tag's name or id), and rows that are the units the file
says it counts. The unit is recognised from the key columns:

- `annotation_id`: one row per coded segment, a tag's cell 1 where the segment
  carries the tag, else 0;
- `paragraph` (with `document`): one row per paragraph, a tag's cell the number
  of segments with the tag that overlap the paragraph (or 1/0 for any/none);
- `document` alone: one row per document, a tag's cell the number of segments
  with the tag (or 1/0).

Any other layout fails, naming its columns, so the check is taught the new one
rather than passing it unread."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from common import Expected, standalone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def tag_columns(columns: list[str], expected: Expected) -> dict[str, str]:
    """Column → tag id, for the columns named by a tag's name or id (formula-safe or not)."""
    out = {}
    for t in expected.codebook:
        for label in (t["name"], t["id"]):
            for form in (label, "'" + label):
                if form in columns and form not in out:
                    out[form] = t["id"]
                    break
            else:
                continue
            break
    missing = [t["name"] for t in expected.codebook if t["id"] not in out.values()]
    assert not missing, f"no column for the tags {missing} (columns: {columns})"
    return out


def check_cell(value: int, count: int, where: str) -> None:
    assert value == count or (value == 1 and count > 0), f"{where}: {value}, expected {count} (or 1/0)"


def check(path: Path, expected: Expected) -> str:
    df = pd.read_csv(path)
    ex = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = list(df.columns)
    tags = tag_columns(cols, expected)
    for c in tags:
        assert df[c].dtype == "int64", f"tag column {c!r} is {df[c].dtype}, expected int64"
        assert (df[c] >= 0).all(), f"tag column {c!r} has a negative value"
    doc_col = next((c for c in ("document", "symbol", "id") if c in cols), None)

    def doc_of(row) -> str:
        key = row[doc_col]
        for d in expected.documents.values():
            if key in (d["id"], d["symbol"]):
                return d["id"]
        raise AssertionError(f"{doc_col} {key!r} names no document")

    if "annotation_id" in cols:
        assert len(df) == len(expected.annotations), f"{len(df)} rows, expected one per segment ({len(expected.annotations)})"
        seen = Counter(ex["annotation_id"])
        assert max(seen.values()) == 1, f"segment {seen.most_common(1)[0][0]} has two rows"
        for i, r in ex.iterrows():
            a = expected.by_id.get(r["annotation_id"])
            assert a is not None, f"row {i + 2}: {r['annotation_id']!r} is no live annotation"
            for c, t in tags.items():
                assert int(r[c]) == int(t in a["tags"]), f"row {i + 2}, {c!r}: {r[c]}, the segment's tags are {a['tags']}"
            if "start" in cols and "end" in cols:
                assert (int(r["start"]), int(r["end"])) == (a["start"], a["end"]), f"row {i + 2}: span differs"
        unit = "segment"
    elif "paragraph" in cols:
        assert doc_col, f"a paragraph matrix needs a document column (columns: {cols})"
        rows = 0
        by_doc = {}
        for i, r in ex.iterrows():
            by_doc.setdefault(doc_of(r), []).append((i, r))
        for doc, rs in by_doc.items():
            paras = expected.documents[doc]["paragraphs"]
            assert len(rs) == len(paras), f"{doc}: {len(rs)} rows, the document has {len(paras)} paragraphs"
            numbered = all(n is not None for n, _, _ in paras)
            for k, (i, r) in enumerate(rs):
                if numbered:
                    match = [p for p in paras if str(p[0]) == r["paragraph"]]
                    assert match, f"row {i + 2}: {doc} has no paragraph {r['paragraph']!r}"
                    _, s, e = match[0]
                else:
                    _, s, e = paras[k]
                for c, t in tags.items():
                    n = sum(1 for a in expected.annotations if a["doc"] == doc and t in a["tags"] and a["start"] < e and a["end"] > s)
                    check_cell(int(r[c]), n, f"row {i + 2} ({doc} ¶{r['paragraph']}), {c!r}")
                rows += 1
        coded = {d["id"] for d in expected.coded_documents}
        assert coded <= set(by_doc), f"no rows for {sorted(coded - set(by_doc))}"
        unit = "paragraph"
    elif doc_col:
        docs = [doc_of(r) for _, r in ex.iterrows()]
        assert len(set(docs)) == len(docs), "a document has two rows"
        assert {d["id"] for d in expected.coded_documents} <= set(docs), "a coded document has no row"
        for i, r in ex.iterrows():
            doc = docs[i]
            for c, t in tags.items():
                n = sum(1 for a in expected.annotations if a["doc"] == doc and t in a["tags"])
                check_cell(int(r[c]), n, f"row {i + 2} ({doc}), {c!r}")
        unit = "document"
    else:
        raise AssertionError(f"unrecognised matrix layout (columns: {cols}): teach tests/consumers/check_matrix.py its unit")
    return f"{len(df)} rows (one per {unit}) × {len(tags)} integer tag columns, every cell as coded"


if __name__ == "__main__":
    standalone(check, "usage: check_matrix.py MATRIX.csv [EXPECTED.json]")
