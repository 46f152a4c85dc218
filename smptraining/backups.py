"""Consistent copies of the database while the site runs, and bringing one back.

SQLite: the online backup API (sqlite3.Connection.backup) copies pages under a read lock, so
the copy is one moment of the database even with gunicorn workers writing. PostgreSQL:
pg_dump's custom format, one snapshot, restored by pg_restore in a single transaction.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from django.db import connection

SQLITE_HEADER = b"SQLite format 3\x00"
PGDUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


def backup_name(now: datetime) -> str:
    suffix = "sqlite3" if connection.vendor == "sqlite" else "pgdump"
    return f"smptraining-{now:%Y%m%d-%H%M%S}.{suffix}"


def backup(directory: Path, *, now: datetime) -> Path:
    """Write a consistent copy of the database into the directory; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / backup_name(now)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        _run(_pg_tool("pg_dump"), "--format=custom", f"--file={path}", "--no-owner")
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    return path


def check_backup(path: Path) -> None:
    """Refuse a missing file, or one that is not a whole backup of this kind of database."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    with path.open("rb") as file:
        header = file.read(16)
    if connection.vendor == "sqlite":
        if header != SQLITE_HEADER:
            raise BackupError(f"{path} is not an SQLite backup (wrong header).")
        try:
            copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                result = copy.execute("PRAGMA integrity_check").fetchone()[0]
                tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
            finally:
                copy.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is damaged: {error}.") from None
        if result != "ok":
            raise BackupError(f"{path} is damaged: {result}.")
        if "django_migrations" not in tables:
            raise BackupError(f"{path} is not a backup of this site (no django_migrations).")
    else:
        if not header.startswith(PGDUMP_HEADER):
            raise BackupError(f"{path} is not a pg_dump custom-format backup (wrong header).")
        try:
            _run(_pg_tool("pg_restore"), "--list", str(path), database=False)
        except BackupError as error:
            raise BackupError(f"{path} is damaged: {error}") from None


def restore(path: Path) -> None:
    """Replace the database's contents with the backup, whole or not at all."""
    check_backup(path)
    if connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        connection.ensure_connection()
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()  # pg_restore drops tables this connection may hold locks on
        _run(
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(path),
        )


def _pg_tool(name: str) -> str:
    """pg_dump or pg_restore from PATH, else from Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit() else 0,
    )
    if not candidates:
        raise BackupError(f"{name} was not found: install PostgreSQL's client programs.")
    return candidates[-1]


def _run(program: str, *args: str, database: bool = True) -> None:
    settings = connection.settings_dict
    env = dict(os.environ)
    if database:
        args = (*args, f"--dbname={settings['NAME']}")
        env.update(
            {
                key: str(value)
                for key, value in {
                    "PGHOST": settings.get("HOST"),
                    "PGPORT": settings.get("PORT"),
                    "PGUSER": settings.get("USER"),
                    "PGPASSWORD": settings.get("PASSWORD"),
                }.items()
                if value
            }
        )
    result = subprocess.run([program, *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{Path(program).name} failed.")
