"""brat standoff folder: every `.ann` beside its `.txt`; each text-bound
annotation's fragments (`start end;start end`, code points, as brat's Python
server counts) slice the `.txt`, joined by spaces, to the annotation's text,
never across a line break; labels are the entities of `annotation.conf`;
notes (AnnotatorNotes, and Marginalia's records as JSON) point to existing
annotations."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from common import Expected, same_counts, short, standalone

T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
NOTE_LINE = re.compile(r"^(#\d+)\t(\S+) (T\d+)\t(.*)$")


def entities(conf: Path) -> set[str]:
    section, out = None, set()
    for line in conf.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line and not line.startswith("#") and section == "entities":
            out.add(line.split("\t")[0])
    return out


def check(path: Path, expected: Expected) -> str:
    assert path.is_dir(), f"{path} is not a folder"
    conf = path / "annotation.conf"
    assert conf.exists(), "no annotation.conf"
    labels = entities(conf)
    label_of = {re.sub(r"[^\w-]", "_", t): t for t in expected.tag_name}
    assert set(label_of) <= labels, f"annotation.conf lacks entities {sorted(set(label_of) - labels)}"
    # visual.conf shows each type by its tag's name (brat's `type | label` lines).
    visual = path / "visual.conf"
    assert visual.exists(), "no visual.conf"
    shown, section = {}, None
    for line in visual.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line and not line.startswith("#") and section == "labels":
            kind, _, name = line.partition("|")
            shown[kind.strip()] = name.strip()
    for label, tag in label_of.items():
        want = " ".join(expected.tag_name[tag].replace("|", " ").split())
        assert " ".join(shown.get(label, "").split()) == want, f"visual.conf shows {label} as {shown.get(label)!r}, not {want!r}"
    anns = sorted(path.glob("*.ann"))
    assert len(anns) == len(expected.coded_documents), f"{len(anns)} .ann files, expected {len(expected.coded_documents)}"
    found = Counter()
    for ann in anns:
        txt = ann.with_suffix(".txt")
        assert txt.exists(), f"{ann.name} has no {txt.name}"
        raw = txt.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{txt.name} starts with a BOM, which would shift every offset"
        text = raw.decode("utf-8")
        doc = expected.document_with_text(text, txt.name)
        tids = set()
        # Lines as brat's server reads them: universal newlines (\n, \r\n, \r), nothing else.
        body = ann.read_text(encoding="utf-8")
        assert body.endswith("\n") or not body, f"{ann.name} does not end with a newline"
        for n, line in enumerate(body.split("\n")[:-1], 1):
            where = f"{ann.name}:{n}"
            if line.startswith("T"):
                m = T_LINE.match(line)
                assert m, f"{where}: not a text-bound annotation line: {short(line)}"
                tid, label, offsets, shown = m.groups()
                assert label in labels, f"{where}: label {label!r} is not an entity of annotation.conf"
                frags = [tuple(map(int, f.split())) for f in offsets.split(";")]
                for s, e in frags:
                    assert 0 <= s < e <= len(text), f"{where}: fragment {s} {e} outside the text"
                    assert "\n" not in text[s:e], f"{where}: fragment {s} {e} crosses a line break"
                joined = " ".join(text[s:e] for s, e in frags)
                assert joined == shown, f"{where}: fragments slice {short(joined)}, the line shows {short(shown)}"
                start, end = frags[0][0], frags[-1][1]
                quotes = [a["quote"] for a in expected.annotations if (a["doc"], a["start"], a["end"]) == (doc["id"], start, end)]
                assert quotes, f"{where}: no annotation of {doc['id']} spans {start}..{end}"
                assert text[start:end] == quotes[0], f"{where}: text[{start}:{end}] is not the annotation's quote"
                assert all(not text[e:s].strip() for (_, e), (s, _) in zip(frags, frags[1:])), f"{where}: a gap between fragments holds text"
                found[(doc["id"], start, end, label_of.get(label, label))] += 1
                tids.add(tid)
            elif line.startswith("#"):
                m = NOTE_LINE.match(line)
                assert m, f"{where}: not a note line (#N, type, T id, text): {short(line)}"
                _, kind, ref, body = m.groups()
                assert ref in tids, f"{where}: note on {ref}, which is not defined above it"
                if kind == "Marginalia":
                    # The annotation's own record, as one line of JSON.
                    rec = json.loads(body)
                    a = expected.by_id.get(rec["id"])
                    assert a is not None, f"{where}: record of {rec['id']!r}, no live annotation"
                    assert (rec["start"], rec["end"], rec["memo"]) == (a["start"], a["end"], a["memo"]), f"{where}: record differs"
                else:
                    assert kind == "AnnotatorNotes", f"{where}: note of type {kind!r}"
            else:
                raise AssertionError(f"{where}: unexpected line {short(line)}")
    same_counts(found, expected.segments(), "brat text-bound annotations")
    return f"{len(anns)} .ann/.txt pairs, {sum(found.values())} annotations slice their .txt"


if __name__ == "__main__":
    standalone(check, "usage: check_brat.py BRAT_FOLDER [EXPECTED.json]")
