"""Small shared helpers: snowflakes, timestamps, JSON responses and API errors."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

DISCORD_EPOCH_MS = 1420070400000


class Snowflakes:
    """Generates realistic, strictly increasing snowflakes (timestamp + worker + counter)."""

    def __init__(self, worker: int = 1) -> None:
        self._worker = worker & 0x1F
        self._last = 0

    def next(self) -> int:
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (now_ms << 22) | (self._worker << 17)
        self._last = max(candidate, self._last + 1)
        return self._last


def snowflake_time(snowflake: int) -> datetime:
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def iso(dt: datetime | None = None) -> str:
    """Discord's timestamp format: ISO 8601 with microseconds and +00:00."""
    dt = dt or datetime.now(UTC)
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


def sid(value: Any) -> str | None:
    """A snowflake as Discord serialises it (string), or None."""
    return None if value is None else str(value)


class ApiError(Exception):
    """Raised by route handlers; turned into Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def not_found(code: int, what: str) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


def invalid_form(errors: dict[str, Any]) -> ApiError:
    """50035 with Discord's nested ``errors`` shape: {"field": {"_errors": [{code, message}]}}."""
    return ApiError(400, 50035, "Invalid Form Body", errors)


def field_error(code: str, message: str) -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


def nest_error(path: list[str | int], code: str, message: str) -> dict[str, Any]:
    """Build {"a": {"0": {"b": {"_errors": [...]}}}} for a field path."""
    node: dict[str, Any] = field_error(code, message)
    for key in reversed(path):
        node = {str(key): node}
    return node


def bucket_hash(route_key: str) -> str:
    return hashlib.sha1(route_key.encode()).hexdigest()[:16]


def ratelimit_headers(route_key: str, *, limit: int = 1000, reset_after: float = 1.0) -> dict[str, str]:
    """Headers of a bucket that is never close to empty (discord.py then never throttles itself)."""
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(limit - 1),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket_hash(route_key),
    }


def json_response(
    data: Any, status: int = 200, *, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response with ``Content-Type`` exactly ``application/json`` (discord.py needs that)."""
    body = json.dumps(data, ensure_ascii=False).encode()
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(body=body, status=status, headers=all_headers)


def empty_response(headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=204, headers=headers or {})
