"""Shared fixtures: a real SQLite file migrated by the real runner, and a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.db.connection import Database
from bot.db.migrate import migrate


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kohtaamo.db")
    await migrate(database)
    yield database
    await database.close()
