"""Where a member's personal data lives: each feature that keeps any registers here, so the
privacy export (/mydata export) and erasure (/mydata delete) reach all of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class PersonalData(Protocol):
    async def export_member(self, user_id: int) -> list[dict[str, object]]: ...

    async def erase_member(self, user_id: int) -> int: ...


class Privacy:
    def __init__(self, sources: Mapping[str, PersonalData]) -> None:
        self.sources = dict(sources)

    async def export(self, user_id: int) -> dict[str, list[dict[str, object]]]:
        """Everything kept about the member, by feature, as JSON-able values."""
        return {name: await source.export_member(user_id) for name, source in self.sources.items()}

    async def erase(self, user_id: int) -> dict[str, int]:
        """Erase the member everywhere; how many records each feature removed."""
        return {name: await source.erase_member(user_id) for name, source in self.sources.items()}
