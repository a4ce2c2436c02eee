#!/usr/bin/env python3
"""Records which database-URL query parameters each PostgreSQL driver refuses under SQLAlchemy.

An application hands SQLAlchemy a URL such as `postgresql+asyncpg://u:p@host/db?sslmode=require`;
SQLAlchemy passes the query parameters on to the driver's connect(), and the driver (or the libpq
it wraps) either takes them or fails before any network traffic. For every driver below and
every candidate parameter, this script builds such a URL pointing at a free loopback port with
nothing listening, asks SQLAlchemy for a connection, and sorts the failure it gets:

- `rejected`: the parameter name itself is refused (asyncpg's `connect() got an unexpected
  keyword argument`, libpq's `invalid connection option`);
- `invalid-value`: the name is known but the value is refused before connecting;
- `accepted`: the attempt got as far as the network (`Connection refused`).

The candidates are every connection keyword of the libpq psycopg is linked against (as that
libpq's PQconndefaults lists them), every keyword of asyncpg.connect(), the two the drivers'
Python layers add (`prepared_statement_cache_size` of SQLAlchemy's asyncpg dialect,
`prepare_threshold` of psycopg) and a few typos. Each is tried with a value that is valid for it
where one can be written in a URL (see VALUES). The drivers run in fresh interpreters with an
environment holding only PATH, HOME and PGSERVICEFILE (a temporary directory), so no PG*
variable or ~/.pgpass of the machine takes part.

The recording is committed (fixtures/drivers/params.json, see fixtures/drivers/README.md) so
`cargo test` needs no Python; CI runs `--check` with the pinned versions of
.ci/requirements.txt and fails on any difference.

    python scripts/driver_params.py --write     # regenerate fixtures/drivers/params.json
    python scripts/driver_params.py --check     # regenerate in memory, diff, exit 1

It must run in a virtual environment with the pinned packages; it refuses other versions of
SQLAlchemy and the drivers, so a recording always says which libraries produced it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Distribution name -> the version the recording is of (.ci/requirements.txt pins the same).
PINNED = {
    "SQLAlchemy": "2.1.9",
    "asyncpg": "0.32.0",
    "greenlet": "3.5.6",
    "psycopg": "3.3.9",
    "psycopg-binary": "3.3.9",
    "psycopg2-binary": "2.9.13",
}
RECORDING = Path(__file__).resolve().parent.parent / "fixtures" / "drivers" / "params.json"

# id -> (URL scheme, how the application builds its engine). Plain `postgresql` is whichever
# driver SQLAlchemy defaults to (psycopg since 2.1); the recording names the dialect it picked.
DRIVERS = {
    "asyncpg": ("postgresql+asyncpg", "create_async_engine"),
    "psycopg": ("postgresql+psycopg", "create_engine"),
    "psycopg-async": ("postgresql+psycopg", "create_async_engine"),
    "psycopg2": ("postgresql+psycopg2", "create_engine"),
    "postgresql": ("postgresql", "create_engine"),
}

# The value each candidate is tried with: valid for the parameter wherever a URL can carry a
# valid one (files under /nonexistent are only opened once a TLS handshake starts, which a
# refused connection never reaches). `PORT` stands for the free port. A libpq keyword missing
# here fails the recording: a new libpq's keywords need a value chosen by hand.
VALUES = {
    # libpq
    "application_name": "deploycheck",
    "channel_binding": "disable",
    "client_encoding": "UTF8",
    "connect_timeout": "2",
    "dbname": "db",
    "fallback_application_name": "deploycheck",
    "gssdelegation": "0",
    "gssencmode": "disable",
    "gsslib": "gssapi",
    "host": "127.0.0.1",
    "hostaddr": "127.0.0.1",
    "keepalives": "1",
    "keepalives_count": "3",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "krbsrvname": "postgres",
    "load_balance_hosts": "disable",
    "max_protocol_version": "latest",
    "min_protocol_version": "3.0",
    "oauth_client_id": "deploycheck",
    "oauth_client_secret": "secret",
    "oauth_issuer": "https://auth.example.com",
    "oauth_scope": "openid",
    "options": "-c statement_timeout=5000",
    "passfile": "/nonexistent/.pgpass",
    "password": "pw",
    "port": "PORT",
    "replication": "false",
    "require_auth": "scram-sha-256",
    "requirepeer": "postgres",
    "scram_client_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "scram_server_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "service": "deploycheck",
    "ssl_max_protocol_version": "TLSv1.3",
    "ssl_min_protocol_version": "TLSv1.2",
    "sslcert": "/nonexistent/client.crt",
    "sslcertmode": "disable",
    "sslcompression": "0",
    "sslcrl": "/nonexistent/root.crl",
    "sslcrldir": "/nonexistent/crl",
    "sslkey": "/nonexistent/client.key",
    "sslkeylogfile": "/nonexistent/keylog",
    "sslmode": "disable",
    "sslnegotiation": "postgres",
    "sslpassword": "secret",
    "sslrootcert": "/nonexistent/root.crt",
    "sslsni": "1",
    "target_session_attrs": "any",
    "tcp_user_timeout": "10000",
    "user": "user",
    # asyncpg.connect() (host, port, user, password, passfile, service, target_session_attrs,
    # krbsrvname and gsslib are libpq's too)
    "command_timeout": "30",
    "connection_class": "asyncpg.connection.Connection",
    "database": "db",
    "direct_tls": "true",
    "max_cacheable_statement_size": "15360",
    "max_cached_statement_lifetime": "300",
    "record_class": "asyncpg.Record",
    "server_settings": "application_name=deploycheck",
    "servicefile": "pg_service.conf",
    "ssl": "disable",
    "statement_cache_size": "0",
    "timeout": "10",
    # SQLAlchemy's asyncpg dialect, psycopg's connect()
    "prepared_statement_cache_size": "0",
    "prepare_threshold": "5",
    # typos of sslmode
    "ssl_mode": "disable",
    "sslmodee": "disable",
}
# More values for the parameters whose value is the question: asyncpg's ssl takes modes, not
# booleans written as text; sslmode=require is what URLs copied from a host's dashboard carry.
MORE_VALUES = {"ssl": ["require", "true", "false"], "sslmode": ["require"]}
NOTES = {
    "connection_class": "asyncpg wants a class: no text is a valid value",
    "record_class": "asyncpg wants a class: no text is a valid value",
    "server_settings": "asyncpg wants a dict: no text is a valid value",
    "servicefile": "relative to the working directory, which holds the service file",
    "database": "psycopg2 takes it as dbname, which SQLAlchemy already passes from the URL path",
    "direct_tls": "asyncpg wants ssl=require (or verify-ca, verify-full) with it",
    "service": "defined in the service file (PGSERVICEFILE, and servicefile for asyncpg)",
}
# asyncpg.connect() keywords that are not connection parameters one writes in a URL.
ASYNCPG_NOT_CANDIDATES = {"dsn", "loop"}
# The keywords the Python layers on top of the drivers add, and which layer.
PYTHON_LAYER = {
    "prepared_statement_cache_size": "sqlalchemy-asyncpg",
    "prepare_threshold": "psycopg",
}
TYPOS = ["ssl_mode", "sslmodee"]
SERVICE_FILE = "[deploycheck]\ndbname=db\n"
# A refused loopback connection fails at once; these only bound a hang (one attempt of an async
# engine; all of a driver's attempts, as a blocking libpq call cannot be interrupted).
ATTEMPT_TIMEOUT_SECONDS = 10
CHILD_TIMEOUT_SECONDS = 120

REJECTED = re.compile(
    r"unexpected keyword argument '(?P<a>[^']+)'"
    r'|invalid connection option "(?P<b>[^"]+)"'
    r'|invalid URI query parameter: "(?P<c>[^"]+)"'
)
REFUSED = re.compile(r"Connection refused|Connect call failed|\[Errno 111\]")


# --- parent: list the candidates, run each driver in its own interpreter, compare or write --


def installed_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in PINNED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def candidates() -> dict[str, list[str]]:
    """Parameter -> where it comes from ("libpq", "asyncpg", ..., "typo"), from the libraries."""
    import inspect

    import asyncpg
    from psycopg import pq

    sources: dict[str, list[str]] = {}
    for option in pq.Conninfo.get_defaults():
        sources.setdefault(option.keyword.decode(), []).append("libpq")
    for name, parameter in inspect.signature(asyncpg.connect).parameters.items():
        if parameter.kind is parameter.KEYWORD_ONLY and name not in ASYNCPG_NOT_CANDIDATES:
            sources.setdefault(name, []).append("asyncpg")
    for name, layer in PYTHON_LAYER.items():
        sources.setdefault(name, []).append(layer)
    for name in TYPOS:
        sources.setdefault(name, []).append("typo")
    missing = sorted(set(sources) - set(VALUES))
    if missing:
        sys.exit(f"driver params: no value chosen for {missing}: add one to VALUES")
    stale = sorted(set(VALUES) - set(sources))
    if stale:
        sys.exit(f"driver params: VALUES has {stale}, which no library lists any more")
    return dict(sorted(sources.items()))


def record_driver(driver: str, probes: list[tuple[str, str]]) -> dict:
    """The outcome of every probe for one driver, from a fresh interpreter."""
    with tempfile.TemporaryDirectory(prefix="driver-params-") as home:
        service_file = Path(home) / "pg_service.conf"
        service_file.write_text(SERVICE_FILE, encoding="utf-8")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "PGSERVICEFILE": str(service_file),
        }
        try:
            completed = subprocess.run(
                [sys.executable, "-I", "-B", str(Path(__file__).resolve()), "--child", driver],
                input=json.dumps(probes),
                cwd=home,
                env=env,
                capture_output=True,
                text=True,
                timeout=CHILD_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            sys.exit(f"driver params: {driver}: no result within {CHILD_TIMEOUT_SECONDS} s")
    if completed.returncode != 0:
        sys.exit(
            f"driver params: {driver}: the recorder itself failed "
            f"(exit {completed.returncode}):\n{completed.stderr}{completed.stdout}"
        )
    return json.loads(completed.stdout)


def recording() -> dict:
    import psycopg2
    from psycopg import pq

    sources = candidates()
    probes = [(name, VALUES[name]) for name in sources]
    probes += [(name, value) for name, values in MORE_VALUES.items() for value in values]
    with ThreadPoolExecutor(max_workers=len(DRIVERS)) as pool:
        children = dict(zip(DRIVERS, pool.map(lambda d: record_driver(d, probes), DRIVERS)))
    outcomes = {driver: recorded["outcomes"] for driver, recorded in children.items()}

    parameters = {}
    for name, origin in sources.items():
        entry = {
            "from": origin,
            "value": VALUES[name],
            "outcomes": {d: outcomes[d][f"{name}={VALUES[name]}"] for d in DRIVERS},
        }
        if name in NOTES:
            entry["note"] = NOTES[name]
        if name in MORE_VALUES:
            entry["other_values"] = {
                value: {d: outcomes[d][f"{name}={value}"] for d in DRIVERS}
                for value in MORE_VALUES[name]
            }
        parameters[name] = entry

    summary = {
        driver: {
            kind: [n for n, e in parameters.items() if e["outcomes"][driver]["outcome"] == kind]
            for kind in ("accepted", "invalid-value", "rejected")
        }
        for driver in DRIVERS
    }
    return {
        "drivers": {
            driver: {
                "url_scheme": scheme,
                "engine": engine,
                "dialect": children[driver]["dialect"],
                "dialect_class": children[driver]["dialect_class"],
            }
            for driver, (scheme, engine) in DRIVERS.items()
        },
        "versions": installed_versions(),
        "libpq": {
            "psycopg": libpq_version(pq.version()),
            "psycopg2": libpq_version(psycopg2.extensions.libpq_version()),
        },
        "libpq_keywords": [o.keyword.decode() for o in pq.Conninfo.get_defaults()],
        "parameters": parameters,
        "summary": summary,
    }


def libpq_version(number: int) -> dict:
    return {"number": number, "version": f"{number // 10000}.{number % 10000}"}


def render(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="regenerate params.json")
    mode.add_argument(
        "--check",
        action="store_true",
        help="compare with a fresh recording, exit 1 on a difference (default)",
    )
    mode.add_argument("--child", metavar="DRIVER", choices=DRIVERS, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        return child(args.child)

    versions = installed_versions()
    if versions != PINNED:
        wrong = ", ".join(
            f"{name} {versions[name]} (the recording is of {PINNED[name]})"
            for name in PINNED
            if versions[name] != PINNED[name]
        )
        sys.exit(
            f"driver params: {wrong}: install .ci/requirements.txt into a virtual environment"
        )
    from psycopg import pq

    if pq.__impl__ != "binary":
        sys.exit(
            f"driver params: psycopg uses its {pq.__impl__} implementation, not psycopg-binary's "
            "libpq: install .ci/requirements.txt into a virtual environment"
        )

    actual = render(recording())
    committed = RECORDING.read_text(encoding="utf-8") if RECORDING.exists() else ""
    if actual == committed:
        print(f"driver params: {RECORDING.name} matches")
        return 0
    if args.write:
        RECORDING.parent.mkdir(parents=True, exist_ok=True)
        RECORDING.write_text(actual, encoding="utf-8")
        print(f"driver params: {RECORDING.name} written")
        return 0
    diff = difflib.unified_diff(
        committed.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        "params.json (committed)",
        "params.json (recorded now)",
    )
    sys.stdout.writelines(diff)
    print(f"driver params: {RECORDING.name} differs")
    return 1


# --- child: one driver, every probe, in its own interpreter ----------------------------------


def free_port() -> int:
    """A loopback port nothing listens on: bound, read, closed, then checked to refuse."""
    import socket

    for _ in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as check:
            check.settimeout(2)
            try:
                check.connect(("127.0.0.1", port))
            except ConnectionRefusedError:
                return port
    raise SystemExit("no free loopback port that refuses connections")


def child(driver: str) -> int:
    import asyncio
    import warnings
    from urllib.parse import quote

    import sqlalchemy
    from sqlalchemy.ext.asyncio import create_async_engine

    warnings.simplefilter("ignore")
    scheme, engine_kind = DRIVERS[driver]
    probes = [tuple(probe) for probe in json.load(sys.stdin)]
    port = free_port()

    def url(name: str, value: str) -> str:
        value = value.replace("PORT", str(port))
        return f"{scheme}://user:pw@127.0.0.1:{port}/db?{name}={quote(value, safe='')}"

    def sync_attempt(name: str, value: str) -> BaseException | None:
        try:
            engine = sqlalchemy.create_engine(url(name, value), poolclass=sqlalchemy.NullPool)
            try:
                with engine.connect():
                    return None
            finally:
                engine.dispose()
        except Exception as error:
            return error

    async def async_attempt(name: str, value: str) -> BaseException | None:
        try:
            engine = create_async_engine(url(name, value), poolclass=sqlalchemy.NullPool)
            try:
                async with asyncio.timeout(ATTEMPT_TIMEOUT_SECONDS):
                    async with engine.connect():
                        return None
            finally:
                await engine.dispose()
        except Exception as error:
            return error

    async def all_async() -> list[BaseException | None]:
        return [await async_attempt(name, value) for name, value in probes]

    if engine_kind == "create_async_engine":
        errors = asyncio.run(all_async())
    else:
        errors = [sync_attempt(name, value) for name, value in probes]

    # The dialect SQLAlchemy picks for the scheme: plain `postgresql` is not psycopg2 in 2.1.
    if engine_kind == "create_async_engine":
        dialect = create_async_engine(f"{scheme}://").sync_engine.dialect
    else:
        dialect = sqlalchemy.create_engine(f"{scheme}://").dialect
    outcomes = {
        f"{name}={value}": classify(name, error, port)
        for (name, value), error in zip(probes, errors)
    }
    json.dump(
        {
            "dialect": f"{dialect.name}+{dialect.driver}",
            "dialect_class": qualified(type(dialect)),
            "outcomes": outcomes,
        },
        sys.stdout,
    )
    return 0


def classify(name: str, error: BaseException | None, port: int) -> dict:
    if error is None:
        raise SystemExit(f"{name}: connected, yet nothing listens on the port")
    if isinstance(error, TimeoutError):
        raise SystemExit(f"{name}: no answer within {ATTEMPT_TIMEOUT_SECONDS} s")
    message = str(error).splitlines()[0] if str(error) else ""
    message = re.sub(rf"\b{port}\b", "PORT", message)
    cause = getattr(error, "orig", None) or error.__cause__
    rejected = REJECTED.search(message)
    if rejected:
        named = rejected.group("a") or rejected.group("b") or rejected.group("c")
        if named != name:
            raise SystemExit(f"{name}: the driver refused another parameter: {message}")
        outcome = "rejected"
    elif isinstance(error, ConnectionRefusedError) or REFUSED.search(message):
        outcome = "accepted"
    else:
        outcome = "invalid-value"
    return {
        "outcome": outcome,
        "exception": qualified(type(error)),
        "cause": qualified(type(cause)) if cause is not None else None,
        "message": message,
    }


def qualified(cls: type) -> str:
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


if __name__ == "__main__":
    sys.exit(main())
