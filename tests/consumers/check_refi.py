"""REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette): the `.qdpx`'s
`project.qde` and the `.qdc` codebook validate against the standard's schemas
(xmllint, tests/schemas/refi-qda/), every GUID a project refers to exists, and
each PlainTextSelection's startPosition/endPosition (characters: code points)
slices its source's plain text to the coded segment."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

from common import ROOT, Expected, same_counts, short, standalone

SCHEMAS = ROOT / "tests/schemas/refi-qda"
PROJECT = "{urn:QDA-XML:project:1.0}"
CODEBOOK = "{urn:QDA-XML:codebook:1.0}"


def xmllint(xml: Path, xsd: Path) -> None:
    exe = shutil.which("xmllint")
    assert exe, "xmllint is not installed (Debian: apt-get install libxml2-utils)"
    assert xsd.exists(), f"{xsd.relative_to(ROOT)} is missing (the REFI-QDA schema, copied with the REFI-QDA export)"
    run = subprocess.run([exe, "--noout", "--schema", str(xsd), str(xml)], capture_output=True, text=True)
    if run.returncode != 0:
        errors = [l for l in run.stderr.splitlines() if l.strip()]
        raise AssertionError(f"{xml.name} does not validate against {xsd.name} ({len(errors)} lines):\n  " + "\n  ".join(errors[:8]))


def codes(root: ET.Element, ns: str) -> dict[str, str]:
    """GUID → name of every code, nested ones included."""
    return {c.get("guid"): c.get("name") for c in root.iter(f"{ns}Code")}


def check_qdc(path: Path, expected: Expected) -> str:
    xmllint(path, SCHEMAS / "Codebook.xsd")
    root = ET.parse(path).getroot()
    assert root.tag == f"{CODEBOOK}CodeBook", f"root element {root.tag}, expected CodeBook"
    found = codes(root, CODEBOOK)
    names = [t["name"] for t in expected.codebook]
    assert sorted(found.values()) == sorted(names), f"codes {sorted(found.values())}, the codebook's tags are {sorted(names)}"
    assert len(set(found)) == len(found), "two codes share a GUID"
    return f"{len(found)} codes; validates against Codebook.xsd"


def check_qdpx(path: Path, expected: Expected) -> str:
    work = path.with_suffix(".unzipped")
    shutil.rmtree(work, ignore_errors=True)
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        assert bad is None, f"{path.name}: {bad} is damaged"
        names = z.namelist()
        assert "project.qde" in names, f"{path.name} has no project.qde at its root (it has {names[:5]})"
        for n in names:
            assert not n.startswith("/") and ".." not in Path(n).parts, f"{path.name}: unsafe member name {n!r}"
        z.extractall(work)
    qde = work / "project.qde"
    xmllint(qde, SCHEMAS / "Project.xsd")
    root = ET.parse(qde).getroot()
    assert root.tag == f"{PROJECT}Project", f"root element {root.tag}, expected Project"
    code_names = codes(root, PROJECT)
    assert sorted(code_names.values()) == sorted(t["name"] for t in expected.codebook), "the project's codes are not the codebook's tags"
    users = {u.get("guid") for u in root.iter(f"{PROJECT}User")}
    found = Counter()
    sources = list(root.iter(f"{PROJECT}TextSource"))
    assert len(sources) == len(expected.coded_documents), f"{len(sources)} text sources, expected {len(expected.coded_documents)}"
    for src in sources:
        name = src.get("name")
        inline = src.find(f"{PROJECT}PlainTextContent")
        ref = src.get("plainTextPath")
        assert (inline is None) != (ref is None), f"source {name!r}: exactly one of PlainTextContent and plainTextPath must be given"
        if ref is not None:
            assert ref.startswith("internal://"), f"source {name!r}: plainTextPath {ref!r} is not inside the project"
            file = work / "sources" / ref[len("internal://") :]
            assert file.exists(), f"source {name!r}: {ref} is not in the .qdpx's sources/"
            text = file.read_bytes().decode("utf-8-sig")
        else:
            text = inline.text or ""
        doc = expected.document_with_text(text, f"source {name!r}")
        for sel in src.iter(f"{PROJECT}PlainTextSelection"):
            s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= s < e <= len(text), f"source {name!r}: selection {s}..{e} outside a text of {len(text)} characters"
            quotes = [a["quote"] for a in expected.annotations if (a["doc"], a["start"], a["end"]) == (doc["id"], s, e)]
            assert quotes, f"source {name!r}: no annotation of {doc['id']} spans {s}..{e} ({short(text[s:e])})"
            assert text[s:e] == quotes[0], f"source {name!r}: {s}..{e} slices {short(text[s:e])}, not {short(quotes[0])}"
            for who in [sel.get("creatingUser")] + [c.get("creatingUser") for c in sel.iter(f"{PROJECT}Coding")]:
                assert who is None or who in users, f"source {name!r}: user {who} is not among the project's Users"
            for cref in sel.iter(f"{PROJECT}CodeRef"):
                target = cref.get("targetGUID")
                assert target in code_names, f"source {name!r}: CodeRef to {target}, which is no code"
                found[(doc["id"], s, e, code_names[target])] += 1
    same_counts(found, expected.segments(name=True), "REFI-QDA codings")
    return f"{len(sources)} sources, {sum(found.values())} codings slice their text; project.qde validates against Project.xsd"


def check(path: Path, expected: Expected) -> str:
    return check_qdc(path, expected) if path.suffix == ".qdc" else check_qdpx(path, expected)


if __name__ == "__main__":
    standalone(check, "usage: check_refi.py PROJECT.qdpx|CODEBOOK.qdc [EXPECTED.json]")
