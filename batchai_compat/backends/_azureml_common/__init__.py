"""What the Azure ML backends share: Batch AI -> Azure ML decisions that do not depend on the SDK.

Both Azure ML backends — ``azureml`` (SDK v1, azureml-core) and ``azureml-v2`` (azure-ai-ml) —
map Batch AI onto the same service: clusters become AmlCompute, mounted volumes registered
datastores, jobs distributed runs whose node processes start the shared node runtime, secrets
the workspace Key Vault.  The decisions that mapping takes once, whatever SDK sends it, live
here as pure functions over plain data:

* :mod:`.naming` — names and tags both backends give what they create (run ids, datastore and
  Key Vault secret names, run tags, the node app and its manifest variable);
* :mod:`.jobs` — ``JobCreateParameters`` -> a :class:`~.jobs.JobPlan`: distribution kind and
  counts, datastore mounts and the paths under them, outputs, environment, secrets, image,
  wall clock and the node manifest;
* :mod:`.clusters` — ``ClusterCreateParameters`` -> node bounds and tags, what has no AmlCompute
  equivalent, and AmlCompute states and errors back to Batch AI's;
* :mod:`.runs` — run states, run-history file names and run details back to a Batch AI ``Job``;
  :mod:`.resources` — workspaces, experiments and nodes back to Batch AI fields;
* :mod:`.errors` — what the service said (status, code, whole message, ``Retry-After``) and the
  ``CloudError`` that says it; :mod:`.retry` — bounded retries honouring ``Retry-After``;
  :mod:`.submission` — whose run holds a job's id (idempotent submission, honest clean-up);
* :mod:`.credentials` — the client's msrest / azure-identity credentials as a TokenCredential;
  :mod:`.operations` — a polled long-running operation;
* :mod:`.output_files` — a job's files folded into the entries of one Batch AI folder;
* :mod:`.node` — the node side, run in every Azure ML process of a job, and :mod:`.node_app`,
  the zip application (``batchai_node.pyz``) that ships it with this package and the runtime.

Each SDK adapter turns a plan into its own objects (``ScriptRunConfig`` +
``TensorflowConfiguration`` on v1, ``command(...)`` + ``TensorFlowDistribution`` on v2).
Standard library only (plus :mod:`batchai_compat.domain`, the runtime and
:mod:`batchai_compat.core.logs`): importable without either SDK, and shipped inside the node app.
"""

from __future__ import annotations

__all__ = ["AzureMLSemanticsWarning"]


class AzureMLSemanticsWarning(UserWarning):
    """A Batch AI setting was accepted but behaves differently on Azure ML (see docs/azureml.md)."""
