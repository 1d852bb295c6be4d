"""Throwaway PostgreSQL server on loopback for the test session.

Usage::

    server = PostgresServer()
    if not server.start():          # False: no PostgreSQL binaries on this machine
        pytest.skip("no PostgreSQL")
    url = server.create_database("t_orders")   # postgresql+psycopg://postgres@127.0.0.1:PORT/t_orders
    ...
    server.stop()                   # also registered with atexit

initdb refuses to run as root, so under root every server binary runs through
``runuser -u postgres --`` and the temporary directory is chowned to ``postgres``.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def find_bindir() -> Path | None:
    """Directory holding initdb/pg_ctl: ``pg_config --bindir``, else the highest /usr/lib/postgresql/*/bin."""
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10, check=True)
        bindir = Path(out.stdout.strip())
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    except (OSError, subprocess.SubprocessError):
        pass

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", Path(path).parent.parent.name))

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One throwaway cluster (trust auth, user ``postgres``) in a temp dir, listening on 127.0.0.1 only."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir
        self.port: int | None = None
        self.tmpdir: Path | None = None
        self._as_root = os.geteuid() == 0

    @classmethod
    def attach(cls, *, port: int, tmpdir: str, bindir: str) -> PostgresServer:
        """A server another process started and will stop (`describe()` there): the pytest-xdist workers
        share the controller's (tests/conftest.py)."""
        server = cls(Path(bindir))
        server.port, server.tmpdir = port, Path(tmpdir)
        return server

    def describe(self) -> dict[str, object]:
        """What `attach` needs, for another process."""
        return {"port": self.port, "tmpdir": str(self.tmpdir), "bindir": str(self.bindir)}

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the maintenance database ``postgres``."""
        return self.url_for("postgres")

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL of database ``dbname`` on this server."""
        if self.port is None:
            raise RuntimeError("PostgresServer is not started")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str | Path, timeout: float = 120) -> tuple[int, str]:
        """Run a server binary (as user postgres when we are root); return (exit code, output)."""
        cmd = [str(a) for a in args]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        # Output goes to a file, not a pipe: pg_ctl start forks the postmaster, which must not hold our pipe.
        with tempfile.TemporaryFile() as out:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                  cwd=self.tmpdir, timeout=timeout, check=False)
            out.seek(0)
            return proc.returncode, out.read().decode(errors="replace")

    def start(self) -> bool:
        """Create and start the cluster. False if no PostgreSQL binaries exist; RuntimeError if start fails."""
        if self.port is not None:
            return True
        self.bindir = self.bindir or find_bindir()
        if self.bindir is None:
            return False
        self.tmpdir = Path(tempfile.mkdtemp(prefix="contractbot-pg-"))
        atexit.register(self.stop)
        if self._as_root:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                self.stop()
                raise RuntimeError("running as root but there is no 'postgres' user to run initdb as") from None
            os.chown(self.tmpdir, pw.pw_uid, pw.pw_gid)
        data = self.tmpdir / "data"
        rc, out = self._run(self.bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust",
                            "-E", "UTF8", "--locale=C", "--no-sync")
        if rc != 0:
            self.stop()
            raise RuntimeError(f"initdb failed ({rc}):\n{out}")
        last_error = ""
        for _attempt in range(3):  # a picked port can be taken by someone else before the server binds it
            port = _free_port()
            rc, out = self._run(self.bindir / "pg_ctl", "-D", data, "-l", self.tmpdir / "server.log",
                                "-o", self._options(port), "-w", "-t", "30", "start")
            if rc == 0 and self._wait_ready(port, deadline=time.monotonic() + 30):
                self.port = port
                return True
            last_error = f"pg_ctl start exited {rc}:\n{out}\n{self._log_tail()}"
            self._run(self.bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")

    def _options(self, port: int) -> str:
        """The server's settings, the same at `start` and `resume`: loopback only, no durability (a
        throwaway cluster), room for the connections of every xdist worker sharing it."""
        return (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.tmpdir} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300")

    @staticmethod
    def _wait_ready(port: int, deadline: float) -> bool:
        """Retry a real connection until it works or the deadline passes."""
        while True:
            try:
                with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                                     connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return True
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.1)

    def _log_tail(self) -> str:
        try:
            return (self.tmpdir / "server.log").read_text(errors="replace")[-4000:]  # type: ignore[operator]
        except OSError:
            return ""

    def pause(self) -> None:
        """Stop the server but keep its data and port: the database is down until `resume()`."""
        if self.port is None or self.tmpdir is None or self.bindir is None:
            raise RuntimeError("PostgresServer is not started")
        rc, out = self._run(self.bindir / "pg_ctl", "-D", self.tmpdir / "data", "-m", "fast", "-w", "stop")
        if rc != 0:
            raise RuntimeError(f"pg_ctl stop failed ({rc}):\n{out}")

    def resume(self) -> None:
        """Start a paused server again on the same port, with the same data."""
        if self.port is None or self.tmpdir is None or self.bindir is None:
            raise RuntimeError("PostgresServer is not started")
        rc, out = self._run(self.bindir / "pg_ctl", "-D", self.tmpdir / "data", "-l", self.tmpdir / "server.log",
                            "-o", self._options(self.port), "-w", "-t", "30", "start")
        if rc != 0 or not self._wait_ready(self.port, deadline=time.monotonic() + 30):
            raise RuntimeError(f"PostgreSQL did not start again ({rc}):\n{out}\n{self._log_tail()}")

    def create_database(self, name: str, template: str = "template0") -> str:
        """(Re)create database ``name`` as a copy of ``template`` (default: empty) and return its URL."""
        if not (_NAME_RE.match(name) and _NAME_RE.match(template)):
            raise ValueError(f"unsafe database name: {name!r} / {template!r}")
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                # FILE_COPY (PostgreSQL 15+; older servers only copy files) copies the template's files
                # instead of writing each page to the WAL: ~0.09 s less per test database (the default
                # WAL_LOG is for big templates, ours is a few MB).
                version = int(conn.execute(sa.text("SHOW server_version_num")).scalar_one())
                strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
                conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}'))
        finally:
            engine.dispose()
        return self.url_for(name)

    def disconnect_all(self, name: str) -> None:
        """Close every connection to database ``name`` (what ``DROP DATABASE … WITH (FORCE)`` does first)."""
        if not _NAME_RE.match(name):
            raise ValueError(f"unsafe database name: {name!r}")
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True, connect_timeout=10) as conn:
            conn.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))  # waits for them to end

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` (its connections are closed first) when a test is done with it, so the
        cluster's files do not pile up for `stop` to delete at the very end of the session (about 0.02 s a
        database, ~400 files each: seconds of teardown on the last test of a worker). Best effort: a server
        that a test stopped and did not start again keeps the database until `stop`."""
        if not _NAME_RE.match(name):
            raise ValueError(f"unsafe database name: {name!r}")
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except sa.exc.OperationalError:
            pass
        finally:
            engine.dispose()

    def stop(self) -> None:
        """Stop the server immediately and delete its directory. Safe to call twice."""
        atexit.unregister(self.stop)
        if self.tmpdir is None:
            return
        if self.bindir is not None and (self.tmpdir / "data" / "postmaster.pid").exists():
            self._run(self.bindir / "pg_ctl", "-D", self.tmpdir / "data", "-m", "immediate", "stop", timeout=60)
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        self.tmpdir = None
        self.port = None


def start_postgres() -> str | None:
    """Start a server for the session and return the URL of its ``postgres`` database, or None without binaries."""
    server = PostgresServer()
    return server.url if server.start() else None
