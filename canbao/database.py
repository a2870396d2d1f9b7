"""The ledger's PostgreSQL: an external server named by URL, or an embedded one.

The embedded server is pgserver's PostgreSQL 16: it listens on a Unix socket only (no TCP
port, so no password to leak), keeps its files in the data directory across runs, and is
stopped when the last process using it exits.
"""

from __future__ import annotations

import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from canbao.settings import Settings

LEDGER_DATABASE = "canbao"


class DatabaseUnavailable(Exception):
    """The configured database cannot be reached; the message is one line, password masked."""


def describe(conninfo: str) -> str:
    """A safe description of a connection string: user@host:port/db, never the password."""
    try:
        parts = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "<unparseable database URL>"
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    user = parts.get("user") or ""
    auth = f"{user}:****@" if parts.get("password") else (f"{user}@" if user else "")
    return f"postgresql://{auth}{host}:{port}/{parts.get('dbname', '')}"


def check_reachable(conninfo: str, timeout: int = 5) -> None:
    try:
        with psycopg.connect(conninfo, connect_timeout=timeout) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailable(
            f"cannot reach the database at {describe(conninfo)}: {first_line}"
        ) from None


def ensure_database(server_conninfo: str, dbname: str) -> str:
    """Create `dbname` on the server if it is missing; return a conninfo for it."""
    with psycopg.connect(server_conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(dbname)))
    return make_conninfo(server_conninfo, dbname=dbname)


def embedded_server(data_dir: Path, cleanup_mode: str | None = "stop") -> Any:
    """Start (or join) the embedded PostgreSQL in `data_dir` (a pgserver handle). A directory it
    cannot use is refused in one line that says what to do, never with initdb's traceback."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and falls back
        # to /tmp/runtime-$UID, which is what we want; the warning would only alarm users.
        warnings.simplefilter("ignore")
        import pgserver  # imported here: starting a server is never a side effect of import

    try:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        return pgserver.get_server(data_dir, cleanup_mode=cleanup_mode)
    except (OSError, subprocess.CalledProcessError, AssertionError) as failed:
        said = getattr(failed, "stderr", None) or getattr(failed, "output", None) or str(failed)
        text = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
        first = next((line for line in text.strip().splitlines() if line.strip()), type(failed).__name__)
        raise DatabaseUnavailable(
            f"the embedded PostgreSQL cannot start in {data_dir}: {first.strip()} — choose another directory "
            "with --data-dir / CANBAO_DATA_DIR (empty or one it made before), or set DATABASE_URL") from None


def start_embedded(data_dir: Path, cleanup_mode: str | None = "stop") -> str:
    """Start (or join) the embedded PostgreSQL in `data_dir`; return the server's conninfo."""
    return str(embedded_server(data_dir, cleanup_mode).get_uri())


@contextmanager
def ledger_database(settings: Settings) -> Iterator[str]:
    """Yield a conninfo for the ledger database, starting the embedded server if needed and
    stopping it on the way out when this was its last user (not only at interpreter exit:
    a process ended by a signal never gets there)."""
    if settings.database_url:
        check_reachable(settings.database_url)
        yield settings.database_url
        return
    server = embedded_server(settings.data_dir)
    try:
        yield ensure_database(server.get_uri(), LEDGER_DATABASE)
    finally:
        server.cleanup()
