"""What the bot asked of the double: every REST request, in order, with a way to wait for one."""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Recorded:
    """One REST request the bot made. ``path`` has no ``/api/v10`` prefix."""

    method: str
    path: str
    query: dict[str, str]
    json: Any | None
    files: list[tuple[str, bytes, str]]
    headers: dict[str, str]
    status: int
    response: Any = None
    at: float = field(default=0.0, compare=False)

    def matches(self, method: str | None, path_regex: str | re.Pattern[str]) -> bool:
        if method not in (None, "*") and self.method != method.upper():
            return False
        return re.fullmatch(path_regex, self.path) is not None

    def __repr__(self) -> str:
        return f"<Recorded {self.method} {self.path} -> {self.status}>"


class CallLog:
    def __init__(self) -> None:
        self.calls: list[Recorded] = []
        self._changed = asyncio.Event()

    def append(self, rec: Recorded) -> None:
        self.calls.append(rec)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def matching(self, method: str | None, path_regex: str, after: int = 0) -> list[Recorded]:
        return [c for c in self.calls[after:] if c.matches(method, path_regex)]

    async def wait_for(
        self, method: str | None, path_regex: str, within: float, after: int | None
    ) -> Recorded:
        """First matching call at index >= ``after`` (0 when None), waiting for it if needed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        start = after or 0
        while True:
            for rec in self.calls[start:]:
                if rec.matches(method, path_regex):
                    return rec
            start = max(start, len(self.calls))
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n  ".join(f"{c.method} {c.path} -> {c.status}" for c in self.calls[-15:])
                raise AssertionError(
                    f"no {method} {path_regex} call within {within} s; last calls:\n  {recent or '(none)'}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
