"""Discord's REST rate limits, enforced by the double when a test or benchmark asks for it (opt-in).

    d.enforce_rate_limits(scale=0.1)      # every window x0.1: "5 per 5 s" becomes "5 per 0.5 s"
    ... drive the bot ...
    assert d.ratelimits.total_429s == 0   # or: > 0 and the work still got done (the bot recovered)
    d.stop_enforcing_rate_limits()        # back to a bucket that is never near empty

Model (as Discord documents it in developers/topics/rate-limits, and as bots observe it):

- A *bucket* per route template plus its major parameter (``channel_id``, else ``guild_id``, else the
  webhook/interaction id + token): two channels never share a bucket, two DMs neither.
- Fixed windows: a bucket's window opens with its first request and lasts ``per`` seconds
  (times ``scale``); it admits ``count`` requests, then answers 429 until the window ends.
- The *global* limit: 50 requests per second per bot token (``Authorization`` header), across all
  routes. Interaction endpoints (the callback, and the webhook routes an interaction token opens:
  original response and follow-ups) are exempt, as Discord documents ("Interaction endpoints are
  not bound to the bot's Global Rate Limit"); their per-route buckets still apply.
- Every answer carries honest ``X-RateLimit-*`` headers, so discord.py paces itself pre-emptively;
  ``X-RateLimit-Bucket`` is one hash per route template, the same for every major parameter.
- A request over a limit is not executed: it gets Discord's 429 (JSON body ``message``,
  ``retry_after``, ``global``; headers ``Via``, ``Retry-After``, ``X-RateLimit-*``,
  ``X-RateLimit-Scope``: ``user`` for a route bucket, ``global`` plus ``X-RateLimit-Global: true``).
  discord.py 2.7.1 takes a 429 without ``Via`` or without a JSON body for a Cloudflare ban.
- Requests refused with 429 do not use up a bucket. Buckets run on ``time.monotonic``, never on the
  double's fake ``clock``.

Not modelled: Cloudflare's invalid-request limit (10 000 per 10 min), the 2-per-10-min channel
rename/topic sub-limit, emoji routes' per-guild limits, the identify limit on the gateway.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .util import bucket_hash


@dataclass(frozen=True)
class Limit:
    """``count`` requests per window of ``per`` seconds (before scaling)."""

    count: int
    per: float


# The limits table. Values are modelled on Discord's documented and widely observed limits
# (developers/topics/rate-limits; the headers Discord returns for these routes). Discord may change
# them at any time and never promises them; the point is realistic pressure, not exact figures.
# Keys: "METHOD /template" with the router's ``{name}`` placeholders (no regex parts).
LIMITS: dict[str, Limit] = {
    # Sending into a channel (guild channel, thread or DM): 5 per 5 s per channel.
    "POST /channels/{channel_id}/messages": Limit(5, 5.0),
    # Editing and deleting a channel message: 5 per 5 s per channel.
    "PATCH /channels/{channel_id}/messages/{message_id}": Limit(5, 5.0),
    "DELETE /channels/{channel_id}/messages/{message_id}": Limit(5, 5.0),
    # Adding a reaction: the famously tight 1 per 0.25 s per channel.
    "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me": Limit(1, 0.25),
    "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me": Limit(1, 0.25),
    # Adding or removing one role of a member: 10 per 10 s per guild.
    "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}": Limit(10, 10.0),
    "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}": Limit(10, 10.0),
    # Editing a member (nick, roles, timeout): 10 per 10 s per guild.
    "PATCH /guilds/{guild_id}/members/{user_id}": Limit(10, 10.0),
    # Opening a DM channel: no major parameter, so one bucket for the whole bot; 10 per 10 s.
    "POST /users/@me/channels": Limit(10, 10.0),
}
# Every other route: 50 per 1 s per route + major parameter.
DEFAULT_LIMIT = Limit(50, 1.0)
# All routes together, per bot token (interaction endpoints exempt).
GLOBAL_LIMIT = Limit(50, 1.0)

# Interaction endpoints: not bound to the global limit (receiving-and-responding#endpoints).
INTERACTION_ROUTES: frozenset[str] = frozenset({
    "POST /interactions/{interaction_id}/{token}/callback",
    "POST /webhooks/{application_id}/{token}",
    "GET /webhooks/{application_id}/{token}/messages/{message_id}",
    "PATCH /webhooks/{application_id}/{token}/messages/{message_id}",
    "DELETE /webhooks/{application_id}/{token}/messages/{message_id}",
})

_REGEX_PART = re.compile(r"\{([^}:]+):[^}]*\}")


def route_name(method: str, template: str) -> str:
    """``"METHOD /template"`` with regex parts dropped: ``{user_id:[0-9]+|@me}`` -> ``{user_id}``."""
    return method.upper() + " " + _REGEX_PART.sub(r"{\1}", template)


def limit_for(route: str, limits: Mapping[str, Limit] = LIMITS) -> Limit:
    return limits.get(route, DEFAULT_LIMIT)


def major_parameter(params: Mapping[str, str]) -> str:
    """Discord's major parameter: channel_id, else guild_id, else webhook/interaction id + token."""
    for name in ("channel_id", "guild_id"):
        if name in params:
            return params[name]
    if "token" in params:
        owner = params.get("webhook_id") or params.get("application_id") or params.get("interaction_id") or ""
        return f"{owner}+{params['token']}"
    return ""


def window_floor(count: int, limit: Limit, scale: float = 1.0) -> float:
    """Least time between the first and the last of ``count`` requests into one bucket of ``limit``.

    Fixed windows of ``limit.per * scale`` seconds admit ``limit.count`` each, so ``count`` requests
    need ``ceil(count / limit.count)`` windows, and the last one cannot start before
    ``ceil(count / limit.count) - 1`` full windows have passed.
    """
    if count <= 0:
        return 0.0
    return (math.ceil(count / limit.count) - 1) * limit.per * scale


def floor_seconds(
    per_bucket: Mapping[str, int],
    total_requests: int | None = None,
    *,
    scale: float = 1.0,
    global_limit: int | None = GLOBAL_LIMIT.count,
    limits: Mapping[str, Limit] = LIMITS,
) -> float:
    """The rate-limit floor: the least time any client can take for this work under the limits.

    ``per_bucket`` maps a route (``"POST /channels/{channel_id}/messages"``, as in ``LIMITS``; other
    routes get ``DEFAULT_LIMIT``) to the number of requests sent into ONE bucket of it — with several
    channels or guilds, give the busiest one's count (the floor is a maximum over buckets).
    ``total_requests``: every request that counts against the global limit (interaction endpoints do
    not); None leaves the global term out. The answer is the largest of the per-bucket floors and the
    global floor, measured from the first request to the last (see ``window_floor``), for buckets
    that start fresh (as right after ``enforce_rate_limits``). Pass the ``scale`` and ``global_limit``
    the double enforces.

        floor_seconds({"POST /channels/{channel_id}/messages": 12})          # 10.0 (3 windows of 5 s)
        floor_seconds({"POST /channels/{channel_id}/messages": 12}, scale=0.1)  # 1.0
        floor_seconds({}, total_requests=120)                                # 2.0 (global 50/s)
    """
    floors = [window_floor(n, limit_for(route, limits), scale) for route, n in per_bucket.items()]
    if total_requests is not None and global_limit is not None:
        floors.append(window_floor(total_requests, Limit(global_limit, GLOBAL_LIMIT.per), scale))
    return max(floors, default=0.0)


def _ceil_ms(seconds: float) -> float:
    """Round up to the millisecond: a client that waits what we say never wakes early."""
    return max(0.0, math.ceil(seconds * 1000 - 1e-6) / 1000)


@dataclass
class Bucket:
    limit: int
    window: float
    remaining: int = 0
    reset_at: float = 0.0  # monotonic; the current window ends here

    def refresh(self, now: float) -> None:
        if now >= self.reset_at:
            self.remaining = self.limit
            self.reset_at = now + self.window

    def reset_after(self, now: float) -> float:
        return _ceil_ms(self.reset_at - now) if self.reset_at > now else _ceil_ms(self.window)


@dataclass(frozen=True)
class RateLimitHit:
    """One 429 the limiter served."""

    route: str  # "METHOD /template"
    major: str
    path: str
    scope: str  # "user" (a route bucket) or "global"
    retry_after: float
    at: float  # monotonic


@dataclass
class Admission:
    """The limiter's answer to one request: headers to send, and a 429 body when it is refused."""

    headers: dict[str, str]
    refused: dict[str, Any] | None = None


@dataclass
class RateLimiter:
    """Buckets, the global limit and the 429 counters. Off until ``enable``."""

    now: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    enabled: bool = False
    scale: float = 1.0
    global_limit: int | None = GLOBAL_LIMIT.count
    limits: dict[str, Limit] = field(default_factory=lambda: dict(LIMITS))
    hits: list[RateLimitHit] = field(default_factory=list)
    admitted: int = 0
    _buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict)
    _global: dict[str, Bucket] = field(default_factory=dict)

    # ---------------------------------------------------------------- control
    def enable(self, scale: float = 1.0, *, global_limit: int | None = GLOBAL_LIMIT.count,
               limits: Mapping[str, Limit] | None = None) -> None:
        """Start enforcing with fresh buckets; ``limits`` overrides or adds table entries."""
        if scale <= 0:
            raise ValueError("scale must be > 0")
        self.enabled = True
        self.scale = scale
        self.global_limit = global_limit
        self.limits = {**LIMITS, **(limits or {})}
        self._buckets.clear()
        self._global.clear()

    def disable(self) -> None:
        """Stop enforcing; the counters are kept (``reset_counters`` clears them)."""
        self.enabled = False
        self._buckets.clear()
        self._global.clear()

    def reset_counters(self) -> None:
        self.hits.clear()
        self.admitted = 0

    # --------------------------------------------------------------- counters
    @property
    def total_429s(self) -> int:
        return len(self.hits)

    @property
    def global_429s(self) -> int:
        return sum(1 for h in self.hits if h.scope == "global")

    @property
    def by_route(self) -> Counter[str]:
        """429s served per route (``"POST /channels/{channel_id}/messages"``), both scopes."""
        return Counter(h.route for h in self.hits)

    def count_429s(self, route: str | None = None, *, scope: str | None = None) -> int:
        """429s served, optionally only for one route (``"METHOD /template"``) and/or one scope."""
        return sum(1 for h in self.hits if (route is None or h.route == route) and (scope is None or h.scope == scope))

    # ---------------------------------------------------------------- the check
    def bucket_limit(self, route: str) -> Limit:
        return limit_for(route, self.limits)

    def admit(self, method: str, template: str, params: Mapping[str, str], path: str,
              authorization: str | None) -> Admission:
        """Decide one request; when admitted it uses up one request of its bucket and of the global limit."""
        now = self.now()
        route = route_name(method, template)
        major = major_parameter(params)
        bucket = self._bucket(route, major)
        bucket.refresh(now)
        glob = None
        if self.global_limit is not None and route not in INTERACTION_ROUTES:
            glob = self._global_bucket(authorization or "")
            glob.refresh(now)
        if glob is not None and glob.remaining <= 0:
            return self._refuse(route, major, path, bucket, now, glob)
        if bucket.remaining <= 0:
            return self._refuse(route, major, path, bucket, now, None)
        bucket.remaining -= 1
        if glob is not None:
            glob.remaining -= 1
        self.admitted += 1
        return Admission(self._headers(route, bucket, now))

    def _bucket(self, route: str, major: str) -> Bucket:
        key = (route, major)
        bucket = self._buckets.get(key)
        if bucket is None:
            limit = self.bucket_limit(route)
            bucket = self._buckets[key] = Bucket(limit.count, limit.per * self.scale)
        return bucket

    def _global_bucket(self, authorization: str) -> Bucket:
        bucket = self._global.get(authorization)
        if bucket is None:
            assert self.global_limit is not None
            bucket = self._global[authorization] = Bucket(self.global_limit, GLOBAL_LIMIT.per * self.scale)
        return bucket

    def _headers(self, route: str, bucket: Bucket, now: float) -> dict[str, str]:
        reset_after = bucket.reset_after(now)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(0, bucket.remaining)),
            "X-RateLimit-Reset": f"{self.wall() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(route),
        }

    def _refuse(self, route: str, major: str, path: str, bucket: Bucket, now: float,
                glob: Bucket | None) -> Admission:
        headers = self._headers(route, bucket, now)
        limiting = glob if glob is not None else bucket
        retry_after = limiting.reset_after(now)
        headers["Via"] = "1.1 google"
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        if glob is not None:
            headers["X-RateLimit-Global"] = "true"
            headers["X-RateLimit-Scope"] = "global"
        else:
            headers["X-RateLimit-Scope"] = "user"
        scope = "global" if glob is not None else "user"
        self.hits.append(RateLimitHit(route, major, path, scope, retry_after, now))
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": glob is not None}
        return Admission(headers, body)
