"""The scenario store, run against SQLite and a real PostgreSQL server.

PostgreSQL: when the Debian server binaries exist (/usr/lib/postgresql/*/bin/initdb; `make test` installs the
`postgresql` package as root), a throw-away cluster is created in a temporary folder and started on a free
loopback port for this session; each test gets its own database. Without the binaries the PostgreSQL cases
skip with that reason.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dashboard import store as S
from dashboard.i18n import catalog, t

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = {
    "lang": "zh", "home_city": "chengdu", "cities": ["chengdu", "hangzhou"], "preset": "graduate",
    "archetypes": [{"name": "PhD returnee", "profile": {"degree": "phd", "age": 31, "origin": "returnee"}},
                   {"name": "Master, AI", "profile": {"degree": "master", "field": "ai", "age": 25}}],
    "weights": {"money": 30, "housing": 20, "status": 20, "startup": 5, "industry": 15, "market": 10},
    "edits": [{"city": "chengdu", "incentive": "cd-living-subsidy", "amount": {"value": 30000}}],
    "offers": [{"city": "chengdu", "incentives": [{"id": "x", "names": {"zh": "补贴", "en": "subsidy"}}]}],
    "note": "方案 — Chengdu vs Hangzhou",
}


# ------------------------------------------------------------------------------------------ PostgreSQL server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PgServer:
    port: int
    user: str
    pg_ctl: tuple[str, ...]   # the pg_ctl command line up to its arguments (with runuser when root)
    start_args: tuple[str, ...]

    def crash_and_restart(self) -> None:
        """Kill the server as a crash would (immediate shutdown: no checkpoint, recovery on start), restart."""
        subprocess.run([*self.pg_ctl, "-m", "immediate", "-w", "stop"], check=True, capture_output=True, timeout=60)
        subprocess.run([*self.pg_ctl, *self.start_args], check=True, capture_output=True, timeout=120)

    def url(self, db: str, port: int | None = None) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{port or self.port}/{db}"

    def admin(self, db: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=db, autocommit=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not initdbs:
        pytest.skip("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): install the Debian "
                    "'postgresql' package (make test does, as root)")
    bindir = Path(initdbs[-1]).parent
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the 'postgres' system user
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no 'postgres' user to run the PostgreSQL server as")
        if not shutil.which("runuser"):
            pytest.skip("running as root and 'runuser' is missing (needed to start PostgreSQL as 'postgres')")
        run_as = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="atlas-pg-"))  # under /tmp: 'postgres' cannot enter pytest's root-only dirs
    if owner is not None:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data, port = base / "data", _free_port()
    pg_ctl = (*run_as, str(bindir / "pg_ctl"), "-D", str(data))
    start = ("-l", str(base / "server.log"), "-w", "-t", "60", "-o", f"-c listen_addresses=127.0.0.1 -c port={port} "
             f"-c unix_socket_directories={base} -c max_connections=100", "start")
    try:
        subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "atlas", "-E", "UTF8",
                        "--locale=C"], check=True, capture_output=True, timeout=120)
        subprocess.run([*pg_ctl, *start], check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        log = (base / "server.log").read_text(errors="replace") if (base / "server.log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        out = getattr(e, "stderr", b"") or b""
        pytest.fail(f"could not start PostgreSQL: {e}\n{out.decode(errors='replace')}\n{log}")
    try:
        yield PgServer(port, "atlas", pg_ctl, start)
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server."""
    name = "t_" + uuid.uuid4().hex[:16]
    with pg_server.admin() as c:
        c.execute(f"CREATE DATABASE {name}")
    try:
        yield pg_server.url(name)
    finally:
        with pg_server.admin() as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of the backend under test."""
    if backend == "sqlite":
        (tmp_path / "var").mkdir()  # the store creates it; tests that use a raw engine first need it
        yield f"sqlite:///{tmp_path / 'var' / 'scenarios.sqlite3'}"
        return
    yield request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[S.Store]:
    s = S.Store(db_url, lock_timeout_s=2)
    yield s
    s.close()


def _raw(url: str) -> sa.Engine:
    """A plain engine for poking at the database behind the store's back."""
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


# ------------------------------------------------------------------------------------------ CRUD


def test_crud_round_trip_and_versions(store: S.Store) -> None:
    assert store.list() == []
    created = store.create("  Chengdu plan  ", PAYLOAD)
    assert created.name == "Chengdu plan" and created.version == 1
    got = store.get("Chengdu plan")
    assert got.payload == S.ScenarioPayload.model_validate(PAYLOAD)
    assert got.payload.archetypes[0].profile == {"degree": "phd", "age": 31, "origin": "returnee"}
    assert got.payload.note == "方案 — Chengdu vs Hangzhou" and got.created_at.tzinfo is not None

    changed = {**PAYLOAD, "lang": "en", "weights": {"money": 100}}
    assert store.save("Chengdu plan", changed, expected_version=1) == 2
    assert store.save("Chengdu plan", changed, expected_version=2) == 3
    got = store.get("Chengdu plan")
    assert (got.version, got.payload.lang, got.payload.weights) == (3, "en", {"money": 100.0})
    assert got.updated_at >= got.created_at

    store.create("b", {})
    assert [i.name for i in store.list()] == ["b", "Chengdu plan"]  # case-insensitive order
    assert [i.version for i in store.list()] == [1, 3]

    store.delete("Chengdu plan")
    with pytest.raises(S.NotFoundError):
        store.get("Chengdu plan")
    with pytest.raises(S.NotFoundError):
        store.delete("Chengdu plan")
    assert [i.name for i in store.list()] == ["b"]


def test_survives_a_restart(db_url: str) -> None:
    with S.Store(db_url) as a:
        a.create("kept", PAYLOAD)
        a.save("kept", {**PAYLOAD, "note": "second"}, 1)
    with S.Store(db_url) as b:
        got = b.get("kept")
        assert (got.version, got.payload.note) == (2, "second")
        assert b.schema_version == S.SCHEMA_VERSION


def test_rename_and_duplicate(store: S.Store) -> None:
    store.create("a", PAYLOAD)
    store.create("b", {"note": "bee"})
    with pytest.raises(S.NameExistsError, match="“b” already exists"):
        store.rename("a", "b")
    with pytest.raises(S.NameExistsError):
        store.duplicate("a", "b")
    with pytest.raises(S.NameExistsError):
        store.create("a", {})
    assert store.get("b").payload.note == "bee" and store.get("a").payload.note == PAYLOAD["note"]  # untouched
    with pytest.raises(S.NotFoundError):
        store.rename("nope", "c")
    with pytest.raises(S.NotFoundError):
        store.duplicate("nope", "c")

    store.save("a", {**PAYLOAD, "note": "v2"}, 1)
    copy = store.duplicate("a", "a copy")
    assert copy.version == 1 and copy.payload.note == "v2"
    store.save("a copy", {"note": "copy changed"}, 1)
    assert store.get("a").payload.note == "v2"  # independent

    store.rename("a", "renamed")
    assert store.get("renamed").version == 2
    with pytest.raises(S.NotFoundError):
        store.get("a")
    assert [i.name for i in store.list()] == ["a copy", "b", "renamed"]


@pytest.mark.parametrize("bad", ["", "   ", "x" * (S.MAX_NAME_CHARS + 1), "tab\there", "nl\nx", "\x7f", None, 3])
def test_invalid_names_are_refused(tmp_path: Path, bad: object) -> None:
    with S.Store(f"sqlite:///{tmp_path / 's.sqlite3'}") as s:
        with pytest.raises(S.InvalidNameError) as e:
            s.create(bad, {})  # type: ignore[arg-type]
        assert str(S.MAX_NAME_CHARS) in e.value.message("zh")
        assert s.list() == []
        s.create("x" * S.MAX_NAME_CHARS, {})  # the limit itself is allowed


# ------------------------------------------------------------------------------------------ concurrency


def test_concurrent_save_is_detected(db_url: str) -> None:
    """Two sessions open version 1; the first save wins, the second is refused with both versions and writes
    nothing; the loser can reload and save on top."""
    with S.Store(db_url) as one, S.Store(db_url) as two:
        one.create("shared", PAYLOAD)
        mine, theirs = one.get("shared"), two.get("shared")
        assert one.save("shared", {**PAYLOAD, "note": "one"}, mine.version) == 2
        with pytest.raises(S.ConflictError) as e:
            two.save("shared", {**PAYLOAD, "note": "two"}, theirs.version)
        assert (e.value.current_version, e.value.params["expected"]) == (2, 1)
        assert "version 1" in str(e.value) and "第 2 版" in e.value.message("zh")
        assert two.get("shared").payload.note == "one"
        assert two.save("shared", {**PAYLOAD, "note": "two"}, two.get("shared").version) == 3

        # renamed or deleted elsewhere: a distinct conflict, still nothing written
        one.rename("shared", "moved")
        with pytest.raises(S.ConflictGoneError):
            two.save("shared", PAYLOAD, 3)
        with pytest.raises(S.ConflictError):
            two.delete("moved", expected_version=1)
        assert one.get("moved").version == 3
        two.delete("moved", expected_version=3)
        assert one.list() == []


def test_racing_saves_exactly_one_wins(db_url: str) -> None:
    n = 6
    stores = [S.Store(db_url, lock_timeout_s=20) for _ in range(n)]
    try:
        stores[0].create("race", PAYLOAD)
        barrier = threading.Barrier(n)
        results: list[object] = [None] * n

        def go(i: int) -> None:
            barrier.wait()
            try:
                results[i] = stores[i].save("race", {**PAYLOAD, "note": f"writer {i}"}, 1)
            except S.StoreError as e:
                results[i] = e

        threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        winners = [i for i, r in enumerate(results) if r == 2]
        assert len(winners) == 1, results
        assert all(isinstance(r, S.ConflictError) for i, r in enumerate(results) if i != winners[0]), results
        got = stores[0].get("race")
        assert (got.version, got.payload.note) == (2, f"writer {winners[0]}")
    finally:
        for s in stores:
            s.close()


def test_concurrent_first_start_migrates_once(db_url: str) -> None:
    out: list[object] = []

    def start() -> None:
        try:
            s = S.Store(db_url, lock_timeout_s=20)
            out.append(s.schema_version)
            s.close()
        except Exception as e:
            out.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert out == [S.SCHEMA_VERSION] * 4
    with _raw(db_url).connect() as c:
        assert c.execute(sa.text("SELECT version FROM schema_migrations ORDER BY version")).scalars().all() == [1, 2]


# ------------------------------------------------------------------------------------------ crashes

_CRASH_IN_TRANSACTION = """
import os, sys
from sqlalchemy import event
from dashboard.store import Store
s = Store(sys.argv[1])
# Dies after the UPDATE has run, inside the open transaction, just before COMMIT reaches the database.
event.listen(s.engine, "commit", lambda conn: os._exit(17))
s.save("crash", {"note": "new", "edits": [{"i": i, "text": "new" * 100} for i in range(1000)]}, 1)
os._exit(0)
"""

_SAVE_IN_A_LOOP = """
import sys
from dashboard.store import Store
s = Store(sys.argv[1], lock_timeout_s=30)
payloads = [{"note": tag, "edits": [{"i": i, "text": tag * 200} for i in range(1000)]} for tag in ("a", "b")]
v = s.get("crash").version
i = 0
while True:
    v = s.save("crash", payloads[i % 2], v)
    i += 1
    print(i, flush=True)
"""


def _child(script: str, url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, url], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_crash_inside_the_save_transaction_keeps_the_old_scenario(db_url: str) -> None:
    with S.Store(db_url) as s:
        s.create("crash", {"note": "old"})
    proc = _child(_CRASH_IN_TRANSACTION, db_url)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 17, err
    with S.Store(db_url) as s:
        got = s.get("crash")  # checksum and schema verified
        assert (got.version, got.payload.note, got.payload.edits) == (1, "old", [])
        assert s.save("crash", {"note": "after"}, 1) == 2  # no lock left behind


@pytest.mark.slow
def test_killed_while_saving_in_a_loop_leaves_a_whole_scenario(db_url: str) -> None:
    """SIGKILL a process that saves two large payloads alternately, at random moments, several times: every
    time the row is exactly one of the two payloads (or the initial one), and the store keeps working."""
    big = {tag: [{"i": i, "text": tag * 200} for i in range(1000)] for tag in ("a", "b")}
    with S.Store(db_url) as s:
        s.create("crash", {"note": "start"})
    rng = random.Random(5)
    last_version = 1
    for _ in range(4):
        proc = _child(_SAVE_IN_A_LOOP, db_url)
        assert proc.stdout is not None
        for _ in range(rng.randint(1, 4)):  # let it complete a few saves, then kill it at a random moment
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else "child exited"
        time.sleep(rng.uniform(0, 0.03))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        with S.Store(db_url) as s:
            got = s.get("crash")
            assert got.version >= last_version
            last_version = got.version
            note = got.payload.note
            assert note in ("a", "b"), note
            assert got.payload.edits == big[note]
    with S.Store(db_url) as s:
        assert s.save("crash", {"note": "done"}, last_version) == last_version + 1


@pytest.mark.slow
def test_postgres_server_crashed_mid_save_keeps_a_whole_scenario(pg_server: PgServer, pg_url: str) -> None:
    """The database server itself dies (immediate shutdown) while a client saves in a loop; after the restart
    the row is one whole payload, and a store opened before the crash works again without being recreated."""
    big = {tag: [{"i": i, "text": tag * 200} for i in range(1000)] for tag in ("a", "b")}
    with S.Store(pg_url) as s:
        s.create("crash", {"note": "start"})
        proc = _child(_SAVE_IN_A_LOOP, pg_url)
        assert proc.stdout is not None
        for _ in range(3):
            assert proc.stdout.readline()
        pg_server.crash_and_restart()
        proc.wait(60)
        assert proc.returncode != 0
        assert proc.stderr is not None and "UnreachableError" in proc.stderr.read()  # the writer was told
        got = s.get("crash")
        assert got.payload.note in ("a", "b") and got.payload.edits == big[got.payload.note]
        assert s.save("crash", {"note": "after"}, got.version) == got.version + 1


# ------------------------------------------------------------------------------------------ migrations


def test_upgrade_from_a_version_1_database(db_url: str) -> None:
    """A database left at schema 1 (no checksum column) with a row in it is upgraded on start: the column is
    added and back-filled, the row opens, and a damaged row is detected afterwards."""
    engine = S.create_engine(db_url)
    assert S.migrate(engine, target=1) == 1
    old_payload = json.dumps({"note": "from v1", "lang": "zh"})
    with engine.begin() as c:
        cols = {col["name"] for col in sa.inspect(c).get_columns("scenarios")}
        assert "payload_sha256" not in cols
        c.execute(sa.text("INSERT INTO scenarios (name, payload, version, created_at, updated_at) "
                          "VALUES ('old', :p, 4, '2026-01-02T03:04:05+00:00', '2026-01-02T03:04:05+00:00')"),
                  {"p": old_payload})
    engine.dispose()

    with S.Store(db_url) as s:
        assert s.schema_version == 2
        got = s.get("old")
        assert (got.version, got.payload.note, got.payload.lang) == (4, "from v1", "zh")
        assert s.save("old", {"note": "now v2"}, 4) == 5
    with _raw(db_url).begin() as c:
        rows = c.execute(sa.text("SELECT version, name FROM schema_migrations ORDER BY version")).all()
        assert [tuple(r) for r in rows] == [(1, "initial"), (2, "payload_checksum")]
        c.execute(sa.text("UPDATE scenarios SET payload = replace(payload, 'now v2', 'edited') WHERE name = 'old'"))
    with S.Store(db_url) as s:
        with pytest.raises(S.CorruptScenarioError, match="damaged"):
            s.get("old")
        assert [i.name for i in s.list()] == ["old"]  # listing still works
        with pytest.raises(S.CorruptScenarioError):
            s.duplicate("old", "copy")


def test_a_newer_schema_is_refused_and_left_alone(db_url: str) -> None:
    with S.Store(db_url) as s:
        s.create("x", {})
    with _raw(db_url).begin() as c:
        c.execute(sa.text("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')"))
    with pytest.raises(S.SchemaTooNewError) as e:
        S.Store(db_url)
    assert "99" in e.value.message("zh")
    with _raw(db_url).connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM scenarios")).scalar() == 1


def test_migrations_are_numbered_in_order() -> None:
    assert [m[0] for m in S.MIGRATIONS] == list(range(1, len(S.MIGRATIONS) + 1))
    assert len(S.MIGRATIONS) == S.SCHEMA_VERSION


# ------------------------------------------------------------------------------------------ database trouble


def test_read_only_database_refuses_writes_and_keeps_reading(db_url: str, backend: str) -> None:
    """SQLite: the file opened with a read-only URI (mode=ro), which is what a read-only file or folder looks
    like to SQLite; chmod is not used because these tests run as root, whom chmod does not stop. PostgreSQL:
    the database set to default_transaction_read_only, which is how a read-only replica behaves."""
    with S.Store(db_url) as s:
        s.create("kept", PAYLOAD)
    if backend == "sqlite":
        path = sa.make_url(db_url).database
        ro_url = f"sqlite:///file:{path}?mode=ro&uri=true"
    else:
        dbname = sa.make_url(db_url).database
        with _raw(db_url).connect() as c:
            c.execute(sa.text(f"ALTER DATABASE {dbname} SET default_transaction_read_only = on"))
            c.commit()
        ro_url = db_url
    with S.Store(ro_url) as ro:
        assert [i.name for i in ro.list()] == ["kept"]
        assert ro.get("kept").payload.note == PAYLOAD["note"]
        for attempt in (lambda: ro.create("new", {}), lambda: ro.save("kept", {}, 1),
                        lambda: ro.rename("kept", "other"), lambda: ro.duplicate("kept", "copy"),
                        lambda: ro.delete("kept"), lambda: ro.import_json(ro.export_json("kept"), "imported")):
            with pytest.raises(S.ReadOnlyError) as e:
                attempt()
            assert "read-only" in str(e.value) and "只读" in e.value.message("zh")
        got = ro.get("kept")  # still readable, unchanged
        assert (got.version, got.payload.note) == (1, PAYLOAD["note"])
        assert [i.name for i in ro.list()] == ["kept"]


def test_locked_database_times_out_with_a_message_and_recovers(db_url: str, backend: str) -> None:
    """Another program holds the write lock (SQLite: an open BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR
    UPDATE on the row). A save waits the lock timeout and then says so; reads keep working; once the lock is
    gone the same save succeeds."""
    with S.Store(db_url, lock_timeout_s=0.3) as s:
        s.create("busy", PAYLOAD)
        if backend == "sqlite":
            holder = sqlite3.connect(sa.make_url(db_url).database, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            release = holder.rollback
        else:
            eng = _raw(db_url)
            conn = eng.connect()
            conn.execute(sa.text("SELECT * FROM scenarios WHERE name = 'busy' FOR UPDATE"))
            release = conn.rollback
        try:
            t0 = time.monotonic()
            with pytest.raises(S.LockedError) as e:
                s.save("busy", {"note": "blocked"}, 1)
            assert time.monotonic() - t0 < 10
            assert "busy" in str(e.value) and "0.3" in str(e.value) and "正忙" in e.value.message("zh")
            assert s.get("busy").payload.note == PAYLOAD["note"]  # reads are not blocked
            assert [i.name for i in s.list()] == ["busy"]
        finally:
            release()
            (holder if backend == "sqlite" else conn).close()
        assert s.save("busy", {"note": "later"}, 1) == 2


def _sqlite_store(tmp_path: Path) -> tuple[S.Store, Path]:
    path = tmp_path / "var" / "scenarios.sqlite3"
    return S.Store(f"sqlite:///{path}"), path


def test_sqlite_defaults_wal_foreign_keys_full_sync(tmp_path: Path) -> None:
    s, _ = _sqlite_store(tmp_path)
    with s, s.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


@pytest.mark.parametrize("what", ["file", "folder"])
def test_sqlite_file_deleted_while_running_is_written_back(tmp_path: Path, what: str) -> None:
    """The database file (with its -wal/-shm), or the whole var/ folder, is deleted while the store is open:
    the next call writes every saved scenario back from the still-open handle and says so in a notice."""
    s, path = _sqlite_store(tmp_path)
    with s:
        s.create("one", PAYLOAD)
        s.create("two", {"note": "two"})
        s.save("two", {"note": "two v2"}, 1)
        if what == "file":
            for f in path.parent.glob(path.name + "*"):
                f.unlink()
        else:
            shutil.rmtree(path.parent)
        assert not path.exists()
        assert [i.name for i in s.list()] == ["one", "two"]
        notices = s.take_notices()
        assert [n.key for n in notices] == ["store.restored"] and "写回" in notices[0].message("zh")
        assert s.get("two").payload.note == "two v2"
        assert s.save("two", {"note": "two v3"}, 2) == 3
        assert s.take_notices() == []
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with S.Store(f"sqlite:///{path}") as again:
        assert again.get("two").payload.note == "two v3" and again.get("one").payload.note == PAYLOAD["note"]


def test_sqlite_file_replaced_while_running_is_used(tmp_path: Path) -> None:
    """Someone moves another scenario database (a backup) over the file while the store is open: the store
    switches to it (and says so) instead of writing into the replaced file, and the old -wal is not replayed
    into the new file."""
    s, path = _sqlite_store(tmp_path)
    with s:
        s.create("before", PAYLOAD)
        backup = tmp_path / "backup.sqlite3"
        with S.Store(f"sqlite:///{backup}") as other:
            other.create("from backup", {"note": "b"})
        s.create("after", {"note": "lost with the replaced file"})  # in the old file's WAL, not checkpointed
        os.replace(backup, path)
        assert [i.name for i in s.list()] == ["from backup"]
        assert [n.key for n in s.take_notices()] == ["store.replaced"]
        s.create("new", {})
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with S.Store(f"sqlite:///{path}") as again:
        assert [i.name for i in again.list()] == ["from backup", "new"]


def test_sqlite_file_deleted_and_not_recoverable_is_recreated_with_a_message(tmp_path: Path) -> None:
    """The fallback when no open handle can supply a copy (simulated by closing the store's handles first, as
    if they had been lost): a new empty database is created, the call says the file was lost, the store keeps
    working."""
    s, path = _sqlite_store(tmp_path)
    with s:
        s.create("one", {})
        s.engine.dispose()
        assert s._anchor is not None
        s._anchor.close()
        s._anchor = None
        for f in path.parent.glob(path.name + "*"):
            f.unlink()
        with pytest.raises(S.DatabaseMissingError) as e:
            s.list()
        assert "empty database" in str(e.value) and "空数据库" in e.value.message("zh")
        assert s.list() == []
        s.create("fresh", {})
        assert [i.name for i in s.list()] == ["fresh"]


def test_sqlite_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(S.UnwritableError) as e:
        S.Store(f"sqlite:///{blocker / 'scenarios.sqlite3'}")
    assert "ATLAS_DB_PATH" in str(e.value) and "无法" in e.value.message("zh")


def test_sqlite_read_only_url_on_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(S.StoreError) as e:
        S.Store(f"sqlite:///file:{tmp_path / 'none.sqlite3'}?mode=ro&uri=true")
    assert isinstance(e.value, S.UnwritableError | S.DatabaseMissingError)


class _Proxy:
    """A TCP forwarder in front of the PostgreSQL server, so the test can make the server 'unreachable' and
    bring it back without stopping the shared test server."""

    def __init__(self, target_port: int, port: int | None = None):
        self.target, self.port = target_port, port or _free_port()
        self._socks: list[socket.socket] = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._socks += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # wakes accept(); close() alone leaves the port listening on Linux
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for s in self._socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


def test_postgres_unreachable_at_start(pg_server: PgServer) -> None:
    t0 = time.monotonic()
    with pytest.raises(S.UnreachableError) as e:
        S.Store(pg_server.url("postgres", port=_free_port()), connect_timeout_s=2)
    assert time.monotonic() - t0 < 10
    assert "cannot be reached" in str(e.value) and "无法连接" in e.value.message("zh")


def test_postgres_server_gone_and_back_while_running(pg_server: PgServer, pg_url: str) -> None:
    name = sa.make_url(pg_url).database
    assert name
    proxy = _Proxy(pg_server.port)
    try:
        with S.Store(pg_server.url(name, port=proxy.port), connect_timeout_s=2) as s:
            s.create("kept", PAYLOAD)
            proxy.stop()
            with pytest.raises(S.UnreachableError):
                s.save("kept", {"note": "lost?"}, 1)
            with pytest.raises(S.UnreachableError):
                s.list()
            proxy = _Proxy(pg_server.port, proxy.port)
            got = s.get("kept")  # reconnects by itself
            assert (got.version, got.payload.note) == (1, PAYLOAD["note"])
            assert s.save("kept", {"note": "after"}, 1) == 2
    finally:
        proxy.stop()


def test_postgres_connections_killed_are_replaced(pg_url: str) -> None:
    with S.Store(pg_url) as s:
        s.create("x", {})
        with _raw(pg_url).connect() as c:
            killed = c.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        assert killed >= 1
        assert [i.name for i in s.list()] == ["x"]


# ------------------------------------------------------------------------------------------ export / import


def test_export_import_round_trip(store: S.Store) -> None:
    store.create("orig", PAYLOAD)
    store.save("orig", {**PAYLOAD, "note": "saved twice"}, 1)
    data = store.export_json("orig")
    doc = json.loads(data)
    assert doc["format"] == S.EXPORT_FORMAT and doc["format_version"] == 1 and doc["name"] == "orig"
    assert "方案" not in data.decode("ascii", errors="ignore") and "成都" not in data.decode()  # UTF-8, not escaped
    with pytest.raises(S.NameExistsError):
        store.import_json(data)
    imported = store.import_json(data, name="imported")
    assert imported.version == 1 and imported.payload == store.get("orig").payload
    store.delete("orig")
    again = store.import_json(data)
    assert again.name == "orig" and again.payload.note == "saved twice"
    assert store.import_json(b"\xef\xbb\xbf" + data, name="with BOM").payload == again.payload


def _envelope(payload: object, **over: object) -> bytes:
    doc = {"format": S.EXPORT_FORMAT, "format_version": 1, "name": "x", "payload": payload, **over}
    return json.dumps(doc).encode()


BAD_FILES: list[tuple[str, bytes, type[S.StoreError], str]] = [
    ("not utf-8", b"\xff\xfe{}", S.BadFileError, "not UTF-8"),
    ("not json", b"{\"format\": ", S.BadFileError, "not valid JSON"),
    ("nan", b'{"format": "talent-incentive-atlas/scenario", "format_version": 1, "name": "x", '
            b'"payload": {"weights": {"money": NaN}}}', S.BadFileError, "NaN"),
    ("duplicate key", b'{"format": "talent-incentive-atlas/scenario", "format": "x"}', S.BadFileError, "duplicate key"),
    ("a list", b"[1, 2]", S.BadFileError, '"format"'),
    ("other format", json.dumps({"format": "geojson"}).encode(), S.BadFileError, '"format"'),
    ("newer format", _envelope({}, format_version=2), S.NewerFormatError, "format 2"),
    ("bad format_version", _envelope({}, format_version="1"), S.BadFileError, "format_version"),
    ("newer payload", _envelope({"schema_version": 7}), S.NewerFormatError, "format 7"),
    ("unknown envelope key", _envelope({}, extra=1), S.BadFileError, "extra"),
    ("payload not object", _envelope([1]), S.BadFileError, "payload"),
    ("name missing", _envelope({}, name=None), S.BadFileError, "name"),
    ("unknown payload field", _envelope({"colour": "red"}), S.InvalidScenarioError, "colour: unknown field"),
    ("bad profile", _envelope({"archetypes": [{"name": "a", "profile": {"age": 200}}]}), S.InvalidScenarioError,
     "archetypes.0.profile: age: Input should be less than or equal to 80"),
    ("unknown profile field", _envelope({"archetypes": [{"name": "a", "profile": {"salary": 1}}]}),
     S.InvalidScenarioError, "salary: unknown field"),
    ("duplicate archetypes", _envelope({"archetypes": [{"name": "a"}, {"name": "a"}]}), S.InvalidScenarioError,
     "unique"),
    ("negative weight", _envelope({"weights": {"money": -1}}), S.InvalidScenarioError, "between 0 and 1000"),
    ("bad lang", _envelope({"lang": "fr"}), S.InvalidScenarioError, "lang"),
    ("bad city id", _envelope({"home_city": "Chengdu!"}), S.InvalidScenarioError, "home_city"),
    ("edits not a list", _envelope({"edits": {"a": 1}}), S.InvalidScenarioError, "edits"),
    ("too many offers", _envelope({"offers": [{}] * (S.MAX_OFFERS + 1)}), S.InvalidScenarioError, "offers"),
    ("nested too deep", _envelope({"edits": [json.loads("[" * 100 + "]" * 100)]}), S.BadFileError, "deeper than"),
    ("pathologically deep", b"[" * 200_000 + b"]" * 200_000, S.BadFileError, "nested too deeply"),
    ("huge", b" " * (S.MAX_IMPORT_BYTES + 1), S.TooLargeError, "at most 8 MB"),
]


@pytest.mark.parametrize(("data", "exc", "text"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES])
def test_import_refuses_bad_files_with_a_message(tmp_path: Path, data: bytes, exc: type, text: str) -> None:
    with S.Store(f"sqlite:///{tmp_path / 's.sqlite3'}") as s:
        with pytest.raises(exc) as e:
            s.import_json(data)
        assert type(e.value) is exc
        assert text in str(e.value), str(e.value)
        zh = e.value.message("zh")
        assert zh != str(e.value) and re.search(r"[\u4e00-\u9fff]", zh)
        assert s.list() == []


def test_oversize_payload_refused_on_save(store: S.Store) -> None:
    store.create("big", {})
    huge = {"edits": [{"text": "x" * 5000} for _ in range(S.MAX_PAYLOAD_BYTES // 5000 + 10)][: S.MAX_EDITS]}
    huge["offers"] = [{"blob": "y" * 400_000}] * 10
    with pytest.raises(S.InvalidScenarioError, match="MB as JSON"):
        store.save("big", huge, 1)
    assert store.get("big").version == 1


@pytest.mark.parametrize(("payload", "text"), [
    ({"edits": [{"x": float("nan")}]}, "nan is not a number JSON allows"),
    ({"edits": [{"x": {1, 2}}]}, "set is not a JSON value"),
    ({"offers": [{"when": object()}]}, "object is not a JSON value"),
    ({"weights": {"money": float("inf")}}, "weights.money"),
])
def test_payload_must_be_plain_json(payload: dict, text: str) -> None:
    with pytest.raises(S.InvalidScenarioError, match=re.escape(text)):
        S.validate_payload(payload)


# ------------------------------------------------------------------------------------------ config, messages


def test_url_from_env(tmp_path: Path) -> None:
    assert S.url_from_env({"ATLAS_DB_URL": " postgresql+psycopg://u@h/db ", "ATLAS_DB_PATH": "/x"}) == \
        "postgresql+psycopg://u@h/db"
    url = sa.make_url(S.url_from_env({"ATLAS_DB_PATH": str(tmp_path / "a b" / "s.sqlite3")}))
    assert url.get_backend_name() == "sqlite" and url.database == str(tmp_path / "a b" / "s.sqlite3")
    default = sa.make_url(S.url_from_env({}))
    assert default.database == str(ROOT / "var" / "scenarios.sqlite3")
    assert "/var/" in (ROOT / ".gitignore").read_text()


def test_store_from_env_creates_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATLAS_DB_URL", raising=False)
    monkeypatch.setenv("ATLAS_DB_PATH", str(tmp_path / "deep" / "er" / "s.sqlite3"))
    with S.Store() as s:
        s.create("x", {})
    assert (tmp_path / "deep" / "er" / "s.sqlite3").exists()


def _error_classes() -> list[type[S.StoreError]]:
    out, todo = [], [S.StoreError]
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return out


def test_every_error_has_both_languages_and_formats() -> None:
    keys = catalog()
    params = {"name": "n", "max": 100, "expected": 1, "current": 2, "where": "/w", "seconds": "5", "reason": "r",
              "found": 3, "supported": 2, "detail": "d", "problems": "p", "size_mb": "9", "max_mb": "8"}
    classes = _error_classes()
    assert len(classes) >= 18
    for cls in classes:
        assert cls.key in keys, cls
        for lang in ("en", "zh"):
            text = t(cls.key, lang, **params)
            assert "{" not in text and text != cls.key
    for key in ("store.restored", "store.replaced"):
        assert key in keys
