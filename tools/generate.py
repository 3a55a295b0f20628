"""Build `generated/together_batches_api` from `spec/`, or check that it is up to date.

    python tools/generate.py            # regenerate generated/ in place
    python tools/generate.py --check    # regenerate into a temporary directory and compare
    python tools/generate.py --spec DIR --out DIR   # generate another spec elsewhere (tests)

The generator (openapi-python-client) and the formatter it calls (ruff) are pinned in
requirements/dev.lock: both decide the bytes of the output.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "together_batches_api"


def generate(spec_dir: Path, out_dir: Path) -> Path:
    """Generate the package from `spec_dir` into `out_dir/PACKAGE` and return that path."""
    target = out_dir / PACKAGE
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [
        str(bin_dir / "openapi-python-client"),
        "generate",
        "--path",
        str(spec_dir / "openapi.yaml"),
        "--config",
        str(spec_dir / "config.yaml"),
        "--custom-template-path",
        str(spec_dir / "templates"),
        "--meta",
        "none",
        "--output-path",
        str(target),
        "--overwrite",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (target / "__init__.py").exists():
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"openapi-python-client failed on {spec_dir}")
    # --meta none writes no packaging files; the package is typed, so mark it (PEP 561).
    (target / "py.typed").write_text("")
    return target


def differences(left: Path, right: Path) -> list[str]:
    """Relative paths of files that differ, or exist on one side only."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in cmp.left_only + cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in sorted(cmp.subdirs.items()):
            walk(sub, f"{prefix}{name}/")

    ignore = ["__pycache__", ".ruff_cache", ".mypy_cache"]
    walk(filecmp.dircmp(left, right, ignore=ignore), "")
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--spec", type=Path, default=ROOT / "spec")
    parser.add_argument("--out", type=Path, default=ROOT / "generated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="together-gen-") as tmp:
        fresh = generate(args.spec, Path(tmp))
        current = args.out / PACKAGE
        if args.check:
            drift = differences(current, fresh) if current.exists() else [f"{PACKAGE}/"]
            if drift:
                print(f"generated/ is out of date with spec/ ({len(drift)} files):")
                for name in drift:
                    print(f"  generated/{PACKAGE}/{name}")
                print("Run `make generate` and commit the result.")
                return 1
            print("generated/ matches spec/.")
            return 0
        if current.exists():
            shutil.rmtree(current)
        args.out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(fresh, current)
    print(f"wrote {current.relative_to(ROOT) if current.is_relative_to(ROOT) else current}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
