#!/usr/bin/env python3
"""Records what the real servers bind when started by each start command of the corpus.

`src/manifest/command.rs` reads a start command (a Dockerfile CMD, Railway's startCommand, a
Procfile line) and says which server it starts and what host and port that server binds. This
script is the evidence: for every case of fixtures/start-commands/cases.json it runs the command
with the pinned servers of .ci/requirements.txt, in a temporary directory holding a tiny FastAPI
app (`main.py`), and records what happened into fixtures/start-commands/recorded.json:

- `listening`: the TCP sockets (host, port) the process group listens on, read from
  /proc/net/tcp and /proc/net/tcp6 through the socket inodes its processes hold, or the Unix
  socket paths from /proc/net/unix;
- `holders`: how many processes hold the first listening socket once their number has been
  steady for a while (a gunicorn master and its workers, uvicorn's supervisor and its workers);
- or, when the command exits first, `exit` and `error`, the first line of its output that
  names the error (uvicorn's `Invalid value for '--port': '$PORT' is not a valid integer.`).

A shell form runs as `/bin/sh -c COMMAND`, an exec form as the words themselves (no shell), as
Docker runs them. The environment holds only PATH (the virtual environment's bin first), HOME
(the temporary directory) and the case's `env`. `{port}` in an `env` value is a free port
chosen at run time, recorded as `{port}`; the cases without one use the servers' default port
8000, and the recording stops with an error when 8000 is taken. Servers bind loopback or
0.0.0.0 only and receive no traffic: listening is all that is observed.

It also records, for each server's command-line parser, which options take a value and which
are flags (`options`), as the analysis in Rust keeps the same tables.

    python scripts/start_commands.py --write    # regenerate recorded.json
    python scripts/start_commands.py --check    # regenerate in memory, diff, exit 1

It must run in a virtual environment with the pinned packages; it refuses other versions.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Distribution name -> the version the recording is of (.ci/requirements.txt pins the same).
PINNED = {
    "uvicorn": "0.54.0",
    "gunicorn": "27.0.1",
    "Hypercorn": "0.18.0",
    "fastapi": "0.165.0",
    "fastapi-cli": "0.0.34",
    "starlette": "1.10.0",
    "click": "8.5.1",
    "typer": "0.29.2",
}
ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "fixtures" / "start-commands" / "cases.json"
RECORDING = ROOT / "fixtures" / "start-commands" / "recorded.json"

APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root():
    return {"ok": True}
"""
DEFAULT_PORT = 8000
# How long a command may take to listen or exit, and how long the number of processes holding
# its socket must stay the same to count as settled.
START_TIMEOUT_SECONDS = 30
STEADY_SECONDS = 2.0
POLL_SECONDS = 0.05
BOX = " │╭╮╰╯─"
ERROR_LINE = re.compile(r"error|invalid|not a valid", re.IGNORECASE)


# --- what a process group listens on ---------------------------------------------------------


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry))
    return sorted(pids)


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def ipv4(hex_address: str) -> str:
    return socket.inet_ntop(socket.AF_INET, bytes.fromhex(hex_address)[::-1])


def ipv6(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    # Four 32-bit words, each in host (little-endian) order.
    packed = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, packed)


def listening_sockets() -> dict[str, tuple]:
    """Inode -> ("tcp", host, port) or ("unix", path) for every listening socket."""
    found = {}
    for table, decode in (("/proc/net/tcp", ipv4), ("/proc/net/tcp6", ipv6)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != "0A":  # LISTEN
                continue
            address, port = fields[1].split(":")
            found[fields[9]] = ("tcp", decode(address), int(port, 16))
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        # Flags 00010000: __SO_ACCEPTCON, a listening socket.
        if len(fields) >= 8 and fields[3] == "00010000":
            found[fields[6]] = ("unix", fields[7])
    return found


def observe(pgid: int) -> tuple[list[tuple], dict[str, int]]:
    """What the group listens on, and how many of its processes hold each socket."""
    listening = listening_sockets()
    holders: dict[str, int] = {}
    for pid in group_pids(pgid):
        for inode in socket_inodes(pid):
            if inode in listening:
                holders[inode] = holders.get(inode, 0) + 1
    return [listening[inode] for inode in sorted(holders)], holders


# --- running one case --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("0.0.0.0", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    for family, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                return False
    return True


def stop(process: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
            # Wait for the rest of the group too (workers outliving their master).
            deadline = time.monotonic() + wait
            while group_pids(process.pid) and time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
            if not group_pids(process.pid):
                return
        except subprocess.TimeoutExpired:
            continue


def first_error(output: str) -> str | None:
    # Typer (fastapi-cli) draws its errors in a box ("╭─ Error ─╮", then "│ Invalid value ... │"
    # lines wrapped at 80 columns): the lines of a box are one message.
    lines: list[str] = []
    in_box = False
    for raw in output.splitlines():
        boxed = raw.startswith("│")
        line = raw.strip(BOX).strip()
        if boxed and in_box and lines:
            lines[-1] = f"{lines[-1]} {line}"
        elif line and line != "Error":
            lines.append(line)
        in_box = boxed and bool(line)
    for line in lines:
        if ERROR_LINE.search(line) and "Traceback" not in line:
            return line
    return lines[-1] if lines else None


def run_case(case: dict, venv_bin: str) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="start-commands-") as home:
        Path(home, "main.py").write_text(APP, encoding="utf-8")
        env = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": home}
        for name, value in case.get("env", {}).items():
            env[name] = value.replace("{port}", str(port))
        argv = ["/bin/sh", "-c", case["shell"]] if "shell" in case else case["exec"]
        if "exec" in case and "/" not in argv[0]:
            # As Docker does for an exec form: the program is looked up in the image's PATH.
            found = next(
                (Path(d, argv[0]) for d in env["PATH"].split(":") if Path(d, argv[0]).exists()),
                None,
            )
            argv = [str(found) if found else argv[0], *argv[1:]]
        log = Path(home, "output.log")
        with open(log, "wb") as output:
            process = subprocess.Popen(
                argv,
                cwd=home,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            result = watch(process)
        finally:
            stop(process)
        if "exit" in result:
            result["error"] = first_error(log.read_text(encoding="utf-8", errors="replace"))
    for entry in result.get("listening", []):
        if entry[0] == "tcp" and entry[2] == port:
            entry[2] = "{port}"
        if entry[0] == "unix":
            entry[1] = os.path.relpath(entry[1], home) if entry[1].startswith(home) else entry[1]
    return result


def watch(process: subprocess.Popen) -> dict:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    seen: tuple | None = None
    steady_since = 0.0
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            return {"exit": code}
        listening, holders = observe(process.pid)
        if listening:
            now = (tuple(listening), tuple(sorted(holders.values())))
            if now != seen:
                seen, steady_since = now, time.monotonic()
            elif time.monotonic() - steady_since >= STEADY_SECONDS:
                return {
                    "listening": sorted([list(entry) for entry in listening]),
                    "holders": max(holders.values()),
                }
        time.sleep(POLL_SECONDS)
    return {"timeout": START_TIMEOUT_SECONDS}


# --- the parsers' options ------------------------------------------------------------------------


def options() -> dict:
    """For each command-line parser, its flags and the options that take a value."""
    import argparse as argparse_module
    import sys as sys_module

    import typer
    from fastapi_cli.cli import app as fastapi_app
    from gunicorn.config import Config

    def from_argparse(parser) -> dict:
        flags, values = [], []
        for action in parser._actions:
            if action.option_strings:
                (flags if action.nargs == 0 else values).extend(action.option_strings)
        return {"flags": sorted(flags), "values": sorted(values)}

    def from_click(command) -> dict:
        flags, values = [], []
        for parameter in command.params:
            if getattr(parameter, "param_type_name", None) != "option":
                continue
            names = parameter.opts + parameter.secondary_opts
            (flags if parameter.is_flag or parameter.count else values).extend(names)
        return {"flags": sorted(flags), "values": sorted(values)}

    tables = {"gunicorn": from_argparse(Config().parser())}

    # Hypercorn builds its parser inside main(): take it as it parses.
    import hypercorn.__main__ as hypercorn_main

    captured = {}
    original = argparse_module.ArgumentParser.parse_args

    def capture(self, *args, **kwargs):
        captured["parser"] = self
        raise SystemExit(0)

    argparse_module.ArgumentParser.parse_args = capture
    try:
        hypercorn_main.main(["main:app"])
    except SystemExit:
        pass
    finally:
        argparse_module.ArgumentParser.parse_args = original
    tables["hypercorn"] = from_argparse(captured["parser"])

    import uvicorn  # noqa: F401  (uvicorn.main is the function; the module is in sys.modules)

    tables["uvicorn"] = from_click(sys_module.modules["uvicorn.main"].main)
    group = typer.main.get_command(fastapi_app)
    tables["fastapi"] = from_click(group)
    for name in ("run", "dev"):
        tables[f"fastapi {name}"] = from_click(group.commands[name])
    return tables


# --- the recording ---------------------------------------------------------------------------------


def installed_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in PINNED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def recording() -> dict:
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    names = [case["name"] for case in cases]
    if len(set(names)) != len(names):
        sys.exit("start commands: case names must be unique")
    uses_default = [case["name"] for case in cases if "{port}" not in json.dumps(case)]
    if uses_default and not port_is_free(DEFAULT_PORT):
        sys.exit(
            f"start commands: port {DEFAULT_PORT} is taken, and the cases {uses_default} need it "
            "free (the servers' default port): stop what listens there"
        )
    venv_bin = str(Path(sys.executable).parent)
    results = {}
    for case in cases:
        results[case["name"]] = run_case(case, venv_bin)
        print(f"start commands: {case['name']}: {results[case['name']]}", file=sys.stderr)
    return {
        "versions": installed_versions(),
        "python": ".".join(map(str, sys.version_info[:2])),
        "options": options(),
        "cases": results,
    }


def render(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
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
        sys.exit(
            f"start commands: {wrong}: install .ci/requirements.txt into a virtual environment"
        )

    actual = render(recording())
    committed = RECORDING.read_text(encoding="utf-8") if RECORDING.exists() else ""
    if actual == committed:
        print(f"start commands: {RECORDING.name} matches")
        return 0
    if args.write:
        RECORDING.parent.mkdir(parents=True, exist_ok=True)
        RECORDING.write_text(actual, encoding="utf-8")
        print(f"start commands: {RECORDING.name} written")
        return 0
    diff = difflib.unified_diff(
        committed.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        "recorded.json (committed)",
        "recorded.json (recorded now)",
    )
    sys.stdout.writelines(diff)
    print(f"start commands: {RECORDING.name} differs")
    return 1


if __name__ == "__main__":
    sys.exit(main())
