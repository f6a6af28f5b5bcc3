"""``python -m batchai_compat.runtime``: run one node of a Batch AI job.

Usage::

    python -m batchai_compat.runtime LAUNCH_JSON [--node-index N] [--secrets-stdin] [--result PATH]

``LAUNCH_JSON`` holds ``{"job": <JobCreateParameters.as_dict() without secret values>,
"topology": <Topology>, "mpi": <MpiOptions fields, optional>, "python": <default interpreter,
optional>}``.  With ``--secrets-stdin`` the launcher reads ``{"NAME": "value", ...}`` from
standard input: secret values travel through a pipe, never through files or the command line.
The exit code is the job's; ``--result`` also writes the exit code and errors as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
from typing import Any

from .launcher import load_launch, run_node
from .spec import job_spec
from .toolkits import MpiOptions
from .topology import Topology


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m batchai_compat.runtime", description=__doc__.splitlines()[0]
    )
    parser.add_argument("launch", help="launch description (JSON file)")
    parser.add_argument(
        "--node-index", type=int, default=None, help="this node's index (default: the file's)"
    )
    parser.add_argument(
        "--secrets-stdin", action="store_true", help="read secret values as JSON from stdin"
    )
    parser.add_argument("--result", default=None, help="write the node result (JSON) to this path")
    args = parser.parse_args(argv)
    # A stop request (a local supervisor, Azure ML cancelling the run) unwinds run_node, which
    # stops every process it started on the way out.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)

    launch = load_launch(args.launch)
    topology = Topology.from_dict(launch["topology"])
    if args.node_index is not None:
        topology = dataclasses.replace(topology, node_index=args.node_index)
    secrets: dict[str, str] = {}
    if args.secrets_stdin:
        payload = sys.stdin.read()
        secrets = {
            str(k): str(v) for k, v in (json.loads(payload) if payload.strip() else {}).items()
        }
    mpi_fields: dict[str, Any] = dict(launch.get("mpi") or {})
    if "extra_args" in mpi_fields:
        mpi_fields["extra_args"] = tuple(mpi_fields["extra_args"])
    mpi = MpiOptions(**mpi_fields)
    result = run_node(
        job_spec(launch["job"]), topology, secrets, default_python=launch.get("python"), mpi=mpi
    )
    if args.result:
        temporary = f"{args.result}.tmp"
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(result.to_json())
        os.replace(temporary, args.result)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
