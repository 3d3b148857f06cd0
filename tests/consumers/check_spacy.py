"""spaCy / Prodigy JSONL: `spacy.blank("en")` makes each text a Doc, every span
becomes a Span with `doc.char_span(start, end, alignment_mode="expand")` (spaCy
counts characters as Python does: code points), all spans go into
`doc.spans["sc"]` (overlaps kept) and come back unchanged through a DocBin."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from common import Expected, same_counts, short, standalone


def check(path: Path, expected: Expected) -> str:
    nlp = spacy.blank("en")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(expected.coded_documents), f"{len(lines)} lines, expected {len(expected.coded_documents)}"
    docbin = DocBin(store_user_data=True)
    made = []
    found = Counter()
    for n, line in enumerate(lines, 1):
        obj = json.loads(line)
        text = obj["text"]
        doc_id = obj["meta"]["id"]
        exp = expected.document_with_text(text, f"line {n}")
        assert doc_id == exp["id"], f"line {n}: meta.id {doc_id!r}, its text is {exp['id']}'s"
        assert obj["meta"].get("text_sha256") == exp["text_sha256"], f"line {n}: meta.text_sha256 differs"
        doc = nlp.make_doc(text)
        assert doc.text == text
        spans = []
        for sp in obj["spans"]:
            s, e, label = sp["start"], sp["end"], sp["label"]
            seg = text[s:e]
            quotes = {a["quote"] for a in expected.annotations if (a["doc"], a["start"], a["end"]) == (doc_id, s, e)}
            assert seg in quotes, f"line {n}: text[{s}:{e}] = {short(seg)} is no annotation's quote at that span"
            span = doc.char_span(s, e, label=label, alignment_mode="expand")
            assert span is not None, f"line {n}: spaCy makes no span of {s}..{e} {short(seg)}"
            assert span.start_char <= s and span.end_char >= e, f"line {n}: span {span.start_char}..{span.end_char} does not cover {s}..{e}"
            assert seg in span.text, f"line {n}: span text {short(span.text)} does not contain {short(seg)}"
            spans.append(span)
            found[(doc_id, s, e, label)] += 1
        doc.spans["sc"] = spans
        doc.user_data["id"] = doc_id
        docbin.add(doc)
        made.append([(x.start_char, x.end_char, x.label_) for x in spans])
    same_counts(found, expected.segments(name=True), "spaCy spans")

    back = list(DocBin(store_user_data=True).from_bytes(docbin.to_bytes()).get_docs(nlp.vocab))
    assert len(back) == len(made), f"the DocBin gave {len(back)} docs back, not {len(made)}"
    overlapping = 0
    for doc, spans in zip(back, made):
        got = [(x.start_char, x.end_char, x.label_) for x in doc.spans["sc"]]
        assert got == spans, f"{doc.user_data.get('id')}: spans changed through the DocBin ({len(got)} vs {len(spans)})"
        tokens = sorted((x.start, x.end) for x in doc.spans["sc"])
        overlapping += sum(1 for a, b in zip(tokens, tokens[1:]) if b[0] < a[1])
    assert overlapping > 0, "no overlapping spans survived: the fixture has many"
    return f"{len(back)} docs, {sum(found.values())} spans through a DocBin ({overlapping} overlaps kept)"


if __name__ == "__main__":
    standalone(check, "usage: check_spacy.py SPACY.jsonl [EXPECTED.json]")
