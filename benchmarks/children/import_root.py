"""Measure 1a child: the bare package import, in a fresh interpreter.

``import_root.py <result> ours|baseline`` times ``import batchai_compat`` or the genuine
``import azure.mgmt.batchai`` (2.0.0).
"""

from __future__ import annotations

import sys
import time

from _child import args, report

flavour = args()[0]
modules_before = len(sys.modules)
start, cpu_start = time.perf_counter(), time.process_time()
if flavour == "ours":
    import batchai_compat  # noqa: F401
else:
    import azure.mgmt.batchai  # noqa: F401
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
report(wall_s=elapsed, cpu_s=cpu, modules_imported=len(sys.modules) - modules_before)
