"""Measure 6 child: one command, from its start to its exit, in a fresh interpreter.

``cli_command.py <result> <json argv>`` runs the command once (stdout discarded) and reports
its wall time and CPU time (user + system of that process, from ``wait4``).  The parent passes
the environment (``BATCHAI_COMPAT_HOME`` of the prepared home).
"""

from __future__ import annotations

import json
import os
import subprocess
import time

from _child import args, report

argv = json.loads(args()[0])
start = time.perf_counter()
proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
elapsed = time.perf_counter() - start
assert proc.stderr is not None
errors = proc.stderr.read()
if os.waitstatus_to_exitcode(status) != 0:
    raise SystemExit(f"{argv} failed: {errors.decode(errors='replace')[-2000:]}")
report(wall_s=elapsed, cpu_s=usage.ru_utime + usage.ru_stime)
