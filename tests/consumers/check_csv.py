"""Segments CSV, read by pandas: types, row count, and every offset column
slicing the document text to the segment's text (code points, UTF-16 units,
UTF-8 bytes)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
from pandas.api import types

from common import Expected, same_counts, short, slice_utf8, slice_utf16, standalone

OFFSETS = ["start", "end", "start_utf16", "end_utf16", "start_utf8", "end_utf8"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def as_written(cell: str) -> str:
    """A text as a formula-safe CSV cell: a leading `'` where a spreadsheet would run
    it (also before apostrophes that precede such a character, so it can be undone)."""
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_START) else cell


def check(path: Path, expected: Expected, bom: bool = False) -> str:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom, "a byte order mark " + ("is missing" if bom else "is there unasked")
    # As most people read it: pandas infers the types (Excel's BOM read as such).
    df = pd.read_csv(path, encoding="utf-8-sig" if bom else "utf-8")
    assert df.columns[0] == "annotation_id", f"first column {df.columns[0]!r}"
    rows = expected.segment_rows()
    assert len(df) == rows, f"pandas read {len(df)} rows, expected {rows} (one per annotation and tag)"
    for col in OFFSETS:
        assert df[col].dtype == "int64", f"column {col} is {df[col].dtype}, expected int64"
    assert types.is_numeric_dtype(df["ordinal"]), f"column ordinal is {df['ordinal'].dtype}, expected numeric"
    for col in ["annotation_id", "document", "tag", "text", "tag_id", "text_sha256"]:
        assert types.is_string_dtype(df[col]) or df[col].dtype == object, f"column {col} is {df[col].dtype}, expected text"
    # The paragraph numbers to filter on are numbers (empty outside numbered paragraphs).
    for col in ["paragraph_first", "paragraph_last"]:
        assert types.is_numeric_dtype(df[col]), f"column {col} is {df[col].dtype}, expected numeric"
    numbered = df[df["paragraph_first"].notna()]
    assert not numbered.empty, "no row in a numbered paragraph"
    assert ((numbered["paragraph_first"] % 1 == 0) & (numbered["paragraph_first"] <= numbered["paragraph_last"])).all(), "paragraph_first/last"
    reports = df[df["symbol"].notna()]
    assert not reports.empty, "no row of a built-in report"
    dates = pd.to_datetime(reports["date"], format="%Y-%m-%d")
    assert dates.notna().all(), "a report's date does not parse as YYYY-MM-DD"
    for _, r in reports.drop_duplicates("document").iterrows():
        d = expected.documents[r["document"]]
        assert int(r["ordinal"]) == d["ordinal"], f"{d['id']}: ordinal {r['ordinal']} != {d['ordinal']}"

    # Exactly as written: every cell a string, nothing turned into NaN.
    ex = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig" if bom else "utf-8")
    assert list(ex.columns) == list(df.columns)
    found = Counter()
    for i, r in ex.iterrows():
        line = i + 2  # the header is line 1
        a = expected.by_id.get(r["annotation_id"])
        assert a is not None, f"row {line}: annotation {r['annotation_id']!r} is not a live annotation of the backup" + (
            " (it was deleted)" if r["annotation_id"] in expected.deleted else ""
        )
        doc = expected.documents[r["document"]]
        text = doc["text"]
        assert r["text_sha256"] == doc["text_sha256"], f"row {line}: text_sha256 is not that of {doc['id']}'s text"
        s, e = int(r["start"]), int(r["end"])
        seg = text[s:e]
        assert (s, e) == (a["start"], a["end"]), f"row {line}: span {s}..{e}, the annotation's is {a['start']}..{a['end']}"
        assert seg == a["quote"], f"row {line}: text[{s}:{e}] = {short(seg)}, the annotation's quote is {short(a['quote'])}"
        assert r["text"] == as_written(seg), f"row {line}: text cell {short(r['text'])}, expected {short(as_written(seg))}"
        u = slice_utf16(text, int(r["start_utf16"]), int(r["end_utf16"]))
        assert u == seg, f"row {line}: UTF-16 {r['start_utf16']}..{r['end_utf16']} slices {short(u)}, not {short(seg)}"
        b = slice_utf8(text, int(r["start_utf8"]), int(r["end_utf8"]))
        assert b == seg, f"row {line}: UTF-8 {r['start_utf8']}..{r['end_utf8']} slices {short(b)}, not {short(seg)}"
        assert r["memo"] == as_written(a["memo"]), f"row {line}: memo {short(r['memo'])}, expected {short(as_written(a['memo']))}"
        # `tag` is the tag's name now; `tag_id` the id it keeps through renames.
        tag = next((t for t in a["tags"] if as_written(t) == r["tag_id"]), None)
        assert tag is not None, f"row {line}: tag_id {r['tag_id']!r} is not one of the annotation's {a['tags']}"
        name = expected.tag_name[tag]
        assert r["tag"] == as_written(name), f"row {line}: tag {r['tag']!r}, expected the name {as_written(name)!r}"
        assert r["coder"] == as_written(a["coder"]), f"row {line}: coder {r['coder']!r}"
        assert r["symbol"] == (doc["symbol"] or ""), f"row {line}: symbol {r['symbol']!r}"
        assert r["title"] == as_written(doc["full_title"]), f"row {line}: title {r['title']!r}, expected {doc['full_title']!r}"
        first, last = r["paragraph_first"], r["paragraph_last"]
        label = "" if not first else first if first == last else f"{first}-{last}"
        assert r["paragraphs"] == label, f"row {line}: paragraphs {r['paragraphs']!r}, paragraph_first/last {first!r}/{last!r}"
        # The citation a draft takes: "S/2019/103 ¶12", "¶17–18" across paragraphs.
        if doc["symbol"] and first:
            cited = f"{doc['symbol']} ¶{first}" if first == last else f"{doc['symbol']} ¶{first}–{last}"
            assert r["citation"] == cited, f"row {line}: citation {r['citation']!r}, expected {cited!r}"
        else:
            assert r["citation"].startswith(as_written(doc["title"])), f"row {line}: citation {r['citation']!r}, not of {doc['title']!r}"
        found[(r["document"], s, e, tag)] += 1
    same_counts(found, expected.segments(), "segments CSV rows")
    return f"{len(df)} rows; types, offsets in 3 units and texts exact" + (" (with a BOM)" if bom else "")


if __name__ == "__main__":
    standalone(check, "usage: check_csv.py SEGMENTS.csv [EXPECTED.json]")
