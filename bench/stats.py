"""Percentiles and the printed table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

HEADER = f"{'benchmark':<12} {'bot':<9} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation between closest ranks; NaN if empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Samples:
    """Latencies of one bot in one benchmark, in seconds, plus anything that went wrong."""

    bot: str
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.seconds.append(value)

    def fail(self, what: str) -> None:
        self.errors.append(what)

    @property
    def p50(self) -> float:
        return percentile(self.seconds, 50) * 1000

    @property
    def p99(self) -> float:
        return percentile(self.seconds, 99) * 1000


def row(name: str, s: Samples) -> str:
    line = f"{name:<12} {s.bot:<9} {len(s.seconds):>5} {s.p50:>8.2f} {s.p99:>8.2f}"
    if s.errors:
        line += f"   {len(s.errors)} failed (first: {s.errors[0]})"
    return line


def compared(name: str, bare: Samples, kohtaamo: Samples, target_p99: float) -> list[str]:
    """The bare row, then Kohtaamo's row with its ratios against the bare bot."""
    r50, r99 = kohtaamo.p50 / bare.p50, kohtaamo.p99 / bare.p99
    verdict = "within" if r99 <= target_p99 else "ABOVE"
    return [
        row(name, bare),
        f"{row(name, kohtaamo)}   ratio p50 {r50:.2f}  p99 {r99:.2f}  ({verdict} target p99 ≤ {target_p99:g})",
    ]
