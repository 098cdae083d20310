"""A throwaway PostgreSQL server for the store tests.

``postgres_server`` (session scope) runs Debian's ``initdb`` into a temporary folder and
``pg_ctl start`` on a free port; as root it runs them as the ``postgres`` user (PostgreSQL
refuses to run as root).  ``fresh_pg_url()`` creates an empty database per test.  A missing
PostgreSQL skips the tests, or fails them under MARSAD_ALL_TESTS=1 (see conftest.need).

Import the fixtures into a test module with ``from pg import postgres_server  # noqa: F401``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import need


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    cands = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return cands[-1] if cands else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    need(_has_psycopg(), "psycopg 3 is not installed (pip install 'marsad[postgres]')")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    need(bool(initdb and pg_ctl), "PostgreSQL server binaries (initdb, pg_ctl) not found: "
         "apt-get install postgresql")
    assert initdb and pg_ctl
    as_root = os.geteuid() == 0
    run_as: list[str] = []
    if as_root:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            need(False, "running as root and there is no 'postgres' user to run the server as")
            raise
        run_as = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="marsad-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if as_root:
        for p in (base, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    user = "postgres"
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(run_as + cmd, capture_output=True, text=True, env=env, timeout=120)

    r = run([initdb, "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"])
    if r.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        need(False, f"initdb failed: {r.stderr.strip().splitlines()[-1:]}")
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " \
           "-c full_page_writes=off -c max_connections=50"
    r = run([pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "server.log"), "-w", "-t", "60", "start"])
    if r.returncode != 0:
        log = (base / "server.log").read_text(errors="replace") if (base / "server.log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        need(False, f"pg_ctl start failed: {(r.stderr + log).strip().splitlines()[-1:]}")
    try:
        yield PostgresServer("127.0.0.1", port, user)
    finally:
        run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


def _has_psycopg() -> bool:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return True
