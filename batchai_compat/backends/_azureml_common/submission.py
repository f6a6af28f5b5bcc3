"""Idempotent submission: is a run that already holds our deterministic id ours?

A Batch AI job maps to a run (v2: job) whose name is derived from the job name
(:func:`~.naming.run_id`), so a second submission of the same job — a retry after a lost reply,
an SDK retry answered 409, a notebook cell run twice — meets the first one.  What it finds
decides what happens, on every Azure ML backend:

* :data:`OURS` — the run carries this submission's job uuid: the service acted and the reply
  was lost.  Adopt the run; its secrets stay.
* :data:`IDENTICAL` — an earlier submission of the same job with the same parameters (secrets
  aside, as Batch AI compared them): return that job, as Batch AI did for a repeated create; the
  secrets this submission stored are nobody's and are removed.
* :data:`DIFFERENT` — the name is taken by a job with other parameters (or by a run that is no
  Batch AI job): ``409 Conflict``; this submission's secrets are removed.

Secrets are removed only when it is known that no run of this submission exists: after a
definite refusal, or when the run holding the id is another submission's.  When the outcome is
unknown (no reply, and the run could not be read) they stay, and a repeated ``jobs.create``
settles it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import naming

__all__ = ["DIFFERENT", "IDENTICAL", "OURS", "manifest_of_definition", "verdict"]

OURS = "ours"
IDENTICAL = "identical"
DIFFERENT = "different"


def manifest_of_definition(environment_variables: Mapping[str, Any] | None) -> dict[str, Any]:
    """The node manifest a run was submitted with (from its run definition's environment
    variables), or ``{}``: proof of ownership when the run's tags were never set."""
    text = (environment_variables or {}).get(naming.MANIFEST_VARIABLE)
    if not isinstance(text, str):
        return {}
    try:
        manifest = json.loads(text)
    except ValueError:
        return {}
    return manifest if isinstance(manifest, dict) else {}


def verdict(
    manifest: Mapping[str, Any],
    tags: Mapping[str, str] | None,
    submitted_manifest: Mapping[str, Any] | None = None,
) -> str:
    """What an existing run is to the submission whose node manifest is ``manifest``: read from
    the run's ``tags`` or, when they carry no Batch AI identity, from the manifest it was
    ``submitted_manifest`` with."""
    tags = tags or {}
    uuid = tags.get(naming.TAG_JOB_UUID)
    parameters: Any = None
    if uuid is not None:
        try:
            parameters = json.loads(tags.get(naming.TAG_PARAMETERS) or "null")
        except ValueError:
            parameters = None
    elif submitted_manifest:
        uuid = (submitted_manifest.get("job") or {}).get("uuid")
        parameters = submitted_manifest.get("parameters")
    if uuid is None:
        return DIFFERENT
    if uuid == manifest["job"]["uuid"]:
        return OURS
    return IDENTICAL if parameters == manifest["parameters"] else DIFFERENT
