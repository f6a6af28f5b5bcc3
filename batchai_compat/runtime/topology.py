"""Where a job runs: what a backend tells the node runtime.

Batch AI computed all of this on its own nodes; here each backend fills a :class:`Topology`
(the local backend from its node allocation, the Azure ML backend from the run context) and the
runtime does the rest.  A topology is plain data and round-trips through JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from ..domain.paths import output_path_segment

__all__ = ["JobIdentity", "Topology"]


@dataclass(frozen=True)
class JobIdentity:
    """The ARM coordinates of a job run, which Batch AI wove into its output paths."""

    subscription_id: str
    resource_group: str
    workspace: str
    experiment: str
    job: str
    job_uuid: str

    @property
    def output_path_segment(self) -> str:
        """Batch AI's ``Job.job_output_directory_path_segment``."""
        return output_path_segment(
            self.subscription_id,
            self.resource_group,
            self.workspace,
            self.experiment,
            self.job,
            self.job_uuid,
        )


@dataclass(frozen=True)
class Topology:
    """The nodes of one job and the folders each node sees.

    ``hosts[i]`` is the address other tasks use to reach node ``i`` (``127.0.0.1`` for every
    local node).  ``tf_ports`` holds one port per TensorFlow task (``{"ps": [...], "worker":
    [...]}``); with it the runtime builds ``AZ_BATCHAI_PS_HOSTS``/``WORKER_HOSTS``/``TF_CONFIG``
    identically on every node.  Paths are absolute and already node-local:

    * ``mount_root`` -> ``AZ_BATCHAI_MOUNT_ROOT`` (cluster ``node_setup`` mounts)
    * ``job_mount_root`` -> ``AZ_BATCHAI_JOB_MOUNT_ROOT`` (the job's ``mount_volumes``)
    * ``job_temp_dir`` -> ``AZ_BATCHAI_JOB_TEMP_DIR``; ``AZ_BATCHAI_JOB_TEMP`` is
      ``{job_temp_dir}/{job}`` as on Batch AI nodes
    * ``shared_job_temp`` -> ``AZ_BATCHAI_SHARED_JOB_TEMP`` (one folder all nodes share)
    * ``home`` -> ``HOME`` of the node's job user, when the backend gives each node its own
    """

    identity: JobIdentity
    hosts: tuple[str, ...]
    node_index: int
    mount_root: str
    job_mount_root: str
    job_temp_dir: str
    shared_job_temp: str
    node_ids: tuple[str, ...] = ()
    slots_per_node: int = 1
    num_gpus: int = 0
    home: str | None = None
    tf_ports: dict[str, list[int]] = field(default_factory=dict)
    pytorch_init_method: str | None = None
    mpi_extra_args: tuple[str, ...] = ()

    @property
    def node_count(self) -> int:
        return len(self.hosts)

    @property
    def node_id(self) -> str:
        if self.node_ids:
            return self.node_ids[self.node_index]
        return f"node-{self.node_index}"

    @property
    def job_temp(self) -> str:
        return f"{self.job_temp_dir.rstrip('/')}/{self.identity.job}"

    @property
    def mpi_host_file(self) -> str:
        return f"{self.job_temp}/hostfile"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Topology:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Topology:
        values = dict(data)
        values["identity"] = JobIdentity(**values["identity"])
        for name in ("hosts", "node_ids", "mpi_extra_args"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)
