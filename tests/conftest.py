"""Shared fixtures: a real SQLite file migrated by the real runner, a fake clock, and the scheduler on them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.db.connection import Database
from bot.db.jobs import JobRepo
from bot.db.migrate import migrate
from bot.scheduling import Scheduler


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kohtaamo.db")
    await migrate(database)
    yield database
    await database.close()


@pytest.fixture
async def scheduler(db: Database, clock: FakeClock) -> Scheduler:
    """The real scheduler on ``db`` without timers: tests move ``clock`` and call ``run_due``."""
    s = Scheduler(JobRepo(db), clock, timers=False)
    await s.start()
    return s
