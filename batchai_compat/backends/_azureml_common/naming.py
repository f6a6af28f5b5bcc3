"""Names and tags the Azure ML backends give what they create for Batch AI resources.

Every name is *derived* from the Batch AI names, never stored: the same job, volume or secret
maps to the same Azure ML name in any process, which is what makes ``jobs.get`` one request and
a repeated submission recognisable (:func:`run_id`).
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "MANIFEST_VARIABLE",
    "NODE_APP_NAME",
    "OUTPUTS_FOLDER",
    "STDOUTERR_FOLDER",
    "TAG_CLUSTER",
    "TAG_EXPERIMENT",
    "TAG_INITIAL_NODES",
    "TAG_JOB_NAME",
    "TAG_JOB_UUID",
    "TAG_PARAMETERS",
    "TAG_SCALE",
    "datastore_name",
    "key_vault_secret_name",
    "reference_name",
    "run_id",
]

#: Compute tags recording how the Batch AI cluster was scaled (AmlCompute only knows min/max).
TAG_SCALE = "batchai.scale"
TAG_INITIAL_NODES = "batchai.initial_node_count"
#: Run tags recording the Batch AI identity of a job (and its parameters, without secrets).
TAG_JOB_NAME = "batchai.job"
TAG_EXPERIMENT = "batchai.experiment"
TAG_CLUSTER = "batchai.cluster"
TAG_JOB_UUID = "batchai.job_uuid"
TAG_PARAMETERS = "batchai.parameters"

#: The environment variable carrying the job manifest (no secrets) to the node adapter.
MANIFEST_VARIABLE = "AZ_BATCHAI_COMPAT_JOB"
#: The node adapter and runtime, as one zip application inside the run snapshot / code folder.
NODE_APP_NAME = "batchai_node.pyz"
#: Run-history folders the node runtime writes to: streamed logs and uploaded outputs.
STDOUTERR_FOLDER = "logs/stdouterr"
OUTPUTS_FOLDER = "outputs"


def run_id(experiment: str, job: str) -> str:
    """The Azure ML run (v2: job) name standing for Batch AI job ``job`` of ``experiment``.

    Azure ML run ids are workspace-unique, Batch AI job names only experiment-unique, hence the
    digest of both.
    """
    digest = hashlib.sha256(f"{experiment}/{job}".encode()).hexdigest()[:10]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in job)[:200]
    return f"batchai_{safe}_{digest}"


def datastore_name(kind: str, account_name: str, container: str) -> str:
    """Deterministic datastore name for a storage container/share (``kind`` ``blob``/``file``):
    the same volume in any job or process maps to the same registered datastore."""
    digest = hashlib.sha256(f"{kind}:{account_name}:{container}".encode()).hexdigest()[:8]
    readable = re.sub(r"[^0-9a-zA-Z]+", "_", f"{account_name}_{container}").strip("_").lower()
    return f"batchai_{kind}_{readable[:80]}_{digest}"


def key_vault_secret_name(job_uuid: str, name: str) -> str:
    """The workspace Key Vault secret holding secret variable ``name`` of one job run.

    Key Vault secret names allow ``[0-9a-zA-Z-]``, up to 127 characters.
    """
    cleaned = re.sub(r"[^0-9a-zA-Z]+", "-", name).strip("-")[:60] or "value"
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"batchai-{job_uuid[:36]}-{cleaned}-{digest}"


def reference_name(prefix: str, text: str) -> str:
    """A data reference / input name (``[a-z0-9_]``) for a mount path or an input id."""
    cleaned = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_")
    return f"{prefix}_{cleaned}".lower() if cleaned else prefix
