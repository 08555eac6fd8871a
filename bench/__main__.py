"""``python -m bench [--smoke] [--only NAME ...]``: run the benchmarks and print one table.

Exit status 1 when a benchmark could not run or broke its invariant (a claim race with other than
exactly one winner, interactions left unanswered); never because of a time."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
import traceback
from collections.abc import Awaitable, Callable

from bench import (
    checkin_fanout,
    claim_race,
    events,
    onboarding,
    relay,
    relay_burst,
    rss,
    safety_cpu,
    setup_show,
)
from bench.stats import HEADER

Benchmark = Callable[[bool], Awaitable[tuple[list[str], bool]]]
BENCHMARKS: dict[str, Benchmark] = {
    setup_show.NAME: setup_show.run,
    claim_race.NAME: claim_race.run,
    relay.NAME: relay.run,
    relay_burst.NAME: relay_burst.run,
    onboarding.NAME: onboarding.run,
    checkin_fanout.NAME: checkin_fanout.run,
    events.NAME: events.run,
    rss.NAME: rss.run,
    safety_cpu.NAME: safety_cpu.run,
}


class HarnessNoise(logging.Filter):
    """Drops two warnings that say nothing about the bots: voice libraries not installed, and
    discord.py's "Can't keep up, websocket is 41.3s behind". The latter is a race in discord.py's
    heartbeat thread against a gateway that acknowledges instantly: the thread stamps the send time
    only after the send completes, so when the busy loop handles the ack first, the "latency" is
    measured from the previous heartbeat (one interval, 41.25 s, earlier). Any real lag shows in the
    figures themselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return "voice will NOT be supported" not in text and not text.startswith("Can't keep up")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny counts: proves the benchmarks still run")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("discord.client", "discord.gateway"):
        logging.getLogger(name).addFilter(HarnessNoise())

    mode = "smoke" if args.smoke else "full"
    print(f"Kohtaamo benchmarks ({mode}); figures are latencies, ratios are kohtaamo / bare discord.py bot")
    print(HEADER, flush=True)
    all_ok = True
    started = time.perf_counter()
    for name in args.only or BENCHMARKS:
        began = time.perf_counter()
        try:
            lines, ok = asyncio.run(BENCHMARKS[name](args.smoke))
        except Exception:
            traceback.print_exc()
            lines, ok = [f"{name:<12} could not run (traceback above)"], False
        for line in lines:
            print(line)
        print(f"{'':<12} ({name} took {time.perf_counter() - began:.1f} s)", flush=True)
        all_ok = all_ok and ok
    print(f"total {time.perf_counter() - started:.1f} s; {'ok' if all_ok else 'FAILED'}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
