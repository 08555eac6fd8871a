"""Injected REST failures: 5xx and 429s shaped so discord.py handles them as it would Discord's."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .util import bucket_hash, json_response


@dataclass
class FaultRule:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float
    body: dict[str, Any] | None
    is_global: bool

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and self.method in ("*", method) and self.pattern.fullmatch(path) is not None


class Faults:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.served: list[tuple[str, str, int]] = []

    def add(
        self,
        method: str,
        path_regex: str,
        *,
        status: int,
        count: int,
        retry_after: float,
        body: dict[str, Any] | None,
        is_global: bool,
    ) -> FaultRule:
        rule = FaultRule(method.upper(), re.compile(path_regex), status, count, retry_after, body, is_global)
        self.rules.append(rule)
        return rule

    def take(self, method: str, path: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, path):
                rule.remaining -= 1
                self.served.append((method, path, rule.status))
                return rule
        self.rules = [r for r in self.rules if r.remaining > 0]
        return None

    @staticmethod
    def response(rule: FaultRule, route_key: str) -> web.Response:
        if rule.status == 429:
            body = rule.body or {
                "message": "You are being rate limited.",
                "retry_after": rule.retry_after,
                "global": rule.is_global,
            }
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(rule.retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + rule.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
                "X-RateLimit-Bucket": bucket_hash(route_key),
                "X-RateLimit-Scope": "shared" if not rule.is_global else "global",
            }
            if rule.is_global:
                headers["X-RateLimit-Global"] = "true"
            return json_response(body, 429, headers=headers)
        default = {"message": f"{rule.status}: {web.Response(status=rule.status).reason}", "code": 0}
        return json_response(rule.body or default, rule.status)
