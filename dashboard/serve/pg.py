"""A PostgreSQL server on the loopback interface for the scenario store of several app processes.

The same recipe as the store tests (tests/test_store.py): Debian's server binaries
(/usr/lib/postgresql/<v>/bin), ``initdb`` with trust authentication for one role, ``listen_addresses`` limited
to 127.0.0.1, a socket directory inside the cluster's folder. As root, the server runs as the ``postgres``
system user (initdb refuses root). ``folder`` persists the cluster (``make serve`` keeps it in var/postgres);
without it a throw-away cluster lives in a temporary folder and is removed on stop.

Trust on loopback is for one machine you control. On a real host use a managed or properly configured
PostgreSQL with a password or certificate and give its URL in ATLAS_DB_URL (README "Scale").
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

USER = "atlas"
DB = "atlas"


class PgUnavailable(RuntimeError):
    """PostgreSQL could not be started here; the message says why, in one line."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


@dataclass
class PgServer:
    folder: Path
    port: int
    temporary: bool
    run_as: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{DB}"

    def _pg_ctl(self) -> list[str]:
        bd = bindir()
        assert bd is not None
        return [*self.run_as, str(bd / "pg_ctl"), "-D", str(self.folder / "data")]

    def stop(self) -> None:
        subprocess.run([*self._pg_ctl(), "-m", "fast", "-w", "stop"], capture_output=True, timeout=60)
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)


def start(folder: Path | None = None, port: int | None = None) -> PgServer:
    """Create (if new) and start a cluster; raise PgUnavailable with a one-line reason."""
    bd = bindir()
    if bd is None:
        raise PgUnavailable("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): "
                            "install the Debian 'postgresql' package, or set ATLAS_DB_URL")
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as e:
            raise PgUnavailable("running as root and no 'postgres' user to run PostgreSQL as") from e
        if not shutil.which("runuser"):
            raise PgUnavailable("running as root and 'runuser' is missing (needed to start PostgreSQL as 'postgres')")
        run_as = ["runuser", "-u", "postgres", "--"]
    temporary = folder is None
    base = Path(tempfile.mkdtemp(prefix="atlas-pg-")) if folder is None else folder.resolve()
    base.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    server = PgServer(base, port or _free_port(), temporary, run_as)
    data = base / "data"
    try:
        if not (data / "PG_VERSION").exists():
            subprocess.run([*run_as, str(bd / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "-E", "UTF8",
                            "--locale=C"], check=True, capture_output=True, timeout=120)
        opts = (f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories={base} "
                "-c max_connections=100")
        subprocess.run([*server._pg_ctl(), "-l", str(base / "server.log"), "-w", "-t", "60", "-o", opts, "start"],
                       check=True, capture_output=True, timeout=120)
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=server.port, user=USER, dbname="postgres", autocommit=True) as c:
            if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB,)).fetchone() is None:
                c.execute(f"CREATE DATABASE {DB}")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        log = (base / "server.log").read_text(errors="replace").strip().splitlines()[-1:] \
            if (base / "server.log").exists() else []
        if temporary:
            shutil.rmtree(base, ignore_errors=True)
        raise PgUnavailable(f"PostgreSQL did not start in {base}: {type(e).__name__} {' '.join(log)}".strip()) from e
    return server
