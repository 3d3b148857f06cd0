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
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Expected  # noqa: E402

# The formats the CLI must export: each is exported and checked, and one the
# CLI does not know fails the run. Extend this list when a format lands.
REQUIRED = ["csv", "doccano", "spacy", "w3c", "labelstudio", "brat"]

# Every format with a check: (file or folder written with --out, module).
# A format here but not in REQUIRED is checked when the CLI exports it and
# listed as pending when it does not yet.
CHECKS = {
    "csv": ("segments.csv", "check_csv"),
    "matrix": ("matrix.csv", "check_matrix"),
    "doccano": ("doccano.jsonl", "check_doccano"),
    "spacy": ("spacy.jsonl", "check_spacy"),
    "w3c": ("annotations.jsonld", "check_w3c"),
    "labelstudio": ("labelstudio.json", "check_labelstudio"),
    "brat": ("brat", "check_brat"),
    "qdpx": ("project.qdpx", "check_refi"),
    "qdc": ("codebook.qdc", "check_refi"),
}


def cli_formats(cli: str) -> set[str]:
    """The export formats the CLI's usage names (`--format a|b|c` on the export line)."""
    out = subprocess.run([cli, "--help"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "export" in line and "--format" in line:
            return set(line.split("--format", 1)[1].split()[0].split("|"))
    return set()


def export(cli: str, backup: Path, fmt: str, out: Path) -> tuple[str, str]:
    """('ok' | 'unknown' | 'failed', message)."""
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    run = subprocess.run([cli, "export", "--from", str(backup), "--format", fmt, "--out", str(out)], capture_output=True, text=True)
    if run.returncode == 0 and out.exists():
        return "ok", ""
    err = run.stderr.strip()
    if run.returncode == 2 and "unknown" in err and fmt in err:
        return "unknown", err.splitlines()[0]
    return "failed", f"exit {run.returncode}: {err or 'no output written'}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True, help="the marginalia binary")
    ap.add_argument("--dir", required=True, type=Path, help="folder with backup.json and expected.json; exports go here")
    ap.add_argument("formats", nargs="*", help=f"only these (default: all of {', '.join(CHECKS)})")
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
        name, module = CHECKS[fmt]
        out = args.dir / name
        t0 = time.monotonic()
        status, msg = export(args.cli, backup, fmt, out)
        if status == "unknown":
            if fmt in REQUIRED:
                failed.append(fmt)
                print(f"FAIL    {fmt:12} required, but `marginalia export` does not know it: {msg}")
            else:
                pending.append(fmt)
                print(f"PENDING {fmt:12} not checked: `marginalia export` does not write it yet")
            continue
        if status == "failed":
            failed.append(fmt)
            print(f"FAIL    {fmt:12} export failed: {msg}")
            continue
        try:
            summary = __import__(module).check(out, expected)
        except AssertionError as e:
            failed.append(fmt)
            print(f"FAIL    {fmt:12} {out.name}: {e}")
            continue
        passed.append(fmt)
        print(f"ok      {fmt:12} {summary} ({time.monotonic() - t0:.1f} s)")
    unchecked = sorted(cli_formats(args.cli) - set(CHECKS))
    if unchecked:
        print(f"note: `marginalia export` also writes {unchecked}, which no consumer check reads")
    if pending:
        print(f"pending (checks written, formats not exported yet): {', '.join(pending)}")
    print(f"consumers: {len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
