#!/usr/bin/env python3
"""Records what the real Alembic says about each migration history of fixtures/alembic/.

`src/manifest/alembic.rs` finds an Alembic project's migration scripts and reads their
revision identifiers without running Python; `src/engine/migrations.rs` builds the revision
graph from them as Alembic's `RevisionMap` does (heads, merges, branch labels, `depends_on`)
and says what `alembic upgrade heads` would apply to a database at a given revision. This
script is the evidence: for every case directory `fixtures/alembic/<case>/` (a tiny Alembic
project: `alembic.ini` or `[tool.alembic]` in `pyproject.toml`, an `env.py`, scripts) it runs
the pinned Alembic of .ci/requirements.txt and records into fixtures/alembic/recorded.json:

- `heads` and `history`: the `alembic heads` and `alembic history` commands run in the case's
  directory, as a user runs them: their exit status and output lines, and, when they fail, the
  last line of the error (a `KeyError` for a `down_revision` naming no script);
- `scripts`: the scripts Alembic loads, in its load order, each with its file (relative to the
  case) and revision;
- `map`: the revision map through Alembic's API: `heads` (`RevisionMap.heads`, which
  `alembic heads` prints), each head's branch labels, the warnings it gave (a revision present
  more than once), or the error that stopped it;
- `pending`: for a database at each revision (and at none, `<base>`), the revisions
  `alembic upgrade heads` would apply (`ScriptDirectory._upgrade_revs`, what the upgrade
  command runs), in order, or the error Alembic stops with (an unknown revision).

`tests/alembic_corpus.rs` holds deploycheck's reading to this recording, so `cargo test` needs
no Python.

    python scripts/alembic_corpus.py --write    # regenerate recorded.json
    python scripts/alembic_corpus.py --check    # regenerate in memory, diff, exit 1

It must run in a virtual environment with the pinned packages; it refuses other versions.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

# Distribution name -> the version the recording is of (.ci/requirements.txt pins the same).
PINNED = {
    "alembic": "1.20.1",
    "Mako": "1.4.3",
    "MarkupSafe": "3.0.4",
    "SQLAlchemy": "2.1.9",
}
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "alembic"
RECORDING = CORPUS / "recorded.json"
# A revision no case has, to record how Alembic answers a database at an unknown revision.
UNKNOWN = "f00d"


def installed_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in PINNED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def run_command(case: Path, command: str) -> dict:
    # Only PATH and HOME: no ALEMBIC_CONFIG from the caller's shell. No bytecode: the cases
    # are tracked files, and a __pycache__ written beside them would change on every run.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(case),
        "PYTHONWARNINGS": "ignore",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "alembic", command],
        cwd=case,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    result = {"exit": done.returncode, "stdout": done.stdout.splitlines()}
    if done.returncode != 0:
        result["error"] = last_error_line(done.stderr)
    return result


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def through_the_api(case: Path) -> dict:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    previous = Path.cwd()
    os.chdir(case)
    try:
        ini = case / "alembic.ini"
        config = Config(
            file_=str(ini) if ini.exists() else None,
            toml_file=str(case / "pyproject.toml"),
        )
        script = ScriptDirectory.from_config(config)
        recorded: dict = {}
        loaded = list(script._load_revisions())
        recorded["scripts"] = [
            {
                "file": Path(found.path).resolve().relative_to(case.resolve()).as_posix(),
                "revision": found.revision,
            }
            for found in loaded
        ]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                revision_map = script.revision_map
                heads = list(revision_map.heads)
                recorded["map"] = {
                    "heads": sorted(heads),
                    "labels": {
                        head: sorted(revision_map.get_revision(head).branch_labels)
                        for head in sorted(set(heads))
                    },
                }
            except Exception as error:  # noqa: BLE001 (what stops Alembic is the record)
                recorded["map"] = {"error": describe(error)}
            recorded["map"]["warnings"] = sorted(str(w.message) for w in caught)
        if "error" in recorded["map"]:
            return recorded
        pending = {}
        states = [None] + sorted({found.revision for found in loaded}) + [UNKNOWN]
        for state in states:
            key = state or "<base>"
            try:
                steps = script._upgrade_revs("heads", state)
                pending[key] = [step.revision.revision for step in steps]
            except Exception as error:  # noqa: BLE001
                pending[key] = {"error": describe(error)}
        recorded["pending"] = pending
        return recorded
    finally:
        os.chdir(previous)


def recording() -> dict:
    cases = sorted(path for path in CORPUS.iterdir() if path.is_dir())
    results = {}
    for case in cases:
        result = {
            "heads": run_command(case, "heads"),
            "history": run_command(case, "history"),
        }
        result.update(through_the_api(case))
        results[case.name] = result
        print(f"alembic corpus: {case.name}: {result['heads']}", file=sys.stderr)
    return {
        "versions": installed_versions(),
        "python": ".".join(map(str, sys.version_info[:2])),
        "cases": results,
    }


def render(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    # Loading the scripts through Alembic's API imports them: no bytecode beside them either.
    sys.dont_write_bytecode = True
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="regenerate recorded.json")
    mode.add_argument(
        "--check",
        action="store_true",
        help="compare with a fresh recording, exit 1 on a difference (default)",
    )
    args = parser.parse_args()

    versions = installed_versions()
    if versions != PINNED:
        wrong = ", ".join(
            f"{name} {versions[name]} (the recording is of {PINNED[name]})"
            for name in PINNED
            if versions[name] != PINNED[name]
        )
        sys.exit(f"alembic corpus: {wrong}: install .ci/requirements.txt into a virtual environment")

    actual = render(recording())
    committed = RECORDING.read_text(encoding="utf-8") if RECORDING.exists() else ""
    if actual == committed:
        print(f"alembic corpus: {RECORDING.name} matches")
        return 0
    if args.write:
        RECORDING.write_text(actual, encoding="utf-8")
        print(f"alembic corpus: {RECORDING.name} written")
        return 0
    diff = difflib.unified_diff(
        committed.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        "recorded.json (committed)",
        "recorded.json (recorded now)",
    )
    sys.stdout.writelines(diff)
    print(f"alembic corpus: {RECORDING.name} differs")
    return 1


if __name__ == "__main__":
    sys.exit(main())
