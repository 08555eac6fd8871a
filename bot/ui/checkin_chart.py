"""The member's own moods as a PNG chart. matplotlib on the Agg backend (no display), imported on
the first chart only (it would add start-up time and memory to every bot that never draws one),
and called through ``asyncio.to_thread`` so rendering never blocks the event loop."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # matplotlib's date epoch: dates are days since it


def render_history(
    moods: Sequence[tuple[datetime, int]], days: int, now: datetime, zone: str, labels: Sequence[str], title: str
) -> io.BytesIO:
    """``moods``: (when, 1–5) oldest first; ``labels``: the five mood names, 1 first."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    tz = ZoneInfo(zone)
    figure = Figure(figsize=(8, 3.6), dpi=100)  # a Figure of its own: no global pyplot state between threads
    axes = figure.subplots()
    axes.plot([_days(at) for at, _ in moods], [mood for _, mood in moods], color="#4C78A8", linewidth=1.5,
              marker="o", markersize=5)
    axes.set_ylim(0.5, 5.5)
    axes.set_yticks(range(1, 6), labels=list(labels))
    axes.set_xlim(_days(now - timedelta(days=days)), _days(now))
    axes.xaxis.set_major_formatter(DateFormatter("%d.%m.", tz=tz))  # type: ignore[no-untyped-call]
    axes.grid(axis="y", alpha=0.3)
    axes.set_title(title)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    out.seek(0)
    return out


def _days(at: datetime) -> float:
    return (at - EPOCH).total_seconds() / 86400
