"""Saved scenarios: named bundles of what a user set up (archetypes, weights, what-if edits, uploaded offers,
language), kept in SQLite by default or in any database SQLAlchemy can reach (PostgreSQL is tested).

Where: ``ATLAS_DB_URL`` (any SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``) wins; otherwise a
SQLite file at ``ATLAS_DB_PATH`` (default ``<repo>/var/scenarios.sqlite3``; the folder is created; ``var/`` is
git-ignored). A read-only SQLite URL (``sqlite:///file:/path/x.sqlite3?mode=ro&uri=true``) opens and lists
scenarios and refuses every write with a clear message.

Design, and why:

* **One row per scenario** (``scenarios``: id, unique name, the payload as canonical JSON text, its SHA-256,
  ``version``, created/updated timestamps). The payload is validated (``ScenarioPayload``, pydantic) on the
  way in *and* on the way out, and its checksum is verified on read, so a row changed outside the atlas is
  reported as damaged instead of crashing a page; listing never parses payloads, so one bad row cannot hide
  the others.
* **Optimistic concurrency.** Two browser sessions may open the same scenario; a save is a compare-and-swap
  in one statement, ``UPDATE ... SET version = version + 1 WHERE name = ? AND version = ?``. If someone saved
  since you opened it, no row matches and ``ConflictError`` says so (with both versions): nothing is silently
  overwritten, and nobody holds a lock while thinking. Pessimistic locks would have to live across page
  reruns and browser tabs that may never come back; a version counter costs one integer and works the same
  on SQLite and PostgreSQL (under PostgreSQL's READ COMMITTED the second UPDATE waits for the first and then
  re-checks the WHERE clause against the new row, so exactly one of two racing saves wins).
* **Every write is one transaction**, so a crash (the server killed mid-save, the power cut) leaves the old
  or the new scenario, whole. On SQLite the transaction is opened with ``BEGIN IMMEDIATE`` (it takes the
  write lock up front, so a busy database waits ``busy_timeout`` instead of failing half-way through a read
  that wanted to become a write); Python's sqlite3 module is put in autocommit mode and the atlas issues
  BEGIN itself, because the module's own transaction handling does not wrap DDL (migrations) in a
  transaction.
* **SQLite settings**: WAL journal (readers never block the writer and the writer never blocks readers, so
  a long save never freezes other sessions' pages, and a crash mid-write leaves only an uncommitted tail in
  the WAL that the next open ignores), ``synchronous=FULL`` (a save the user saw confirmed survives a power
  cut; saves are rare, the cost is nothing), ``foreign_keys=ON``, a busy timeout (``lock_timeout_s``,
  default 5 s). PostgreSQL gets ``lock_timeout`` and ``connect_timeout`` to the same effect, and a pool
  pre-ping so a restarted server is reconnected to transparently.
* **Migrations**: ``MIGRATIONS`` is an ordered list of (number, name, function). ``migrate()`` runs at
  startup; each pending migration runs in its own transaction together with the row that records it in
  ``schema_migrations``, so a database is always at a whole version. Concurrent starts are serialised
  (``BEGIN IMMEDIATE`` on SQLite, an advisory transaction lock on PostgreSQL) and re-read the version after
  taking the lock. A database from a newer atlas is refused, not touched. Migration 1 creates the tables
  from a frozen definition (not from the current model); migration 2 adds and back-fills the checksum
  column. To change the schema: append a function, never edit a shipped one.
* **Failures are messages, not tracebacks**: every database problem is a ``StoreError`` subclass whose
  ``message(lang)`` is English or Chinese (``dashboard/i18n/strings_store.yaml``): read-only, locked/busy,
  unreachable server, damaged row, schema too new, file missing. A failed write leaves every saved scenario
  as it was, and the store keeps serving reads.
* **The SQLite file deleted while the atlas runs**: the store keeps one connection open on the file for its
  lifetime; if the path disappears (or the whole ``var/`` folder), the next call writes the still-open copy
  back to the path with ``VACUUM INTO`` (every scenario survives) and records a notice; if that cannot be
  done, a new empty database is created and ``DatabaseMissingError`` is raised once. A different file moved
  onto the path (a backup put back) is detected by its inode and used from then on (notice
  ``store.replaced``); the old file's ``-wal``/``-shm`` are removed first so they are not replayed into it.
  Other processes that had the old file open are not covered. Notices: ``Store.take_notices()``.
* **Export/import**: a small JSON envelope (``format``, ``format_version``, ``name``, ``exported_at``,
  ``payload``); import refuses oversize files, invalid UTF-8/JSON, NaN, duplicate keys, excessive nesting,
  newer formats and invalid payloads, each with a message naming the problem.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from dashboard.engine.profile import ProfileError, parse_profile
from dashboard.i18n import t

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB_PATH = ROOT / "var" / "scenarios.sqlite3"
ENV_URL = "ATLAS_DB_URL"
ENV_PATH = "ATLAS_DB_PATH"

PAYLOAD_SCHEMA_VERSION = 1
EXPORT_FORMAT = "talent-incentive-atlas/scenario"
EXPORT_FORMAT_VERSION = 1
MAX_NAME_CHARS = 100
MAX_PAYLOAD_BYTES = 4_000_000   # canonical JSON of one payload (five uploaded city files are ~1 MB)
MAX_IMPORT_BYTES = 8_000_000    # an exported file (indented) may be larger than its compact payload
MAX_JSON_DEPTH = 64
MAX_ARCHETYPES = 50
MAX_EDITS = 1000
MAX_OFFERS = 20

# ------------------------------------------------------------------------------------------------ payload

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


def _json_problem(x: Any) -> str | None:
    """Why ``x`` is not plain, finite JSON nested at most MAX_JSON_DEPTH deep (None if it is). Iterative, so
    a hostile file cannot exhaust the stack."""
    stack: list[tuple[Any, int, str]] = [(x, 1, "")]
    while stack:
        v, d, where = stack.pop()
        if d > MAX_JSON_DEPTH:
            return f"{where or 'value'}: nested deeper than {MAX_JSON_DEPTH} levels"
        if isinstance(v, dict):
            for k, c in v.items():
                if not isinstance(k, str):
                    return f"{where or 'value'}: key {k!r} is not a string"
                stack.append((c, d + 1, f"{where}.{k}" if where else k))
        elif isinstance(v, list):
            stack.extend((c, d + 1, f"{where}[{i}]") for i, c in enumerate(v))
        elif isinstance(v, float):
            if v != v or v in (float("inf"), float("-inf")):
                return f"{where or 'value'}: {v} is not a number JSON allows"
        elif v is not None and not isinstance(v, str | int | bool):
            return f"{where or 'value'}: {type(v).__name__} is not a JSON value"
    return None


class Archetype(BaseModel):
    """A named applicant profile; the profile is checked against the engine's Profile model."""

    model_config = ConfigDict(extra="forbid")

    name: Label
    profile: dict[str, Any] = Field(default_factory=dict)

    @field_validator("profile")
    @classmethod
    def _valid_profile(cls, v: dict[str, Any]) -> dict[str, Any]:
        try:
            p = parse_profile(v)
        except ProfileError as e:
            raise ValueError("; ".join(e.problems)) from None
        return p.model_dump(mode="json", exclude_unset=True)


class ScenarioPayload(BaseModel):
    """What a saved scenario holds. Generic JSON where other modules own the meaning (edits, offers): the
    store checks they are plain, finite, bounded JSON; the benchmark engine and the catalog loader check
    their content when they use them."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    schema_version: Literal[1] = PAYLOAD_SCHEMA_VERSION
    lang: Literal["en", "zh"] = "en"
    note: str | None = Field(None, max_length=2000)
    home_city: Ident | None = None
    cities: list[Ident] = Field(default_factory=list, max_length=50)
    archetypes: list[Archetype] = Field(default_factory=list, max_length=MAX_ARCHETYPES)
    preset: Ident | None = None
    weights: dict[Ident, float] = Field(default_factory=dict, max_length=50)
    edits: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_EDITS)
    offers: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_OFFERS)

    @field_validator("weights")
    @classmethod
    def _weights_in_range(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, w in v.items() if not 0 <= w <= 1000]
        if bad:
            raise ValueError(f"weights must be between 0 and 1000: {', '.join(bad)}")
        return v

    @model_validator(mode="after")
    def _plain_bounded_json(self) -> ScenarioPayload:
        names = [a.name for a in self.archetypes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"archetype names must be unique: {', '.join(dupes)}")
        for field in ("edits", "offers"):
            problem = _json_problem(getattr(self, field))
            if problem:
                raise ValueError(f"{field}{'' if problem.startswith('[') else '.'}{problem}")
        try:
            size = len(canonical_json(self).encode("utf-8"))
        except (TypeError, ValueError) as e:
            raise ValueError(f"not plain JSON ({e})") from None
        if size > MAX_PAYLOAD_BYTES:
            raise ValueError(f"{size / 1e6:.1f} MB as JSON; at most {MAX_PAYLOAD_BYTES / 1e6:.0f} MB")
        return self


def canonical_json(p: ScenarioPayload) -> str:
    """Compact, key-sorted JSON: the stored form, and the text the checksum covers."""
    return json.dumps(p.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def validate_payload(data: Any) -> ScenarioPayload:
    """Parsed JSON -> ScenarioPayload, or InvalidScenarioError with one 'where: what' line per problem."""
    if isinstance(data, ScenarioPayload):
        data = data.model_dump(mode="json")
    if not isinstance(data, dict):
        raise InvalidScenarioError([f"payload: expected a JSON object, got {type(data).__name__}"])
    try:
        return ScenarioPayload.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            where = ".".join(str(p) for p in err["loc"]) or "payload"
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {'unknown field' if err['type'] == 'extra_forbidden' else msg}")
        raise InvalidScenarioError(problems) from None


# ------------------------------------------------------------------------------------------------ errors


class StoreError(Exception):
    """A scenario-store failure with a message in English and Chinese (``message(lang)``)."""

    key = "store.db_error"

    def __init__(self, **params: Any):
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)


class NotFoundError(StoreError):
    key = "store.not_found"


class NameExistsError(StoreError):
    key = "store.name_exists"


class InvalidNameError(StoreError):
    key = "store.invalid_name"


class ConflictError(StoreError):
    """Someone saved (or renamed/deleted) the scenario since this session read it; nothing was written."""

    key = "store.conflict"

    @property
    def current_version(self) -> int | None:
        return self.params.get("current")


class ConflictGoneError(ConflictError):
    key = "store.conflict_gone"


class InvalidScenarioError(StoreError):
    key = "store.invalid"

    def __init__(self, problems: list[str], **params: Any):
        self.problems = problems
        shown = problems[:10] + ([f"... {len(problems) - 10} more"] if len(problems) > 10 else [])
        super().__init__(problems="; ".join(shown), **params)


class BadFileError(InvalidScenarioError):
    key = "store.bad_file"


class TooLargeError(InvalidScenarioError):
    key = "store.too_large"

    def __init__(self, size: int, limit: int):
        super().__init__([f"{size} bytes; at most {limit}"], size_mb=f"{size / 1e6:.1f}", max_mb=f"{limit / 1e6:.0f}")


class NewerFormatError(InvalidScenarioError):
    key = "store.newer_format"

    def __init__(self, found: int, supported: int):
        super().__init__([f"format {found}; this version reads up to {supported}"], found=found, supported=supported)


class CorruptScenarioError(StoreError):
    key = "store.corrupt"


class DatabaseError(StoreError):
    """The database itself is the problem (not the scenario): nothing was written."""

    key = "store.db_error"


class ReadOnlyError(DatabaseError):
    key = "store.read_only"


class LockedError(DatabaseError):
    key = "store.locked"


class DatabaseMissingError(DatabaseError):
    key = "store.missing"


class UnwritableError(DatabaseError):
    key = "store.unwritable"


class UnreachableError(DatabaseError):
    key = "store.unreachable"


class SchemaTooNewError(DatabaseError):
    key = "store.schema_too_new"


@dataclass(frozen=True)
class Notice:
    """Something the user should know that did not make an operation fail (e.g. the file was restored)."""

    key: str
    params: Mapping[str, Any]

    def message(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)


# ------------------------------------------------------------------------------------------------ schema

_META = sa.MetaData()
SCENARIOS = sa.Table(
    "scenarios", _META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(MAX_NAME_CHARS), nullable=False, unique=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("payload_sha256", sa.String(64)),
)
SCHEMA_MIGRATIONS = sa.Table(
    "schema_migrations", _META,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("applied_at", sa.String(40), nullable=False),
)


def _m001_initial(conn: sa.Connection) -> None:
    """The first schema, frozen here: later migrations build on exactly this."""
    md = sa.MetaData()
    sa.Table(
        "scenarios", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(MAX_NAME_CHARS), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("name", name="uq_scenarios_name"),
        sa.CheckConstraint("version >= 1", name="ck_scenarios_version"),
    )
    md.create_all(conn)


def _m002_payload_checksum(conn: sa.Connection) -> None:
    """Add the payload checksum and back-fill it, so damage made outside the atlas is detected on read."""
    conn.execute(sa.text("ALTER TABLE scenarios ADD COLUMN payload_sha256 VARCHAR(64)"))
    rows = conn.execute(sa.text("SELECT id, payload FROM scenarios")).all()
    for row_id, payload in rows:
        conn.execute(sa.text("UPDATE scenarios SET payload_sha256 = :h WHERE id = :i"),
                     {"h": _sha256(payload), "i": row_id})


MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "initial", _m001_initial),
    (2, "payload_checksum", _m002_payload_checksum),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
_PG_MIGRATION_LOCK = 0x5CE4A710  # any constant: the advisory lock id serialising concurrent migrations


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def schema_version(conn: sa.Connection) -> int:
    """The database's schema version: 0 for an empty database."""
    if not sa.inspect(conn).has_table("schema_migrations"):
        return 0
    return int(conn.execute(sa.select(sa.func.max(SCHEMA_MIGRATIONS.c.version))).scalar() or 0)


def migrate(engine: sa.Engine, target: int | None = None) -> int:
    """Bring the database to ``target`` (default: the latest) one migration per transaction; return the
    version reached. Safe to call from several processes at once."""
    target = SCHEMA_VERSION if target is None else target
    where = _where(engine.url)
    with engine.connect() as conn, conn.begin():
        version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(where=where, found=version, supported=SCHEMA_VERSION)
    while version < target:
        with engine.connect() as conn:
            conn.execution_options(atlas_write=True)
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
                version = schema_version(conn)  # again, under the lock: another process may have migrated
                if version >= target:
                    break
                if version == 0:
                    SCHEMA_MIGRATIONS.create(conn)
                number, name, step = MIGRATIONS[version]
                step(conn)
                conn.execute(sa.insert(SCHEMA_MIGRATIONS).values(version=number, name=name, applied_at=_now()))
                log.info("scenario store %s: migration %d (%s) applied", where, number, name)
                version = number
    return version


# ------------------------------------------------------------------------------------------------ engine


def url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """ATLAS_DB_URL if set, else SQLite at ATLAS_DB_PATH (default <repo>/var/scenarios.sqlite3)."""
    env = os.environ if environ is None else environ
    if env.get(ENV_URL, "").strip():
        return env[ENV_URL].strip()
    path = Path(env.get(ENV_PATH, "").strip() or DEFAULT_DB_PATH).expanduser().resolve()
    return sa.URL.create("sqlite", database=str(path)).render_as_string()


def _sqlite_file(url: sa.URL) -> tuple[Path | None, bool]:
    """(file path or None for in-memory, opened read-only?) for a SQLite URL."""
    db = url.database or ""
    if db in ("", ":memory:") or url.query.get("mode") == "memory":
        return None, False
    readonly = url.query.get("mode") == "ro"
    if db.startswith("file:"):
        db = db.removeprefix("file:").split("?", 1)[0]
    return Path(db).expanduser().resolve(), readonly


def _where(url: sa.URL) -> str:
    if url.get_backend_name() == "sqlite":
        path, _ = _sqlite_file(url)
        return str(path) if path else ":memory:"
    return url.render_as_string(hide_password=True)


def create_engine(url: str | sa.URL, *, lock_timeout_s: float = 5.0, connect_timeout_s: int = 5) -> sa.Engine:
    """An engine configured as the module docstring explains (SQLite pragmas and BEGIN handling,
    PostgreSQL lock/connect timeouts and pre-ping)."""
    u = sa.make_url(url)
    if u.get_backend_name() != "sqlite":
        kw: dict[str, Any] = {"pool_pre_ping": True}
        if u.get_backend_name() == "postgresql" and u.get_driver_name() in ("psycopg", "psycopg2"):
            kw["connect_args"] = {"connect_timeout": connect_timeout_s,
                                  "options": f"-c lock_timeout={int(lock_timeout_s * 1000)}"}
        return sa.create_engine(u, **kw)

    _, readonly = _sqlite_file(u)
    engine = sa.create_engine(u, connect_args={"timeout": lock_timeout_s})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # autocommit at the driver; the "begin" hook below issues BEGIN
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(lock_timeout_s * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA synchronous = FULL")
            if not readonly:
                try:
                    cur.execute("PRAGMA journal_mode = WAL")
                except sqlite3.OperationalError as e:  # e.g. a read-only file: reads still work
                    log.warning("scenario store: cannot switch to WAL (%s)", e)
        finally:
            cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("atlas_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


# ------------------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class ScenarioInfo:
    id: int
    name: str
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Scenario(ScenarioInfo):
    payload: ScenarioPayload


def _check_name(name: Any) -> str:
    if not isinstance(name, str):
        raise InvalidNameError(max=MAX_NAME_CHARS)
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME_CHARS or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise InvalidNameError(max=MAX_NAME_CHARS)
    return name


class _Gate:
    """Many operations at once, or one file restore alone (a tiny readers-writer lock)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._exclusive = False

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._exclusive)
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._exclusive)
            self._exclusive = True
            self._cond.wait_for(lambda: self._active == 0)
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()


# ------------------------------------------------------------------------------------------------ store


class Store:
    """The scenario store. Thread-safe; share one instance per process (e.g. via st.cache_resource)."""

    def __init__(self, url: str | sa.URL | None = None, *, lock_timeout_s: float = 5.0, connect_timeout_s: int = 5):
        self.url = sa.make_url(url_from_env() if url is None else url)
        self.where = _where(self.url)
        self.lock_timeout_s = lock_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._file, self._readonly = (_sqlite_file(self.url) if self.url.get_backend_name() == "sqlite" else (None, False))
        self._gate = _Gate()
        self._notices: list[Notice] = []
        self._notices_lock = threading.Lock()
        self._anchor: sqlite3.Connection | None = None
        self._file_id: tuple[int, int] | None = None
        self._side_ids: dict[str, tuple[int, int] | None] = {}  # our own -wal/-shm files, to tell them from others
        self._reopen_needed = False  # set when re-opening after a deleted file failed: retried on the next call
        if self._file is not None and not self._readonly:
            try:
                self._file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise UnwritableError(where=self.where, reason=e.strerror or str(e)) from e
        self._engine = self._open()

    # -- lifecycle

    def _open(self) -> sa.Engine:
        """Engine + migrations + the anchor connection that lets a deleted file be written back."""
        engine = create_engine(self.url, lock_timeout_s=self.lock_timeout_s, connect_timeout_s=self._connect_timeout_s)
        try:
            self.schema_version = self._guard(lambda: migrate(engine))
            if self._file is not None and not self._readonly:
                self._anchor = sqlite3.connect(self._file, timeout=self.lock_timeout_s, check_same_thread=False,
                                               isolation_level=None)
                # One read opens the WAL and shared memory now; opened lazily after the file is gone, they fail.
                self._anchor.execute("SELECT count(*) FROM sqlite_master").fetchall()
                self._file_id = self._stat_id()
                self._side_ids = {sfx: self._stat_id(sfx) for sfx in ("-wal", "-shm")}
        except sqlite3.Error as e:  # the anchor's own connect: not wrapped by SQLAlchemy
            engine.dispose()
            raise self._classify(e) from e
        except BaseException:
            engine.dispose()
            raise
        return engine

    def close(self) -> None:
        self._engine.dispose()
        if self._anchor is not None:
            self._anchor.close()
            self._anchor = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    def take_notices(self) -> list[Notice]:
        """Notices since the last call (e.g. 'the file was deleted and has been restored')."""
        with self._notices_lock:
            out, self._notices = self._notices, []
        return out

    # -- the deleted/replaced SQLite file

    def _check_file(self) -> None:
        if self._reopen_needed:
            with self._gate.exclusive():
                if self._reopen_needed:
                    self._engine = self._open()
                    self._reopen_needed = False
            return
        if self._file_id is None or self._file is None:
            return
        if self._stat_id() == self._file_id:
            return
        with self._gate.exclusive():
            now = self._stat_id()
            if now == self._file_id:
                return
            if now is not None:  # someone put another file there (a backup restored by hand): use it
                log.warning("scenario store %s: file replaced while running; reopening", self.where)
                self._reopen()
                self._notice("store.replaced")
                return
            self._restore()

    def _stat_id(self, suffix: str = "") -> tuple[int, int] | None:
        """(device, inode) of the database file (or its -wal/-shm), None if absent."""
        assert self._file is not None
        try:
            st = os.stat(self._file.with_name(self._file.name + suffix))
        except FileNotFoundError:
            return None
        return (st.st_dev, st.st_ino)

    def _close_handles(self) -> None:
        self._engine.dispose()
        if self._anchor is not None:
            self._anchor.close()
            self._anchor = None
        self._file_id = None

    def _restore(self) -> None:
        """The file is gone: write the anchor's still-open copy back to the path, or create an empty database
        and raise DatabaseMissingError. Runs with no other operation of this store in flight.

        Order matters. The copy is made with VACUUM INTO (a consistent snapshot, WAL content included) into a
        temporary file; then every handle on the deleted file is closed, and the old ``-wal``/``-shm`` files
        are removed: SQLite does not remove them for a database that was unlinked, and a new database opened
        next to a stale WAL would replay the old pages into it. Only then does the copy take the path."""
        assert self._file is not None
        tmp = self._file.with_name(self._file.name + ".restoring")
        restored = False
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            tmp.unlink(missing_ok=True)
            if self._anchor is not None:
                self._anchor.execute("VACUUM INTO ?", (str(tmp),))
                restored = True
        except (OSError, sqlite3.Error) as e:
            log.error("scenario store %s: could not restore the deleted file: %s", self.where, e)
        self._close_handles()
        self._reopen_needed = True
        try:
            for suffix in ("-wal", "-shm", "-journal"):
                self._file.with_name(self._file.name + suffix).unlink(missing_ok=True)
            if restored:
                os.replace(tmp, self._file)
            else:
                tmp.unlink(missing_ok=True)
            self._engine = self._open()
            self._reopen_needed = False
        except OSError as e:
            raise UnwritableError(where=self.where, reason=e.strerror or str(e)) from e
        if not restored:
            raise DatabaseMissingError(where=self.where)
        log.warning("scenario store %s: file deleted while running; restored from the open connection", self.where)
        self._notice("store.restored")

    def _reopen(self) -> None:
        """Another file now sits at the path. Our old -wal/-shm (same inodes as when we opened) belong to the
        file that was replaced: SQLite leaves them behind for a moved database, and the new file must not
        replay them. A -wal/-shm that came with the new file is left alone."""
        self._close_handles()
        self._reopen_needed = True
        for sfx, old in self._side_ids.items():
            if old is not None and self._stat_id(sfx) == old:
                self._file.with_name(self._file.name + sfx).unlink(missing_ok=True)  # type: ignore[union-attr]
        self._engine = self._open()
        self._reopen_needed = False

    def _notice(self, key: str) -> None:
        with self._notices_lock:
            self._notices.append(Notice(key, {"where": self.where}))

    # -- errors and transactions

    def _classify(self, e: Exception) -> StoreError:
        """A driver exception -> the StoreError the user can act on."""
        orig = getattr(e, "orig", None) or e
        where = self.where
        if isinstance(orig, sqlite3.Error):
            code = (getattr(orig, "sqlite_errorcode", None) or 0) & 0xFF
            text = str(orig)
            if code == sqlite3.SQLITE_READONLY or "readonly" in text:
                return ReadOnlyError(where=where)
            if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
                return LockedError(where=where, seconds=f"{self.lock_timeout_s:g}")
            if code == sqlite3.SQLITE_CANTOPEN:
                if self._file is not None and not self._file.exists():
                    return DatabaseMissingError(where=where)
                return UnwritableError(where=where, reason=text)
            return DatabaseError(where=where, detail=text)
        sqlstate = getattr(orig, "sqlstate", None) or ""
        if sqlstate in ("25006", "42501"):  # read_only_sql_transaction, insufficient_privilege
            return ReadOnlyError(where=where)
        if sqlstate in ("55P03", "57014", "40P01"):  # lock_not_available, query_canceled, deadlock
            return LockedError(where=where, seconds=f"{self.lock_timeout_s:g}")
        if (sqlstate.startswith(("08", "57P")) or getattr(e, "connection_invalidated", False)
                or (not sqlstate and isinstance(e, sa.exc.OperationalError))):
            return UnreachableError(where=where)
        return DatabaseError(where=where, detail=str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__)

    def _guard(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except (StoreError, sa.exc.IntegrityError):
            raise
        except sa.exc.DBAPIError as e:
            err = self._classify(e)
            log.warning("scenario store %s: %s (%s)", self.where, type(err).__name__, e.orig)
            raise err from e

    @contextlib.contextmanager
    def _tx(self, *, write: bool) -> Iterator[sa.Connection]:
        """One transaction; driver errors become StoreErrors (IntegrityError is left to the caller)."""
        self._check_file()
        with self._gate.shared():
            try:
                with self._engine.connect() as conn:
                    if write:
                        conn.execution_options(atlas_write=True)
                    with conn.begin():
                        yield conn
            except (StoreError, sa.exc.IntegrityError):
                raise
            except sa.exc.DBAPIError as e:
                err = self._classify(e)
                log.warning("scenario store %s: %s (%s)", self.where, type(err).__name__, e.orig)
                raise err from e

    # -- reading

    def list(self) -> list[ScenarioInfo]:
        """Every saved scenario (without payloads), by name."""
        c = SCENARIOS.c
        with self._tx(write=False) as conn:
            rows = conn.execute(sa.select(c.id, c.name, c.version, c.created_at, c.updated_at)).all()
        return sorted((ScenarioInfo(r.id, r.name, r.version, datetime.fromisoformat(r.created_at),
                                    datetime.fromisoformat(r.updated_at)) for r in rows),
                      key=lambda s: (s.name.casefold(), s.name))

    def get(self, name: str) -> Scenario:
        """The scenario with its validated payload; CorruptScenarioError if the row was damaged outside."""
        name = _check_name(name)
        with self._tx(write=False) as conn:
            r = conn.execute(sa.select(SCENARIOS).where(SCENARIOS.c.name == name)).first()
        if r is None:
            raise NotFoundError(name=name)
        return Scenario(r.id, r.name, r.version, datetime.fromisoformat(r.created_at),
                        datetime.fromisoformat(r.updated_at), self._payload_of(r))

    def _payload_of(self, r: sa.Row[Any]) -> ScenarioPayload:
        """A stored row's payload, checked (checksum, then schema): damage is reported, never passed on."""
        if r.payload_sha256 is not None and _sha256(r.payload) != r.payload_sha256:
            log.error("scenario store %s: %r fails its checksum", self.where, r.name)
            raise CorruptScenarioError(name=r.name)
        try:
            return validate_payload(json.loads(r.payload))
        except (ValueError, InvalidScenarioError) as e:
            log.error("scenario store %s: %r does not validate: %s", self.where, r.name, e)
            raise CorruptScenarioError(name=r.name) from None

    def exists(self, name: str) -> bool:
        name = _check_name(name)
        with self._tx(write=False) as conn:
            return conn.execute(sa.select(SCENARIOS.c.id).where(SCENARIOS.c.name == name)).first() is not None

    # -- writing (each call is one transaction)

    def create(self, name: str, payload: ScenarioPayload | Mapping[str, Any]) -> Scenario:
        """A new scenario at version 1; NameExistsError if the name is taken."""
        name = _check_name(name)
        p = validate_payload(payload)
        text, now = canonical_json(p), _now()
        try:
            with self._tx(write=True) as conn:
                row_id = conn.execute(sa.insert(SCENARIOS).values(
                    name=name, payload=text, payload_sha256=_sha256(text), version=1, created_at=now, updated_at=now,
                ).returning(SCENARIOS.c.id)).scalar_one()
        except sa.exc.IntegrityError:
            raise NameExistsError(name=name) from None
        ts = datetime.fromisoformat(now)
        return Scenario(row_id, name, 1, ts, ts, p)

    def save(self, name: str, payload: ScenarioPayload | Mapping[str, Any], expected_version: int) -> int:
        """Overwrite the scenario if it is still at ``expected_version`` (compare-and-swap in one UPDATE);
        return the new version. ConflictError if another session saved, renamed or deleted it since."""
        name = _check_name(name)
        p = validate_payload(payload)
        text = canonical_json(p)
        c = SCENARIOS.c
        current = None
        with self._tx(write=True) as conn:
            done = conn.execute(
                sa.update(SCENARIOS).where(c.name == name, c.version == expected_version)
                .values(payload=text, payload_sha256=_sha256(text), version=c.version + 1, updated_at=_now())
            ).rowcount
            if done != 1:
                current = conn.execute(sa.select(c.version).where(c.name == name)).scalar()
        if done == 1:
            return expected_version + 1
        if current is None:
            raise ConflictGoneError(name=name)
        raise ConflictError(name=name, expected=expected_version, current=current)

    def rename(self, name: str, new_name: str) -> None:
        name, new_name = _check_name(name), _check_name(new_name)
        if name == new_name:
            if not self.exists(name):
                raise NotFoundError(name=name)
            return
        try:
            with self._tx(write=True) as conn:
                done = conn.execute(sa.update(SCENARIOS).where(SCENARIOS.c.name == name)
                                    .values(name=new_name, updated_at=_now())).rowcount
        except sa.exc.IntegrityError:
            raise NameExistsError(name=new_name) from None
        if done != 1:
            raise NotFoundError(name=name)

    def duplicate(self, name: str, new_name: str) -> Scenario:
        """A copy under a new name, at version 1 (its own history starts here). A damaged source is not copied."""
        name, new_name = _check_name(name), _check_name(new_name)
        now = _now()
        try:
            with self._tx(write=True) as conn:
                src = conn.execute(sa.select(SCENARIOS).where(SCENARIOS.c.name == name)).first()
                if src is None:
                    raise NotFoundError(name=name)
                payload = self._payload_of(src)
                row_id = conn.execute(sa.insert(SCENARIOS).values(
                    name=new_name, payload=src.payload, payload_sha256=_sha256(src.payload), version=1,
                    created_at=now, updated_at=now).returning(SCENARIOS.c.id)).scalar_one()
        except sa.exc.IntegrityError:
            raise NameExistsError(name=new_name) from None
        ts = datetime.fromisoformat(now)
        return Scenario(row_id, new_name, 1, ts, ts, payload)

    def delete(self, name: str, expected_version: int | None = None) -> None:
        """Delete; with ``expected_version``, only if nobody saved it since (else ConflictError)."""
        name = _check_name(name)
        c = SCENARIOS.c
        cond = [c.name == name] + ([c.version == expected_version] if expected_version is not None else [])
        with self._tx(write=True) as conn:
            done = conn.execute(sa.delete(SCENARIOS).where(*cond)).rowcount
            current = None if done else conn.execute(sa.select(c.version).where(c.name == name)).scalar()
        if done:
            return
        if current is None:
            raise NotFoundError(name=name)
        raise ConflictError(name=name, expected=expected_version, current=current)

    # -- files

    def export_json(self, name: str) -> bytes:
        """The scenario as a JSON file (UTF-8) that ``import_json`` reads back."""
        s = self.get(name)
        doc = {"format": EXPORT_FORMAT, "format_version": EXPORT_FORMAT_VERSION, "name": s.name,
               "exported_at": _now(), "payload": s.payload.model_dump(mode="json")}
        out = json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")
        if len(out) > MAX_IMPORT_BYTES:  # indentation must never make a valid scenario unimportable
            out = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        return out

    def import_json(self, data: bytes, name: str | None = None) -> Scenario:
        """Create a scenario from an exported file (under ``name`` if given, else the file's name)."""
        doc = parse_export(data)
        return self.create(doc["name"] if name is None else name, doc["payload"])


_ENVELOPE_KEYS = {"format", "format_version", "name", "exported_at", "payload"}


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _reject_constant(c: str) -> Any:
    raise ValueError(f"{c} is not a number JSON allows")


def parse_export(data: bytes) -> dict[str, Any]:
    """Check an exported scenario file: {'name': str, 'payload': ScenarioPayload}, or an InvalidScenarioError
    subclass naming the problem. Nothing is written."""
    if not isinstance(data, bytes | bytearray):
        raise BadFileError([f"expected bytes, got {type(data).__name__}"])
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLargeError(len(data), MAX_IMPORT_BYTES)
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BadFileError([f"not UTF-8 text (byte {e.start})"]) from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as e:
        raise BadFileError([f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"]) from None
    except ValueError as e:
        raise BadFileError([f"not valid JSON: {e}"]) from None
    except RecursionError:
        raise BadFileError([f"nested too deeply (more than {MAX_JSON_DEPTH} levels)"]) from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise BadFileError([f'expected a JSON object with "format": "{EXPORT_FORMAT}"'])
    fv = doc.get("format_version")
    if not isinstance(fv, int) or isinstance(fv, bool) or fv < 1:
        raise BadFileError(["format_version: expected a whole number from 1"])
    if fv > EXPORT_FORMAT_VERSION:
        raise NewerFormatError(fv, EXPORT_FORMAT_VERSION)
    unknown = sorted(set(doc) - _ENVELOPE_KEYS)
    if unknown:
        raise BadFileError([f"unknown field(s): {', '.join(unknown)}"])
    payload = doc.get("payload")
    if not isinstance(payload, dict):
        raise BadFileError(["payload: expected a JSON object"])
    sv = payload.get("schema_version")
    if isinstance(sv, int) and not isinstance(sv, bool) and sv > PAYLOAD_SCHEMA_VERSION:
        raise NewerFormatError(sv, PAYLOAD_SCHEMA_VERSION)
    problem = _json_problem(payload)
    if problem:
        raise BadFileError([f"payload.{problem}"])
    name = doc.get("name")
    if not isinstance(name, str):
        raise BadFileError(["name: expected a string"])
    return {"name": name, "payload": validate_payload(payload)}
