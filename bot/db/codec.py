"""How plain Python values are stored: instants as fixed-width ISO 8601 UTC text."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("naive datetime: services work in aware UTC")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def from_db_opt(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)
