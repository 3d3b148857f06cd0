"""Consumer checks: every export `marginalia export` writes, read by the
software that reads it (pandas, spaCy, JSON Schema, xmllint, brat's and Label
Studio's offset rules), against the fixture the generator wrote:

    python tests/consumers/run.py --cli target/debug/marginalia --dir target/consumers [FORMAT...]

`DIR/backup.json` and `DIR/expected.json` come from
`cargo run -p marginalia-core --example consumer_fixture -- DIR`
(`cargo xtask test consumers` does all of it). Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Expected  # noqa: E402

# The exports the CLI must write: each is exported and checked, and one the
# CLI does not write fails the run. Extend this list when a format lands.
REQUIRED = ["csv", "csv --bom", "matrix", "matrix --presence", "doccano", "spacy", "w3c", "labelstudio", "brat", "qdpx", "qdc"]

# Every export with a check: its name ("FORMAT [OPTIONS]") → (file or folder
# written with --out, module, keyword arguments of its check). One here but
# not in REQUIRED is checked when the CLI writes it and listed as pending when
# it does not yet.
CHECKS = {
    "csv": ("segments.csv", "check_csv", {}),
    "csv --bom": ("segments-bom.csv", "check_csv", {"bom": True}),
    "matrix": ("matrix.csv", "check_matrix", {}),
    "matrix --presence": ("matrix-presence.csv", "check_matrix", {"presence": True}),
    "doccano": ("doccano.jsonl", "check_doccano", {}),
    "spacy": ("spacy.jsonl", "check_spacy", {}),
    "w3c": ("annotations.jsonld", "check_w3c", {}),
    "labelstudio": ("labelstudio.json", "check_labelstudio", {}),
    "brat": ("brat", "check_brat", {}),
    "qdpx": ("project.qdpx", "check_refi", {}),
    "qdc": ("codebook.qdc", "check_refi", {}),
}

# Formats the CLI writes that no program but Marginalia (or a person) reads.
NOT_FOR_CONSUMERS = {"backup", "codebook-json", "codebook-md", "codebook-html"}


def cli_formats(cli: str) -> set[str]:
    """The export formats the CLI knows, from its answer to an unknown one:
    `unknown export format "?" (csv, matrix, ...)`."""
    err = subprocess.run([cli, "export", "--from", "-", "--format", "?"], capture_output=True, text=True).stderr
    m = re.search(r"unknown export format \S+ \(([^)]*)\)", err)
    return set(m.group(1).split(", ")) if m else set()


def export(cli: str, backup: Path, name: str, out: Path) -> tuple[str, str]:
    """('ok' | 'unknown' | 'failed', message)."""
    fmt, *options = name.split()
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    cmd = [cli, "export", "--from", str(backup), "--format", fmt, *options, "--out", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode == 0 and out.exists():
        return "ok", ""
    err = run.stderr.strip()
    if (run.returncode == 2 and "unknown" in err) or "not available yet" in err:
        return "unknown", err.splitlines()[0]
    return "failed", f"exit {run.returncode}: {err or 'no output written'} ({' '.join(cmd)})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True, help="the marginalia binary")
    ap.add_argument("--dir", required=True, type=Path, help="folder with backup.json and expected.json; exports go here")
    ap.add_argument("formats", nargs="*", help=f"only these, quoted with their options (default: all of {', '.join(CHECKS)})")
    args = ap.parse_args()
    unknown = [f for f in REQUIRED + args.formats if f not in CHECKS]
    if unknown:
        print(f"consumers: no check for {unknown}; known: {list(CHECKS)}", file=sys.stderr)
        return 2
    backup, exp = args.dir / "backup.json", args.dir / "expected.json"
    for f in (backup, exp):
        if not f.exists():
            print(f"consumers: {f} is missing; run the fixture generator first (see --help)", file=sys.stderr)
            return 2
    expected = Expected(exp)
    print(
        f"fixture: {len(expected.documents)} documents, {len(expected.annotations)} live annotations, "
        f"{expected.segment_rows()} segment-tag pairs, {len(expected.deleted)} deleted"
    )
    passed, failed, pending = [], [], []
    for fmt in args.formats or list(CHECKS):
        name, module, kwargs = CHECKS[fmt]
        out = args.dir / name
        t0 = time.monotonic()
        status, msg = export(args.cli, backup, fmt, out)
        if status == "unknown":
            if fmt in REQUIRED:
                failed.append(fmt)
                print(f"FAIL    {fmt:18} required, but `marginalia export` does not know it: {msg}")
            else:
                pending.append(fmt)
                print(f"PENDING {fmt:18} not checked: `marginalia export` does not write it yet")
            continue
        if status == "failed":
            failed.append(fmt)
            print(f"FAIL    {fmt:18} export failed: {msg}")
            continue
        try:
            summary = __import__(module).check(out, expected, **kwargs)
        except AssertionError as e:
            failed.append(fmt)
            print(f"FAIL    {fmt:18} {out.name}: {e}")
            continue
        passed.append(fmt)
        print(f"ok      {fmt:18} {summary} ({time.monotonic() - t0:.1f} s)")
    unchecked = sorted(cli_formats(args.cli) - {c.split()[0] for c in CHECKS} - NOT_FOR_CONSUMERS)
    if unchecked:
        print(f"note: `marginalia export` also writes {unchecked}, which no consumer check reads")
    if pending:
        print(f"pending (checks written, formats not exported yet): {', '.join(pending)}")
    print(f"consumers: {len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
