"""Benchmarks: the real Kohtaamo bot against a bare discord.py bot on the same local Discord double.

Run ``python -m bench`` (full) or ``python -m bench --smoke`` (tiny counts, as CI does). Figures are
printed, never asserted against a time; the one thing checked is a correctness invariant
(``claim_race``: exactly one winner per round). See ``bench/README.md``.
"""
