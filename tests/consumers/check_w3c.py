"""W3C Web Annotation: the exported AnnotationCollection passes the MUST
assertions of the W3C test suite (tests/schemas/web-annotation/, JSON Schema
draft-04, `$ref`s resolved locally, formats `uri` and `date-time` checked):
`collectionMusts.test` and `pageMusts.test` on the collection (with its
embedded first page), `annotationMusts.test` on every annotation (given the
collection's `@context`, as one taken out of it must carry). Then every
TextPositionSelector slices the document text (code points) to its
TextQuoteSelector's `exact`, and prefix/suffix are the text around it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from common import ROOT, Expected, same_counts, short, standalone

SCHEMAS = ROOT / "tests/schemas/web-annotation"
TESTS = {
    "collection": "collections/collectionMusts.test",
    "page": "collections/pages/pageMusts.test",
    "annotation": "annotations/annotationMusts.test",
}


class Musts:
    """The MUST assertions of the W3C Web Annotation tests, with a local resolver."""

    def __init__(self, root: Path = SCHEMAS):
        assert root.is_dir(), f"{root} is missing (the W3C Web Annotation test assertions)"
        resources = []
        self.assertions: dict[str, list[tuple[str, Draft4Validator]]] = {}
        schemas = {}
        for path in sorted(root.glob("**/*.json")):
            if "tools" in path.relative_to(root).parts:
                continue
            schema = json.loads(path.read_text(encoding="utf-8"))
            schemas[path.relative_to(root).as_posix()] = schema
            # Every schema names itself by file name ("id"); `$ref`s use those names.
            resources.append((schema.get("id", path.name), Resource.from_contents(schema, default_specification=DRAFT4)))
        registry = Registry().with_resources(resources)  # no retrieve: nothing is fetched
        checker = Draft4Validator.FORMAT_CHECKER
        for needed in ("uri", "date-time"):
            assert needed in checker.checkers, f"jsonschema cannot check format {needed!r}: install the pinned requirements"
        for kind, test in TESTS.items():
            listed = json.loads((root / test).read_text(encoding="utf-8"))["assertions"]
            assert listed, f"{test} lists no assertion"
            self.assertions[kind] = []
            for name in listed:
                schema = schemas.get(name)
                assert schema is not None, f"{test} lists {name}, which is missing"
                assert schema.get("expectedResult", "valid") == "valid", f"{name} expects an invalid result"
                v = Draft4Validator(schema, registry=registry, format_checker=checker)
                self.assertions[kind].append((name, v))

    def failures(self, kind: str, instance) -> list[str]:
        out = []
        for name, v in self.assertions[kind]:
            errors = list(v.iter_errors(instance))
            if errors:
                msg = v.schema.get("errorMessage", "")
                out.append(f"{name}: {msg} ({errors[0].message[:200]})")
        return out

    def count(self) -> int:
        return sum(len(v) for v in self.assertions.values())


def self_test(musts: Musts) -> int:
    """The harness itself: the W3C's own correct samples pass every MUST."""
    samples = sorted((SCHEMAS / "tools/samples/correct").glob("*.json"))
    assert samples, "no W3C sample annotations to test the harness with"
    kinds = {"Annotation": ["annotation"], "AnnotationCollection": ["collection", "page"], "AnnotationPage": ["page"]}
    for path in samples:
        sample = json.loads(path.read_text(encoding="utf-8"))
        for kind in kinds[sample["type"]]:
            if kind == "page" and sample["type"] == "AnnotationCollection" and not isinstance(sample.get("first"), dict):
                continue  # the page musts apply to a collection only with its first page embedded
            failed = musts.failures(kind, sample)
            assert not failed, f"the harness fails the W3C's correct sample {path.name} ({kind}): {failed[0]}"
    # And it does reject: an annotation without a target, with a bad id and time.
    bad = {"@context": "http://www.w3.org/ns/anno.jsonld", "id": "not a uri", "type": "Annotation", "created": "yesterday"}
    failed = musts.failures("annotation", bad)
    assert len(failed) >= 3, f"the harness accepts a broken annotation: only {failed}"
    return len(samples)


def check(path: Path, expected: Expected) -> str:
    musts = Musts()
    samples = self_test(musts)
    coll = json.loads(path.read_text(encoding="utf-8"))
    problems = [f"collection: {f}" for f in musts.failures("collection", coll)]
    problems += [f"page: {f}" for f in musts.failures("page", coll)]
    items = coll["first"]["items"]
    assert coll.get("total") == len(items), f"total is {coll.get('total')}, the page has {len(items)} items"
    names = set(expected.tag_name.values())
    found = Counter()
    for i, item in enumerate(items):
        standalone_item = {"@context": coll["@context"], **item}
        problems += [f"annotation {item.get('id')}: {f}" for f in musts.failures("annotation", standalone_item)]
        aid = item["id"].rsplit(":", 1)[-1]
        assert aid not in expected.deleted, f"item {i}: {item['id']} was deleted"
        a = expected.by_id.get(aid)
        assert a is not None, f"item {i}: {item['id']} is no live annotation"
        source = item["target"]["source"]
        doc = expected.documents.get(a["doc"])
        text = doc["text"]
        sel = {s["type"]: s for s in item["target"]["selector"]}
        pos, quote = sel["TextPositionSelector"], sel["TextQuoteSelector"]
        seg = text[pos["start"] : pos["end"]]
        assert seg == quote["exact"], f"item {i}: text[{pos['start']}:{pos['end']}] = {short(seg)}, exact is {short(quote['exact'])}"
        assert seg == a["quote"], f"item {i}: slices {short(seg)}, the annotation's quote is {short(a['quote'])}"
        assert text[: pos["start"]].endswith(quote.get("prefix", "")), f"item {i}: prefix {short(quote['prefix'])} is not the text before"
        assert text[pos["end"] :].startswith(quote.get("suffix", "")), f"item {i}: suffix {short(quote['suffix'])} is not the text after"
        assert doc["id"] in source or doc["id"] in unquote_urn(source), f"item {i}: source {source!r} does not name {doc['id']}"
        tagging = [b["value"] for b in item["body"] if b.get("purpose") == "tagging"]
        assert set(tagging) <= names, f"item {i}: tags {tagging} not in the codebook"
        memo = [b["value"] for b in item["body"] if b.get("purpose") == "commenting"]
        assert memo == ([a["memo"]] if a["memo"] else []), f"item {i}: memo {memo!r}, expected {a['memo']!r}"
        for t in tagging:
            found[(doc["id"], pos["start"], pos["end"], t)] += 1
    if problems:
        # One line per failing assertion, with how often and the first case.
        first: dict[str, str] = {}
        times = Counter()
        for p in problems:
            where, name, rest = p.split(": ", 2)
            key = f"{where.split(' ')[0]} {name}"
            times[key] += 1
            first.setdefault(key, f"{where}: {rest}"[:400])
        shown = "\n  ".join(f"{k} failed {n}x, first: {first[k]}" for k, n in times.items())
        raise AssertionError(f"{len(problems)} MUST assertion(s) failed:\n  {shown}")
    same_counts(found, expected.segments(name=True), "W3C tagging bodies")
    return (
        f"{len(items)} annotations pass {len(musts.assertions['annotation'])} MUST assertions each, "
        f"the collection {len(musts.assertions['collection']) + len(musts.assertions['page'])} "
        f"(harness checked on {samples} W3C samples); selectors slice the text"
    )


def unquote_urn(s: str) -> str:
    from urllib.parse import unquote

    return unquote(s)


if __name__ == "__main__":
    standalone(check, "usage: check_w3c.py COLLECTION.jsonld [EXPECTED.json]")
