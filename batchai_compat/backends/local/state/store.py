"""``StateStore``: the local Batch AI control plane, one transaction per call.

What each call does is written once, below it: the per-resource rows (:mod:`.workspaces`,
:mod:`.clusters`, :mod:`.file_servers`, :mod:`.jobs`), the life cycle (:mod:`.lifecycle`, pure)
and the plumbing (:mod:`.database`).  This class opens the transaction, reads the clock once
at its start (so the times it records follow commit order), settles the clusters it touches,
and after the commit tells :attr:`StateStore.on_preempted` about running jobs a scale-down
took nodes from.  It is safe to share between threads, and any number of processes may open
the same file.

Resource semantics are those of Batch AI 2018-05-01 (see :mod:`.errors` for its answers):
deleting a workspace deletes its clusters, file servers and experiments; deleting an experiment
deletes its jobs.  Cluster transitions are applied lazily, whenever a call reads or changes the
cluster (:func:`.lifecycle.settle`).

Node allocation API (for whatever runs jobs: the home's scheduler daemon and supervisors)
-------------------------------------------------------------------------------------------
Jobs are created ``queued``.  :meth:`StateStore.queued_jobs` lists them by priority then age;
:meth:`StateStore.allocate_nodes` atomically gives a queued job ``node_count`` idle nodes of its
cluster and marks it ``running`` (None while too few are idle: an auto-scale cluster grows
towards its queued demand meanwhile); :meth:`StateStore.next_transition_at` says when to try
again; :meth:`StateStore.finish_job` ends a job and gives its nodes back.  Methods that act on
a job by ``row_id`` return ``False`` / ``None`` when the job was deleted in the meantime (a
supervisor outliving its job is normal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..scaling import Clock, ScalingPolicy, SystemClock
from . import clusters, file_servers, jobs, lifecycle, workspaces
from .database import Database
from .documents import dumps_document
from .lifecycle import ACTIVE_STATES, DEFAULT_CORE_QUOTA, Rules, ScaleRequest
from .records import (
    ClusterKey,
    ClusterRecord,
    ExperimentRecord,
    FileServerRecord,
    JobKey,
    JobRecord,
    NodeRecord,
    WorkspaceKey,
    WorkspaceRecord,
)

__all__ = ["StateStore"]


class _Tx:
    """One write transaction: its connection, its time, the jobs it preempted."""

    __slots__ = ("db", "now", "preempted")

    def __init__(self, db: Any, now: float) -> None:
        self.db = db
        self.now = now
        self.preempted: list[int] = []


class StateStore:
    """Batch AI's resources, persisted in SQLite at ``path`` and shared by every local process.

    ``clock`` and ``policy`` drive cluster transitions (see :mod:`..scaling`); ``core_quota`` is
    the number of cores per location and VM priority the subscription may allocate.
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock | None = None,
        policy: ScalingPolicy | None = None,
        core_quota: int = DEFAULT_CORE_QUOTA,
    ) -> None:
        self.path = Path(path)
        self.clock: Clock = clock or SystemClock()
        self.rules = Rules(policy or ScalingPolicy(), core_quota)
        self.on_preempted: Callable[[list[JobRecord]], None] | None = None
        """Called (after commit) with the running jobs a scale-down took nodes from: their rows
        already say ``queued`` (requeue) or ``terminating`` (terminate)."""
        self._database = Database(self.path)

    @property
    def policy(self) -> ScalingPolicy:
        return self.rules.policy

    @property
    def core_quota(self) -> int:
        return self.rules.core_quota

    def now(self) -> float:
        return self.clock.time()

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        self._database.close()

    # transactions ----------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[_Tx]:
        with self._database.write() as db:
            tx = _Tx(db, self.now())
            yield tx
        if tx.preempted and self.on_preempted is not None:
            preempted = [job for row in tx.preempted if (job := self.get_job_by_row(row))]
            try:
                self.on_preempted(preempted)
            except Exception:  # the change is committed; a failed stop must not fail the call
                import logging  # on this failure only: logging costs every reader's start-up

                logging.getLogger(__name__).exception(
                    "stopping preempted jobs %s failed", [j.name for j in preempted]
                )

    def _settle(self, tx: _Tx, cluster: ClusterRecord | int) -> ClusterRecord | None:
        """Settle a cluster in ``tx`` and apply the preemptions of its scale-downs."""
        settlement = clusters.settle(tx.db, tx.now, self.rules, cluster)
        if settlement is None:
            return None
        for preemption in settlement.preempted:
            job = jobs.by_row(tx.db, preemption.job_row)
            if job is not None:
                jobs.save_state(tx.db, lifecycle.preempt(job, preemption))
                tx.preempted.append(job.row_id)
        return settlement.cluster

    # workspaces and experiments --------------------------------------------------------------
    def put_workspace(
        self, key: WorkspaceKey, location: str, tags: dict[str, str] | None
    ) -> WorkspaceRecord:
        """Create a workspace, or (ARM PUT) replace the tags of the existing one."""
        with self._write() as tx:
            return workspaces.put_workspace(tx.db, tx.now, key, location, tags)

    def get_workspace(self, key: WorkspaceKey) -> WorkspaceRecord:
        record = workspaces.find_workspace(self._database.connection(), key)
        self._reported([record])
        return record

    def update_workspace_tags(
        self, key: WorkspaceKey, tags: dict[str, str] | None
    ) -> WorkspaceRecord:
        with self._write() as tx:
            return workspaces.update_workspace_tags(tx.db, key, tags)

    def list_workspaces(
        self, subscription_id: str, resource_group: str | None = None
    ) -> list[WorkspaceRecord]:
        records = workspaces.list_workspaces(
            self._database.connection(), subscription_id, resource_group
        )
        self._reported(records)
        return records

    def _reported(self, records: list[WorkspaceRecord]) -> None:
        """A reader has seen these workspaces: those ``deleting`` are now gone."""
        deleting = [r.row_id for r in records if r.provisioning_state == workspaces.DELETING]
        if deleting:
            with self._write() as tx:
                workspaces.purge(tx.db, deleting)

    def delete_workspace(
        self, key: WorkspaceKey
    ) -> tuple[WorkspaceRecord, list[JobRecord], list[FileServerRecord]]:
        """Delete a workspace's clusters, file servers, experiments and jobs, and mark it
        ``deleting`` (see :mod:`.workspaces`); returns it with the jobs and file servers that
        went (to stop processes and remove folders)."""
        with self._write() as tx:
            workspace = workspaces.find_workspace(tx.db, key)
            deleted = jobs.select(tx.db, "WHERE e.workspace_row = ?", (workspace.row_id,))
            servers = file_servers.in_workspace(tx.db, workspace)
            clusters.release_nodes(tx.db, tx.now, [job.row_id for job in deleted])
            for table in ("experiments", "clusters", "file_servers"):
                tx.db.execute(f"DELETE FROM {table} WHERE workspace_row = ?", (workspace.row_id,))
            workspaces.mark_deleting(tx.db, tx.now, workspace)
            return workspace, deleted, servers

    def workspace_deleting(self, row_id: int) -> bool:
        """Whether workspace ``row_id`` is still ``deleting`` (not yet seen or waited for)."""
        row = (
            self._database.connection()
            .execute("SELECT provisioning_state FROM workspaces WHERE row_id = ?", (row_id,))
            .fetchone()
        )
        return row is not None and row[0] == workspaces.DELETING

    def purge_workspace(self, row_id: int) -> None:
        """Finish deleting workspace ``row_id`` (its delete operation was waited for)."""
        with self._write() as tx:
            workspaces.purge(tx.db, [row_id])

    def put_experiment(self, key: WorkspaceKey, name: str) -> ExperimentRecord:
        """Create an experiment; an existing one is returned unchanged (ARM PUT)."""
        with self._write() as tx:
            return workspaces.put_experiment(tx.db, tx.now, key, name)

    def get_experiment(self, key: WorkspaceKey, name: str) -> ExperimentRecord:
        with self._database.read() as db:
            return workspaces.find_experiment(db, workspaces.find_workspace(db, key), name)

    def list_experiments(self, key: WorkspaceKey) -> list[ExperimentRecord]:
        with self._database.read() as db:
            return workspaces.list_experiments(db, workspaces.find_workspace(db, key))

    def delete_experiment(self, key: WorkspaceKey, name: str) -> list[JobRecord]:
        """Delete an experiment and its jobs; returns the deleted jobs."""
        with self._write() as tx:
            workspace = workspaces.find_workspace(tx.db, key)
            experiment = workspaces.find_experiment(tx.db, workspace, name)
            deleted = jobs.select(tx.db, "WHERE j.experiment_row = ?", (experiment.row_id,))
            clusters.release_nodes(tx.db, tx.now, [job.row_id for job in deleted])
            tx.db.execute("DELETE FROM experiments WHERE row_id = ?", (experiment.row_id,))
            return deleted

    # clusters --------------------------------------------------------------------------------
    def put_cluster(
        self,
        key: ClusterKey,
        parameters: dict[str, Any],
        *,
        vm_size: str,
        vm_priority: str,
        scale: ScaleRequest,
    ) -> tuple[ClusterRecord, bool]:
        """Create a cluster (``parameters``: its ClusterCreateParameters REST body, no secrets);
        ``(record, created)``.  A new cluster is reported as Batch AI's PUT answered: still
        ``resizing`` towards its initial size, with no node yet."""
        with self._write() as tx:
            record, created = clusters.insert(
                tx.db,
                tx.now,
                key,
                parameters,
                vm_size=vm_size,
                vm_priority=vm_priority,
                scale=scale,
            )
            if created:
                return clusters.begin_resize(tx.db, tx.now, self.rules, record), True
            settled = self._settle(tx, record)
            assert settled is not None
            return settled, False

    def get_cluster(self, key: ClusterKey, *, report: bool = True) -> ClusterRecord:
        """``clusters.get``: the cluster as a reader sees it (settled, see
        :func:`.lifecycle.report`); ``report=False`` for a caller that shows no allocation
        state (remote login information, deletion), so a resize owed to readers stays owed."""
        with self._write() as tx:  # settling may move the cluster forward
            cluster = self._settle(tx, clusters.find_row(tx.db, key))
            assert cluster is not None
            return self._report(tx, cluster) if report else cluster

    @staticmethod
    def _report(tx: _Tx, cluster: ClusterRecord) -> ClusterRecord:
        shown, after = lifecycle.report(cluster)
        clusters.save(tx.db, cluster, after)
        return shown

    def get_cluster_by_row(self, row_id: int) -> ClusterRecord | None:
        with self._write() as tx:
            return self._settle(tx, row_id)

    def list_clusters(self, key: WorkspaceKey) -> list[ClusterRecord]:
        with self._write() as tx:
            workspace = workspaces.find_workspace(tx.db, key)
            settled = (self._settle(tx, row) for row in clusters.in_workspace(tx.db, workspace))
            return [self._report(tx, cluster) for cluster in settled if cluster is not None]

    def rescale_cluster(self, key: ClusterKey, scale: ScaleRequest) -> ClusterRecord:
        """``clusters.update``: a manual target, or auto-scale bounds (see
        :func:`.lifecycle.rescale`); a resize over at once is still reported (the answer and the
        next read say ``resizing``)."""
        with self._write() as tx:
            before = self._settle(tx, clusters.find_row(tx.db, key))  # catch up first
            assert before is not None
            rescaled = lifecycle.rescale(before, scale)
            clusters.save(tx.db, before, rescaled)
            settled = self._settle(tx, rescaled)
            assert settled is not None
            after = lifecycle.owe_resize_report(rescaled, settled, tx.now)
            clusters.save(tx.db, settled, after)
            return lifecycle.report(after)[0]  # the update's answer: the first read is still owed

    def delete_cluster(self, key: ClusterKey) -> list[JobRecord]:
        """Delete a cluster and its nodes.  Its queued jobs fail with ``ClusterDeleted``; its
        running jobs become ``terminating`` and are returned (with those already terminating)
        so the caller stops their processes."""
        with self._write() as tx:
            row = clusters.find_row(tx.db, key)
            stopping = []
            active = f"WHERE j.cluster_row = ? AND j.execution_state IN {ACTIVE_STATES!r}"
            for job in jobs.select(tx.db, active, (row,)):
                ended = lifecycle.fail_for_deleted_cluster(job, tx.now, key.cluster)
                if ended is not job:
                    jobs.save_state(tx.db, ended)
                if ended.execution_state == "terminating":
                    stopping.append(ended)
            tx.db.execute("DELETE FROM clusters WHERE row_id = ?", (row,))
            return stopping

    # file servers ----------------------------------------------------------------------------
    def put_file_server(
        self, key: WorkspaceKey, name: str, parameters: dict[str, Any]
    ) -> tuple[FileServerRecord, bool]:
        """Create a file server; an existing one as for :meth:`put_cluster`."""
        with self._write() as tx:
            return file_servers.put_file_server(tx.db, tx.now, key, name, parameters)

    def get_file_server(self, key: WorkspaceKey, name: str) -> FileServerRecord:
        with self._database.read() as db:
            return file_servers.find_file_server(db, workspaces.find_workspace(db, key), name)

    def list_file_servers(self, key: WorkspaceKey) -> list[FileServerRecord]:
        with self._database.read() as db:
            return file_servers.in_workspace(db, workspaces.find_workspace(db, key))

    def delete_file_server(self, key: WorkspaceKey, name: str) -> FileServerRecord:
        with self._write() as tx:
            workspace = workspaces.find_workspace(tx.db, key)
            server = file_servers.find_file_server(tx.db, workspace, name)
            tx.db.execute("DELETE FROM file_servers WHERE row_id = ?", (server.row_id,))
            return server

    # jobs ------------------------------------------------------------------------------------
    def put_job(
        self,
        key: JobKey,
        parameters: dict[str, Any],
        *,
        cluster_id: str,
        node_count: int,
        scheduling_priority: str,
        tool_type: str,
    ) -> tuple[JobRecord, bool]:
        """Create a queued job (``parameters``: its JobCreateParameters REST body, no secrets);
        ``(record, created)``.

        ``cluster_id`` must name an existing cluster of the same subscription (400
        ``InvalidClusterId``).  An existing job with identical parameters is returned with
        ``created=False``; different parameters are a 409 ``Conflict``.
        """
        document = dumps_document(parameters, "job")
        with self._write() as tx:
            place = jobs.place(tx.db, key)
            existing = jobs.existing(tx.db, place, key, document)
            if existing is not None:
                return existing, False
            cluster_row, scale_mode = clusters.row_for_id(tx.db, key.subscription_id, cluster_id)
            record = jobs.insert(
                tx.db,
                tx.now,
                key,
                place,
                document,
                cluster_id=cluster_id,
                cluster_row=cluster_row,
                node_count=node_count,
                scheduling_priority=scheduling_priority,
                tool_type=tool_type,
            )
            if scale_mode == "auto":
                self._settle(tx, cluster_row)  # an auto-scale cluster grows from now
            return record, True

    def get_job(self, key: JobKey) -> JobRecord:
        return jobs.find(self._database.connection(), key)

    def get_job_by_row(self, row_id: int) -> JobRecord | None:
        return jobs.by_row(self._database.connection(), row_id)

    def list_job_rows(self, key: WorkspaceKey, experiment: str) -> list[int]:
        """Row ids of the experiment's jobs, oldest first (404 if it does not exist): a cheap
        snapshot a pager reads page by page with :meth:`get_jobs_by_rows`."""
        return jobs.row_ids(self._database.connection(), key, experiment)

    def get_jobs_by_rows(self, rows: list[int]) -> list[JobRecord]:
        """The jobs of ``rows`` that still exist, in row order."""
        if len(rows) <= 500:
            return jobs.by_rows(self._database.connection(), rows)
        with self._database.read() as db:
            return jobs.by_rows(db, rows)

    def delete_job(self, key: JobKey) -> JobRecord:
        """Delete a job (its nodes go back to the cluster); returns it as it was."""
        with self._write() as tx:
            record = jobs.find(tx.db, key)
            clusters.release_nodes(tx.db, tx.now, [record.row_id])
            jobs.delete(tx.db, record.row_id)
            return record

    def request_termination(self, key: JobKey) -> JobRecord:
        """``jobs.terminate`` (see :func:`.lifecycle.request_termination`); returns the job as
        it was before."""
        with self._write() as tx:
            record = jobs.find(tx.db, key)
            terminated = lifecycle.request_termination(record, tx.now)
            if terminated is not record:
                jobs.save_state(tx.db, terminated)
            return record

    # node allocation API (scheduler side) ----------------------------------------------------
    def queued_jobs(
        self, cluster_row: int | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[JobRecord]:
        """Queued jobs (of one cluster, or all), highest priority first, then oldest first
        (``limit`` of them from ``offset``: the scheduler reads the head of a long queue)."""
        return jobs.queue(
            self._database.connection(), cluster_row, -1 if limit is None else limit, offset
        )

    def jobs_in_states(self, states: tuple[str, ...]) -> list[JobRecord]:
        """Every job of the file in one of ``states``, by row."""
        marks = ",".join("?" * len(states))
        return jobs.select(
            self._database.connection(), f"WHERE j.execution_state IN ({marks})", states
        )

    def cluster_rows(self) -> list[int]:
        """Row ids of every cluster of the file (the scheduler walks them)."""
        return clusters.all_rows(self._database.connection())

    def allocate_nodes(self, job_row: int) -> list[NodeRecord] | None:
        """Give queued job ``job_row`` ``node_count`` idle nodes of its cluster and mark it
        ``running``, in one transaction.

        Returns the nodes (ordered by index: the first is the job's master), or ``None`` when
        the job is not queued any more or not enough nodes are idle yet.
        """
        with self._write() as tx:
            job = jobs.by_row(tx.db, job_row)
            if job is None or job.execution_state != "queued" or job.cluster_row is None:
                return None
            cluster = self._settle(tx, job.cluster_row)
            nodes = lifecycle.idle_nodes(cluster, job.node_count) if cluster else None
            if nodes is None:
                return None
            jobs.save_state(tx.db, lifecycle.start(job, tx.now))
            return clusters.assign_nodes(tx.db, tx.now, nodes, job_row)

    def job_nodes(self, job_row: int) -> list[NodeRecord]:
        """The nodes job ``job_row`` holds (empty unless it is running)."""
        return clusters.job_nodes(self._database.connection(), job_row)

    def finish_job(
        self,
        job_row: int,
        *,
        succeeded: bool,
        exit_code: int | None,
        errors: list[dict[str, Any]] | None = None,
        from_states: tuple[str, ...] | None = None,
    ) -> bool:
        """End job ``job_row`` (``succeeded`` or ``failed``) and give its nodes back, atomically.

        ``errors`` are BatchAIError bodies (:func:`.lifecycle.error_body`).  False when the job
        is gone or already finished, or, with ``from_states``, in none of those states.
        """
        with self._write() as tx:
            job = jobs.by_row(tx.db, job_row)
            if job is None:
                return False
            ended = lifecycle.finish(
                job,
                tx.now,
                succeeded=succeeded,
                exit_code=exit_code,
                errors=errors,
                from_states=from_states,
            )
            if ended is None:
                return False
            jobs.save_state(tx.db, ended)
            clusters.release_nodes(tx.db, tx.now, [job_row])
            if job.cluster_row is not None:
                self._settle(tx, job.cluster_row)
            return True

    def next_transition_at(self, cluster_row: int) -> float | None:
        """When cluster ``cluster_row`` will next change on its own (epoch seconds), or None."""
        with self._write() as tx:
            cluster = self._settle(tx, cluster_row)
            if cluster is None:
                return None
            return lifecycle.next_transition_at(cluster, tx.now, self.rules.policy)

    # usages ----------------------------------------------------------------------------------
    def usage(self, subscription_id: str, location: str) -> tuple[int, dict[tuple[str, str], int]]:
        """``usages.list``: the subscription's clusters in ``location`` and the cores their
        nodes hold by (VM priority, VM size), every cluster settled first."""
        with self._write() as tx:
            for row in clusters.in_subscription(tx.db, subscription_id):
                self._settle(tx, row)
            return clusters.usage(tx.db, subscription_id, location)
