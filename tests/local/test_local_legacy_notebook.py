"""A notebook of the Batch AI era, run as written with one added import line (local backend).

Its cells create everything with 2.0.0 calls (workspace, experiment, cluster and job by name)
and later use 1.0 call shapes, as notebooks that were half-migrated do: ``jobs.get(rg, job)``,
``jobs.list_output_files(rg, job, options)``, ``clusters.update(rg, name, ...)`` and
``clusters.delete(rg, name)``.  Run in a fresh interpreter, the way a notebook kernel runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

NOTEBOOK = """
import batchai_compat.install  # the one added line

import time
import azure.mgmt.batchai.models as models
from azure.mgmt.batchai import BatchAIManagementClient
from msrestazure.azure_exceptions import CloudError

client = BatchAIManagementClient(credentials=object(), subscription_id="sub")
rg, ws, exp = "notebook-rg", "notebook-ws", "notebook-exp"

# --- cells written for 2.0.0 -------------------------------------------------------------
client.workspaces.create(rg, ws, "eastus").result()
client.experiments.create(rg, ws, exp).result()
cluster = client.clusters.create(rg, ws, "nc6", models.ClusterCreateParameters(
    vm_size="STANDARD_NC6",
    scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=1)),
    user_account_settings=models.UserAccountSettings(admin_user_name="demoUser"),
)).result()
client.jobs.create(rg, ws, exp, "job1", models.JobCreateParameters(
    cluster=models.ResourceId(id=cluster.id),
    node_count=1,
    std_out_err_path_prefix="$AZ_BATCHAI_JOB_TEMP",
    custom_toolkit_settings=models.CustomToolkitSettings(command_line="echo from the notebook"),
)).result()

# --- cells still in 1.0 shape --------------------------------------------------------------
while client.jobs.get(rg, "job1").execution_state not in ("succeeded", "failed"):
    time.sleep(0.05)
print("state", client.jobs.get(rg, "job1").execution_state)
options = models.JobsListOutputFilesOptions(outputdirectoryid="stdouterr")
for f in client.jobs.list_output_files(rg, "job1", options):
    print("file", f.name)
client.clusters.update(rg, "nc6", scale_settings=models.ScaleSettings(
    manual=models.ManualScaleSettings(target_node_count=0)))
client.clusters.delete(rg, "nc6").result()
try:
    client.clusters.get(rg, ws, "nc6")
except CloudError as ce:
    print("deleted", ce.response.status_code)

# --- a second workspace with a cluster of the same name: the 1.0 shape is ambiguous --------
for other in ("ws-a", "ws-b"):
    client.workspaces.create(rg, other, "eastus").result()
    client.clusters.create(rg, other, "gpu", models.ClusterCreateParameters(
        vm_size="STANDARD_NC6",
        user_account_settings=models.UserAccountSettings(admin_user_name="demoUser"),
    )).result()
try:
    client.clusters.get(rg, "gpu")
except ValueError as error:
    print("ambiguous", error)
print("done")
"""


def test_a_half_migrated_notebook_runs_to_the_end(batchai_home):
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(NOTEBOOK)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "BATCHAI_COMPAT_HOME": str(batchai_home)},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "state succeeded" in lines
    assert {"file stdout.txt", "file stderr.txt"} <= set(lines)
    assert "deleted 404" in lines
    (ambiguous,) = [line for line in lines if line.startswith("ambiguous")]
    assert "ws-a/" not in ambiguous  # workspaces, not experiments
    assert "ws-a" in ambiguous and "ws-b" in ambiguous and "pass the workspace" in ambiguous
    assert lines[-1] == "done"
