"""Rebuild the bundled national snapshot in data/snapshot/ from the raw files in data/raw/.

    python scripts/build_snapshot.py [--raw DIR] [--out DIR]

Run it after the raw files change; commit the result. Exit 1 when a cross-check between
sources fails (nothing is written then).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dih_dash.settings import PROJECT_ROOT
from dih_dash.sources import snapshot_build


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=snapshot_build.DEFAULT_RAW_DIR)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "data" / "snapshot")
    args = parser.parse_args()
    if not args.raw.is_dir():
        print(f"No raw data folder at {args.raw}; pass --raw DIR.", file=sys.stderr)
        return 1
    try:
        snapshot = snapshot_build.build(args.raw)
    except snapshot_build.SnapshotCheckError as exc:
        print(f"Snapshot not written: {exc}", file=sys.stderr)
        return 1
    manifest = snapshot_build.write(snapshot, args.out, args.raw)
    for name, entry in manifest["datasets"].items():
        print(
            f"{name:12} {entry['rows']:6d} rows  "
            f"periods {entry['periods'][0]}-{entry['periods'][1]}"
        )
    print(f"targets      {manifest['targets']['rows']:6d} rows")
    for check in manifest["checks"]:
        print(f"check: {check}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
