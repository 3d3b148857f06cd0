"""Paragraph × tag matrix CSV, read by pandas: one row per paragraph and
footnote of every exported document and coder, in text order (`kind`,
`number`; headings have no row; the coders of a block side by side, in name
order), one integer column per tag of the codebook headed by its name; a cell
is how many of the coder's segments with the tag overlap the block (0/1 with
`--presence`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from common import Expected, standalone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def header(name: str) -> str:
    return "'" + name if name.lstrip("'").startswith(FORMULA_START) else name


def check(path: Path, expected: Expected, presence: bool = False) -> str:
    df = pd.read_csv(path)
    ex = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = list(df.columns)
    tags = {header(t["name"]): t["id"] for t in expected.codebook}
    missing = [c for c in tags if c not in cols]
    assert not missing, f"no column for the tags {missing} (columns: {cols})"
    assert cols[-len(tags):] == list(tags), f"the tag columns are not the codebook's, in its order: {cols[-len(tags):]}"
    for c in tags:
        assert df[c].dtype == "int64", f"tag column {c!r} is {df[c].dtype}, expected int64"
    for c in ("document", "kind", "number", "text_sha256", "coder"):
        assert c in cols, f"no column {c!r}"
    # The rows: every paragraph and footnote of the coded documents, in order, for each coder
    # who coded the document (no rows of zeros for a text a coder did not code).
    want, all_coders = [], set()
    for d in expected.coded_documents:
        coders = sorted({a["coder"] for a in expected.annotations if a["doc"] == d["id"]}, key=lambda c: c.encode()) or [""]
        all_coders.update(coders)
        for kind, number, s, e in d["blocks"]:
            if kind != "heading":
                for coder in coders:
                    want.append((d["id"], kind, "" if number is None else str(number), coder, s, e))
    coders = sorted(all_coders)
    got = list(zip(ex["document"], ex["kind"], ex["number"], ex["coder"]))
    assert len(got) == len(want), (
        f"{len(got)} rows, expected {len(want)} (paragraphs and footnotes of {len(expected.coded_documents)} documents, {len(coders)} coders)"
    )
    for i, ((doc, kind, number, coder), (wdoc, wkind, wnumber, wcoder, s, e)) in enumerate(zip(got, want)):
        where = f"row {i + 2}"
        assert (doc, kind, number, coder) == (wdoc, wkind, wnumber, wcoder), (
            f"{where}: {doc} {kind} {number!r} {coder!r}, expected {wdoc} {wkind} {wnumber!r} {wcoder!r}"
        )
        assert ex["text_sha256"][i] == expected.documents[doc]["text_sha256"], f"{where}: text_sha256 is not {doc}'s"
        assert ex["title"][i] == header(expected.documents[doc]["full_title"]), f"{where}: title {ex['title'][i]!r} is not {doc}'s"
        for c, t in tags.items():
            n = sum(
                1
                for a in expected.annotations
                if a["doc"] == doc and a["coder"] == coder and t in a["tags"] and a["start"] < e and a["end"] > s
            )
            want_cell = int(n > 0) if presence else n
            assert int(df[c][i]) == want_cell, f"{where} ({doc} {kind} {number}), {c!r}: {df[c][i]}, expected {want_cell}"
    return f"{len(df)} rows (paragraphs and footnotes × {len(coders)} coders) × {len(tags)} integer tag columns, every cell as coded" + (
        " (0/1)" if presence else " (counts)"
    )


if __name__ == "__main__":
    import sys

    presence = "--presence" in sys.argv
    if presence:
        sys.argv.remove("--presence")
    standalone(lambda p, e: check(p, e, presence), "usage: check_matrix.py MATRIX.csv [EXPECTED.json] [--presence]")
