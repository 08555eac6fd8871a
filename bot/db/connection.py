"""One aiosqlite connection per process, with a transaction helper."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.errors import ConfigError

Params = Iterable[Any] | dict[str, Any]
T = TypeVar("T")
_in_transaction: ContextVar[bool] = ContextVar("_in_transaction", default=False)


READ_CACHE_MAX = 4096


class Database:
    """Wraps the single connection. Repositories call ``fetch*``/``execute``; writers that
    need several statements to hold together use ``async with db.transaction():``.

    Reads on hot paths (the relay, every interaction's language) may ask for ``cached=True``:
    their rows are kept until the next write of any kind, so a cached read is never stale."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._reads: dict[tuple[str, tuple[Any, ...]], list[aiosqlite.Row]] = {}

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"DATABASE_PATH={path}: cannot create its folder ({exc.strerror})") from None
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA secure_delete=ON")  # erased data is overwritten, not left in free pages
            await conn.execute("CREATE TABLE IF NOT EXISTS _write_probe(x)")
            await conn.execute("DROP TABLE _write_probe")
        except sqlite3.Error as exc:
            raise ConfigError(f"DATABASE_PATH={path}: cannot open the database for writing ({exc})") from None
        return cls(conn, path)

    async def close(self) -> None:
        await self._conn.close()

    async def empty_wal(self) -> None:
        """Copy the write-ahead log into the database file and empty it, so no old page of a
        changed or deleted row stays in the log (deleted content is zeroed: secure_delete)."""
        await self.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error. Nested use joins the outer one.
        Statements of other tasks wait until the transaction ends (one connection)."""
        if _in_transaction.get():
            yield self
            return
        async with self._lock:
            token = _in_transaction.set(True)
            self._reads.clear()
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
                await self._conn.execute("COMMIT")
            finally:
                self._reads.clear()  # nothing read inside the transaction outlives it
                _in_transaction.reset(token)

    async def _run(self, op: Callable[[], Awaitable[T]]) -> T:
        if _in_transaction.get():
            return await op()
        async with self._lock:
            return await op()

    # Each call below is one hop to aiosqlite's thread: with many interactions in flight the
    # hops, not SQLite, are what costs (bench/README.md).

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""

        async def op() -> int:
            changed = (await self._conn.execute(sql, params)).rowcount
            if changed:  # an UPDATE that matched nothing (a lost claim) leaves every read valid
                self._reads.clear()
            return changed

        return await self._run(op)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT; return the new row id."""

        async def op() -> int:
            row = await self._conn.execute_insert(sql, params)
            self._reads.clear()
            assert row is not None
            return int(row[0])

        return await self._run(op)

    async def fetchone(self, sql: str, params: Params = (), *, cached: bool = False) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params, cached=cached)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = (), *, cached: bool = False) -> list[aiosqlite.Row]:
        key = (sql, tuple(params)) if cached and not isinstance(params, dict) else None
        if key is not None and key in self._reads:
            return list(self._reads[key])

        async def op() -> list[aiosqlite.Row]:
            rows = list(await self._conn.execute_fetchall(sql, params))
            if key is not None and not _in_transaction.get():
                if len(self._reads) >= READ_CACHE_MAX:
                    self._reads.clear()
                self._reads[key] = rows
            return list(rows)

        return await self._run(op)

    async def executescript(self, sql: str) -> None:
        async def op() -> None:
            self._reads.clear()
            await self._conn.executescript(sql)

        await self._run(op)

    async def rollback_if_open(self) -> None:
        self._reads.clear()
        if self._conn.in_transaction:
            await self._conn.execute("ROLLBACK")

    async def backup(self, target: Path) -> None:
        """SQLite online backup of the live database into ``target``."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(target) as dest:
            await self._conn.backup(dest)
