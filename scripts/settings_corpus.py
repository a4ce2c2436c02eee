#!/usr/bin/env python3
"""Records what the real pydantic-settings does with each case of fixtures/settings/.

Every case is a small project (a Settings class and its env files, see
fixtures/settings/README.md). For each one this script starts a fresh interpreter with the
case's working directory as cwd and an environment holding only PATH and the case's
`environment`, imports the Settings class, instantiates it with no arguments, and writes the
outcome to the case's expected.json: whether the application starts, every error (location,
type, and the env key as written that caused it), and the loaded values with secrets masked.

The corpus is committed so `cargo test` needs no Python; CI runs `--check` with the pinned
versions of .ci/requirements.txt and fails on any difference.

    python scripts/settings_corpus.py --write           # regenerate every expected.json
    python scripts/settings_corpus.py --check           # regenerate in memory, diff, exit 1
    python scripts/settings_corpus.py --check --case 007

`--corpus fixtures/apps` records the application corpus instead (fixtures/apps/README.md):
whole applications, each with more than one case (`fullstack/`, `fullstack/broken/`).

It must run in a virtual environment with the pinned packages; it refuses other versions of
pydantic-settings, so a recording always says which library produced it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PYDANTIC_SETTINGS_VERSION = "2.16.3"
CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "settings"
CASE_KEYS = {
    "description",
    "settings",
    "env_files",
    "environment",
    "working_dir",
    "env_file_argument",
}
# One case should take well under a second; a hang is a bug of the case, not a slow machine.
CASE_TIMEOUT_SECONDS = 60


# --- parent: find cases, run each in its own interpreter, compare or write -------------------


def case_dirs(corpus: Path, only: str | None) -> list[Path]:
    """Every directory of the corpus holding a case.toml, at any depth, in path order.

    fixtures/settings/ has one level (`NNN-name/`); fixtures/apps/ has an application per
    directory, itself a case, with further cases inside it (`fullstack/broken/`).
    """
    dirs = sorted(path.parent for path in corpus.rglob("case.toml"))
    if only is not None:
        dirs = [
            p
            for p in dirs
            if p.name.split("-", 1)[0] == only
            or p.name == only
            or case_name(corpus, p) == only.strip("/")
        ]
        if not dirs:
            sys.exit(f"settings corpus: no case {only!r} in {corpus}")
    return dirs


def case_name(corpus: Path, case: Path) -> str:
    """The case's path in the corpus: `042-pattern`, `fullstack/broken`."""
    return case.relative_to(corpus).as_posix()


def case_root(corpus: Path, case: Path) -> Path:
    """The directory a case may read: its top-level directory in the corpus.

    For fixtures/settings/NNN-name/ that is the case itself; for fixtures/apps/fullstack/broken/
    it is the application, fixtures/apps/fullstack/, whose code and env files the case uses.
    """
    return corpus / case.relative_to(corpus).parts[0]


def render(outcome: dict) -> str:
    return json.dumps(outcome, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def record(corpus: Path, case: Path) -> str:
    """The expected.json text for one case, from a fresh interpreter."""
    import tomllib

    with open(case / "case.toml", "rb") as handle:
        meta = tomllib.load(handle)
    environment = meta.get("environment", {})
    # PATH only: anything else could match a field (HOME, USER, LANG, ...). No PYTHON*
    # variable reaches the child, and -I ignores them anyway.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env.update({str(k): str(v) for k, v in environment.items()})
    cwd = (case / meta.get("working_dir", ".")).resolve()
    command = [sys.executable, "-I", "-B", str(Path(__file__).resolve())]
    command += ["--child", str(case.resolve()), "--root", str(case_root(corpus, case).resolve())]
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=CASE_TIMEOUT_SECONDS,
    )
    if completed.returncode != 0:
        sys.exit(
            f"settings corpus: case {case_name(corpus, case)}: the recorder itself failed "
            f"(exit {completed.returncode}):\n{completed.stderr}{completed.stdout}"
        )
    return render(json.loads(completed.stdout))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="regenerate every expected.json")
    mode.add_argument(
        "--check",
        action="store_true",
        help="compare with a fresh recording, exit 1 on a difference (default)",
    )
    mode.add_argument("--child", metavar="CASE_DIR", help=argparse.SUPPRESS)
    parser.add_argument("--root", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument(
        "--case", metavar="NNN", help="only this case (its number, directory name or path)"
    )
    parser.add_argument(
        "--corpus",
        metavar="DIR",
        type=Path,
        default=CORPUS,
        help="the corpus to record: fixtures/settings (the default) or fixtures/apps",
    )
    args = parser.parse_args()

    if args.child:
        case = Path(args.child)
        return child(case, Path(args.root) if args.root else case)

    import pydantic_settings

    if pydantic_settings.VERSION != PYDANTIC_SETTINGS_VERSION:
        sys.exit(
            f"settings corpus: pydantic-settings {pydantic_settings.VERSION} is installed, the "
            f"corpus records {PYDANTIC_SETTINGS_VERSION}: install .ci/requirements.txt into a "
            "virtual environment"
        )

    corpus = args.corpus.resolve()
    if not corpus.is_dir():
        sys.exit(f"settings corpus: {args.corpus} is not a directory")
    cases = case_dirs(corpus, args.case)
    if not cases:
        sys.exit(f"settings corpus: no case.toml in {args.corpus}")
    # One interpreter per case, as many at once as there are cores; results keep case order.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        recorded_now = list(pool.map(lambda case: record(corpus, case), cases))
    matching = 0
    written = 0
    for case, actual in zip(cases, recorded_now):
        path = case / "expected.json"
        recorded = path.read_text(encoding="utf-8") if path.exists() else ""
        if actual == recorded:
            matching += 1
            continue
        if args.write:
            path.write_text(actual, encoding="utf-8")
            written += 1
        else:
            diff = difflib.unified_diff(
                recorded.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"{case_name(corpus, case)}/expected.json (committed)",
                f"{case_name(corpus, case)}/expected.json "
                f"(pydantic-settings {PYDANTIC_SETTINGS_VERSION})",
            )
            sys.stdout.writelines(diff)
    summary = f"settings corpus: {len(cases)} cases, {matching} match"
    if args.write:
        summary += f", {written} written"
    print(summary)
    return 0 if args.write or matching == len(cases) else 1


# --- child: one case, in its own interpreter, cwd = the case's working directory -------------


def child(case: Path, root: Path) -> int:
    """Records one case; it may read files of `root` (the case, or its application) only."""
    import tomllib

    with open(case / "case.toml", "rb") as handle:
        meta = tomllib.load(handle)
    unknown = set(meta) - CASE_KEYS
    if unknown:
        raise SystemExit(f"case.toml: unknown keys {sorted(unknown)}")
    for required in ("description", "settings", "env_files"):
        if required not in meta:
            raise SystemExit(f"case.toml: `{required}` is required")
    pass_env_files = meta.get("env_file_argument", False)
    if not isinstance(pass_env_files, bool):
        raise SystemExit("case.toml: `env_file_argument` is true or false")
    if not Path.cwd().resolve().is_relative_to(root):
        raise SystemExit("case.toml: `working_dir` is outside the case")

    guard_reads(root)

    file_part, _, class_name = meta["settings"].rpartition(":")
    module_path = (case / file_part).resolve()
    if not module_path.is_relative_to(root) or not module_path.is_file():
        raise SystemExit(f"case.toml: settings file {file_part!r} is not a file of the case")
    module_name, import_root = module_of(module_path)
    # The import root (first directory up without __init__.py, as pytest's rootdir-less import
    # does), then the working directory, as `uvicorn app.main:app` run there would have it.
    sys.path[:0] = [str(import_root), os.getcwd()]

    import importlib
    import warnings

    import pydantic
    import pydantic_settings

    outcome: dict = {
        "pydantic_settings": pydantic_settings.VERSION,
        "pydantic": pydantic.VERSION,
        "starts": False,
        "exception": None,
        "exception_message": None,
        "errors": [],
        "values": None,
        "extra": None,
    }
    with warnings.catch_warnings():
        # Deprecation warnings (v1 `class Config`, `Field(env=...)`) are not part of the
        # outcome: the application starts with them.
        warnings.simplefilter("ignore")
        try:
            # Importing is part of starting: a class pydantic refuses fails here.
            settings_cls = getattr(importlib.import_module(module_name), class_name)
        except Exception as error:
            outcome["exception"] = type(error).__name__
            outcome["exception_message"] = str(error)
        else:
            check_env_files(root, settings_cls, meta["env_files"], passed=pass_env_files)
            keys = KeyIndex(case, settings_cls, meta["env_files"])
            env_file_argument = tuple(meta["env_files"]) if pass_env_files else None
            instantiate(settings_cls, keys, outcome, env_file_argument)
    if READS_OUTSIDE:
        raise SystemExit(f"the case read outside its directory: {sorted(READS_OUTSIDE)}")
    json.dump(outcome, sys.stdout)
    return 0


def instantiate(
    settings_cls: type, keys: "KeyIndex", outcome: dict, env_files: tuple[str, ...] | None
) -> None:
    """`Settings()` with no arguments, as the application does; fills in the outcome.

    With `env_files` (a case's `env_file_argument`), `Settings(_env_file=env_files)`: the files
    under review replace the class's own `env_file`, as pydantic-settings documents.
    """
    import pydantic
    import pydantic_settings

    try:
        instance = settings_cls() if env_files is None else settings_cls(_env_file=env_files)
    except pydantic.ValidationError as error:
        outcome["exception"] = "ValidationError"
        outcome["errors"] = sorted(
            (validation_error(item, keys) for item in error.errors(include_url=False)),
            key=error_order,
        )
    except pydantic_settings.SettingsError as error:
        outcome["exception"] = "SettingsError"
        outcome["errors"] = [settings_error(error, keys)]
    except Exception as error:
        outcome["exception"] = type(error).__name__
        outcome["exception_message"] = str(error)
    else:
        outcome["starts"] = True
        outcome["values"] = dump_model(instance)
        if instance.model_extra is not None:
            outcome["extra"] = {k: jsonable(v) for k, v in sorted(instance.model_extra.items())}


READS_OUTSIDE: set[str] = set()


def guard_reads(case: Path) -> None:
    """Refuses, and reports, any file opened outside the case and the Python installation."""
    allowed = [case.resolve()]
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        allowed.append(Path(prefix).resolve())
    allowed.append(Path(__file__).resolve())
    allowed.append(Path("/dev/null"))

    def hook(event: str, args: tuple) -> None:
        if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
            return
        path = Path(os.fsdecode(args[0]))
        if not path.is_absolute():
            path = Path(os.getcwd()) / path
        path = Path(os.path.normpath(path))
        if any(path == root or path.is_relative_to(root) for root in allowed):
            return
        # Resolve symlinks only when the plain path is not allowed (e.g. a venv's lib64 link).
        real = path.resolve()
        if any(real == root or real.is_relative_to(root) for root in allowed):
            return
        READS_OUTSIDE.add(str(path))
        raise PermissionError(f"settings corpus: {path} is outside the case")

    sys.addaudithook(hook)


def module_of(path: Path) -> tuple[str, Path]:
    """The dotted module name of a file and the directory to import it from."""
    parts = [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file():
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts), directory


def check_env_files(root: Path, settings_cls: type, declared: list[str], *, passed: bool) -> None:
    """case.toml's `env_files` must be what the class reads, inside the case.

    That is what its model_config says, unless the case passes them as `_env_file`
    (`env_file_argument = true`), which replaces the class's own `env_file`.
    """
    if passed:
        if not declared:
            raise SystemExit("case.toml: env_file_argument needs at least one of env_files")
        actual = list(declared)
    else:
        env_file = settings_cls.model_config.get("env_file")
        if env_file is None:
            actual = []
        elif isinstance(env_file, (str, os.PathLike)):
            actual = [os.fspath(env_file)]
        else:
            actual = [os.fspath(item) for item in env_file]
        if actual != declared:
            raise SystemExit(f"case.toml: env_files = {declared}, but the class reads {actual}")
    if settings_cls.model_config.get("env_file_depth", 0):
        raise SystemExit("env_file_depth searches parent directories: not allowed in the corpus")
    for name in actual:
        if not (Path.cwd() / name).resolve().is_relative_to(root):
            raise SystemExit(f"env file {name!r} is outside the case")


class KeyIndex:
    """Every key the application could have read, by the name pydantic-settings matches on.

    Maps the normalised name (lower-cased unless case_sensitive; keys without a value, and empty
    ones under env_ignore_empty, left out as pydantic-settings does) back to the key as written
    and where it was: an env file of the case (later files win) or the process environment
    (which wins over files).
    """

    def __init__(self, case: Path, settings_cls: type, env_files: list[str]) -> None:
        from dotenv import dotenv_values

        config = settings_cls.model_config
        self.case_sensitive = bool(config.get("case_sensitive"))
        self.delimiter = config.get("env_nested_delimiter") or ""
        self.settings_cls = settings_cls
        self.from_files: dict[str, tuple[str, str]] = {}
        for name in env_files:
            path = Path.cwd() / name
            if not path.is_file():
                continue
            encoding = config.get("env_file_encoding") or "utf-8"
            for key, value in dotenv_values(path, encoding=encoding).items():
                if self.counts(value):
                    self.from_files[self.normalise(key)] = (key, name)
        self.from_environment: dict[str, tuple[str, str]] = {
            self.normalise(key): (key, "environment")
            for key, value in os.environ.items()
            if key != "PATH" and self.counts(value)
        }

    def counts(self, value: str | None) -> bool:
        """A key without `=` has no value and an empty one is dropped under env_ignore_empty."""
        if value is None:
            return False
        return not (value == "" and self.settings_cls.model_config.get("env_ignore_empty"))

    def normalise(self, key: str) -> str:
        return key if self.case_sensitive else key.lower()

    def lookup(self, name: str, *, files_only: bool = False) -> tuple[str, str] | None:
        name = self.normalise(name)
        if not files_only and name in self.from_environment:
            return self.from_environment[name]
        return self.from_files.get(name)

    def field_env_names(self, head: str) -> list[str]:
        """The env names of the field whose name, alias or validation alias is `head`."""
        from pydantic_settings.sources.providers.env import EnvSettingsSource

        # The library's own naming (prefix, case, aliases): a private method, but the version
        # is pinned and --check would show a change of its meaning.
        source = EnvSettingsSource(self.settings_cls)
        for field_name, field in self.settings_cls.model_fields.items():
            names = [env_name for _, env_name, _ in source._extract_field_info(field, field_name)]
            aliases = {field_name, field.alias}
            if isinstance(field.validation_alias, str):
                aliases.add(field.validation_alias)
            if head in aliases or self.normalise(head) in names:
                return names
        return []

    def for_error(self, error_type: str, loc: tuple) -> tuple[str, str] | None:
        if not loc or not isinstance(loc[0], str):
            return None
        if error_type == "extra_forbidden" and len(loc) == 1:
            # The dotenv source adds the key under its normalised name, prefix and all.
            return self.lookup(loc[0], files_only=True)
        for env_name in self.field_env_names(loc[0]):
            # The most specific key first: DATABASE__PORT before DATABASE (JSON form).
            rest = [str(part) for part in loc[1:]]
            for depth in range(len(rest), -1, -1):
                if depth and not self.delimiter:
                    continue
                candidate = self.delimiter.join([env_name, *rest[:depth]])
                found = self.lookup(candidate)
                if found:
                    return found
        return None


def validation_error(item: dict, keys: KeyIndex) -> dict:
    loc = tuple(item["loc"])
    found = keys.for_error(item["type"], loc)
    return {
        "loc": [part if isinstance(part, (str, int)) else str(part) for part in loc],
        "type": item["type"],
        "input_key": found[0] if found else None,
        "input_source": found[1] if found else None,
        "input": jsonable(item["input"]) if item["type"] != "missing" else None,
        "msg": item["msg"],
    }


def settings_error(error: Exception, keys: KeyIndex) -> dict:
    """A SettingsError: a complex field's value is not JSON (raised before validation)."""
    import re

    message = str(error)
    match = re.search(r'error parsing value for field "([^"]+)"', message)
    field = match.group(1) if match else None
    found = keys.for_error("settings_error", (field,)) if field else None
    return {
        "loc": [field] if field else [],
        "type": "settings_error",
        "input_key": found[0] if found else None,
        "input_source": found[1] if found else None,
        "input": None,
        "msg": message,
    }


def error_order(error: dict) -> tuple:
    return ([str(part) for part in error["loc"]], error["type"], error["input_key"] or "")


def dump_model(instance) -> dict:
    """Field values (and computed fields), secrets replaced by "<secret>"."""
    cls = type(instance)
    values = {name: jsonable(getattr(instance, name)) for name in cls.model_fields}
    for name in cls.model_computed_fields:
        values[name] = jsonable(getattr(instance, name))
    return values


def jsonable(value):
    from enum import Enum

    import pydantic
    import pydantic_core

    if isinstance(value, (pydantic.SecretStr, pydantic.SecretBytes)):
        return "<secret>"
    if isinstance(value, pydantic.BaseModel):
        dumped = {name: jsonable(getattr(value, name)) for name in type(value).model_fields}
        if value.model_extra:
            dumped.update({k: jsonable(v) for k, v in value.model_extra.items()})
        return dumped
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else repr(value)
    return pydantic_core.to_jsonable_python(value)


if __name__ == "__main__":
    sys.exit(main())
