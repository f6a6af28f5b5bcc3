"""Benchmarks of batchai_compat against the baselines its users know (issue 7).

Run them all, and regenerate ``docs/benchmarks.md``, with ``python -m benchmarks``.
"""
