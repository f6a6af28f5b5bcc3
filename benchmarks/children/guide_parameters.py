"""Measure 1b child: import the client and models, build the guide's parameters.

``guide_parameters.py <result> ours|baseline`` times, in a fresh interpreter, the migration
guide's first use of the client: importing ``BatchAIManagementClient`` and ``models`` (from
``batchai_compat`` or from the genuine ``azure.mgmt.batchai`` 2.0.0), then building its
``ClusterCreateParameters`` and TensorFlow ``JobCreateParameters`` with the same code.
"""

from __future__ import annotations

import sys
import time

from _child import args, report

from benchmarks import guide

flavour = args()[0]
modules_before = len(sys.modules)
start, cpu_start = time.perf_counter(), time.process_time()
if flavour == "ours":
    import batchai_compat.models as models
    from batchai_compat import BatchAIManagementClient
else:
    import azure.mgmt.batchai.models as models  # type: ignore[no-redef]
    from azure.mgmt.batchai import BatchAIManagementClient  # type: ignore[no-redef]
cluster_parameters = guide.cluster_create_parameters(models)
job_parameters = guide.job_create_parameters(models, guide.cluster_resource_id())
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
assert BatchAIManagementClient is not None
assert job_parameters.tensor_flow_settings.worker_count == guide.nodes_count
report(wall_s=elapsed, cpu_s=cpu, modules_imported=len(sys.modules) - modules_before)
