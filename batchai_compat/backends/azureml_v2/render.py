"""Native Azure ML v2 files as text: YAML for ``az ml ... --file`` and an azure-ai-ml script.

``batchai export`` writes what :mod:`.native` translated: each :class:`~.native.Exported`
document as a YAML file (:func:`yaml_text`: what ``azure.ai.ml.load_job`` / ``load_compute`` /
``load_datastore`` read, every note a ``#`` comment before the key it is about), or all of them
as one Python script building the same entities with azure-ai-ml (:func:`python_script`: the
notes become comments before the matching argument).  Strings are written double-quoted with
JSON's escapes, which YAML and Python read alike.

Pure: text in, text out; no azure-ai-ml import (tests load the files with it).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from .native import Exported, NativeJob, Notes

__all__ = ["python_script", "yaml_text"]

WIDTH = 99
_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.-]*$")


def _comment(texts: Iterable[str], indent: str) -> list[str]:
    lines = []
    for text in texts:
        lines.extend(
            textwrap.wrap(
                text,
                WIDTH - len(indent),
                initial_indent=f"{indent}# ",
                subsequent_indent=f"{indent}#   ",
                break_on_hyphens=False,
                break_long_words=False,
            )
        )
    return lines


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _orphans(document: Mapping[str, Any], notes: Notes) -> list[str]:
    """Notes about keys the document does not have (a dropped setting): shown at the head."""

    def present(path: tuple[str, ...]) -> bool:
        node: Any = document
        for key in path:
            if not isinstance(node, Mapping) or key not in node:
                return False
            node = node[key]
        return True

    return [text for path, texts in notes.items() if path and not present(path) for text in texts]


# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------


def yaml_text(exported: Exported, header: Iterable[str] = ()) -> str:
    """The YAML file of one exported document, ``header`` and the notes as comments."""
    lines = _comment(header, "")
    lines += _comment(
        [*exported.notes.get((), []), *_orphans(exported.document, exported.notes)], ""
    )
    _yaml_mapping(exported.document, (), 0, exported.notes, lines)
    return "\n".join(lines) + "\n"


def _block(value: Any) -> bool:
    """Whether ``value`` is written as a YAML literal block (``|-``): several lines of
    printable text without leading or trailing blanks on a line."""
    if not isinstance(value, str) or "\n" not in value:
        return False
    return (
        all(
            line == line.strip() or (line.startswith(" ") and line.rstrip() == line)
            for line in value.split("\n")
        )
        and all(c == "\n" or c.isprintable() for c in value)
        and not value.startswith(" ")
    )


def _yaml_key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _yaml_mapping(
    mapping: Mapping[str, Any], path: tuple[str, ...], depth: int, notes: Notes, lines: list[str]
) -> None:
    indent = "  " * depth
    for key, value in mapping.items():
        here = (*path, key)
        lines += _comment(notes.get(here, ()), indent)
        if isinstance(value, Mapping) and value:
            lines.append(f"{indent}{_yaml_key(key)}:")
            _yaml_mapping(value, here, depth + 1, notes, lines)
        elif isinstance(value, Mapping):
            lines.append(f"{indent}{_yaml_key(key)}: {{}}")
        elif _block(value):
            lines.append(f"{indent}{_yaml_key(key)}: |-")
            lines += [f"{indent}  {line}" if line else "" for line in value.split("\n")]
        elif isinstance(value, (list, tuple)):
            items = ", ".join(_scalar(v) for v in value)
            lines.append(f"{indent}{_yaml_key(key)}: [{items}]")
        else:
            lines.append(f"{indent}{_yaml_key(key)}: {_scalar(value)}")


# --------------------------------------------------------------------------------------------
# Python (azure-ai-ml)
# --------------------------------------------------------------------------------------------

_DISTRIBUTIONS = {
    "tensorflow": ("TensorFlowDistribution", ("parameter_server_count", "worker_count")),
    "pytorch": ("PyTorchDistribution", ("process_count_per_instance",)),
    "mpi": ("MpiDistribution", ("process_count_per_instance",)),
}


def _py(value: Any, depth: int) -> str:
    """A Python literal; mappings one item a line, a text of several lines one line each."""
    if isinstance(value, str) and "\n" in value:
        inner = "    " * (depth + 1)
        parts = [_scalar(line + "\n") for line in value.split("\n")[:-1]]
        parts.append(_scalar(value.split("\n")[-1]))
        return "(\n" + "\n".join(f"{inner}{part}" for part in parts) + "\n" + "    " * depth + ")"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        inner = "    " * (depth + 1)
        items = [f"{inner}{_scalar(k)}: {_py(v, depth + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + "    " * depth + "}"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return repr(value)
    return _scalar(value)


class _Call:
    """``Name(keyword=value, ...)`` with comments before keywords, rendered at a depth."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[tuple[str, str, list[str]]] = []

    def add(self, keyword: str, source: str, comments: Iterable[str] = ()) -> None:
        self.items.append((keyword, source, list(comments)))

    def render(self, depth: int) -> str:
        inner = "    " * (depth + 1)
        lines = [f"{self.name}("]
        for keyword, source, comments in self.items:
            lines += _comment(comments, inner)
            lines.append(f"{inner}{keyword}={source},")
        lines.append("    " * depth + ")")
        return "\n".join(lines)


def _inline(name: str, values: Mapping[str, Any], depth: int = 1) -> str:
    """``Name(k=v, ...)`` on one line when it fits at ``depth``, else one keyword a line."""
    arguments = ", ".join(f"{k}={_py(v, 0)}" for k, v in values.items())
    text = f"{name}({arguments})"
    if len(text) + 4 * depth + 30 <= WIDTH:
        return text
    call = _Call(name)
    for key, value in values.items():
        call.add(key, _py(value, depth + 1))
    return call.render(depth)


def _compute_call(exported: Exported) -> _Call:
    document, notes = exported.document, exported.notes
    call = _Call("AmlCompute")
    for key in (
        "name",
        "size",
        "tier",
        "min_instances",
        "max_instances",
        "idle_time_before_scale_down",
    ):
        call.add(key, _py(document[key], 1), notes.get((key,), ()))
    if document.get("tags"):
        call.add("tags", _py(document["tags"], 1), notes.get(("tags",), ()))
    ssh = document.get("ssh_settings")
    if ssh:
        source = _inline("AmlComputeSshSettings", ssh)
        call.add("ssh_settings", source, notes.get(("ssh_settings",), ()))
    network = document.get("network_settings")
    if network:
        call.add("network_settings", _inline("NetworkSettings", network))
    return call


def _datastore_source(exported: Exported) -> str:
    document = exported.document
    if document["type"] == "azure_blob":
        keys = ("name", "account_name", "container_name")
        return _inline("AzureBlobDatastore", {k: document[k] for k in keys})
    keys = ("name", "account_name", "file_share_name")
    return _inline("AzureFileDatastore", {k: document[k] for k in keys})


def _io(kind: str, items: Mapping[str, Mapping[str, Any]]) -> str:
    lines = ["{"]
    for name, spec in items.items():
        lines.append(f"        {_scalar(name)}: {_inline(kind, spec, 2)},")
    return "\n".join([*lines, "    }"])


def _job_call(exported: Exported) -> _Call:
    document, notes = exported.document, exported.notes
    call = _Call("command")

    def note(*path: str) -> list[str]:
        return notes.get(path, [])

    for key in ("display_name", "experiment_name", "description"):
        call.add(key, _py(document[key], 1), note(key))
    call.add("compute", _py(str(document["compute"]).removeprefix("azureml:"), 1), note("compute"))
    call.add("command", _py(document["command"], 1), note("command"))
    environment = document["environment"]
    call.add("environment", _inline("Environment", environment), note("environment"))
    if document.get("environment_variables"):
        call.add(
            "environment_variables",
            _py(document["environment_variables"], 1),
            note("environment_variables"),
        )
    distribution = document.get("distribution")
    if distribution:
        name, keys = _DISTRIBUTIONS[distribution["type"]]
        source = _inline(name, {k: distribution[k] for k in keys})
        call.add("distribution", source, note("distribution"))
    resources = document["resources"]
    call.add("instance_count", _py(resources["instance_count"], 1), note("resources"))
    if resources.get("shm_size"):
        call.add("shm_size", _py(resources["shm_size"], 1))
    call.add("timeout", _py(document["limits"]["timeout"], 1), note("limits"))
    if "queue_settings" in document:  # none: Azure ML's default priority
        priority = document["queue_settings"]["priority"]
        call.add("priority", _py(priority, 1), note("queue_settings"))
    if document.get("inputs"):
        call.add("inputs", _io("Input", document["inputs"]), note("inputs"))
    if document.get("outputs"):
        call.add("outputs", _io("Output", document["outputs"]), note("outputs"))
    return call


def _import(module: str, names: Iterable[str]) -> str:
    line = f"from {module} import {', '.join(sorted(names))}"
    if len(line) <= WIDTH:
        return line
    listed = "".join(f"    {name},\n" for name in sorted(names))
    return f"from {module} import (\n{listed})"


def python_script(
    *,
    workspace: Mapping[str, str],
    compute: Exported | None = None,
    job: NativeJob | None = None,
    header: Iterable[str] = (),
) -> str:
    """An azure-ai-ml script creating ``compute``, the job's datastores and submitting ``job``.

    Importing it builds the entities (``compute``, ``datastores``, ``job``); running it creates
    them in the workspace of ``workspace`` (``subscription``, ``resource_group``,
    ``workspace``) with ``DefaultAzureCredential``.
    """
    entities = {"AmlCompute"} if compute else set()
    ml = {"MLClient"}
    if compute and compute.document.get("ssh_settings"):
        entities.add("AmlComputeSshSettings")
    if compute and compute.document.get("network_settings"):
        entities.add("NetworkSettings")
    if job is not None:
        document = job.job.document
        ml.add("command")
        entities.add("Environment")
        entities.update(
            "AzureBlobDatastore" if d.document["type"] == "azure_blob" else "AzureFileDatastore"
            for d in job.datastores
        )
        if document.get("inputs"):
            ml.add("Input")
        if document.get("outputs"):
            ml.add("Output")
        if document.get("distribution"):
            ml.add(_DISTRIBUTIONS[document["distribution"]["type"]][0])

    lines = ['"""' + "\n".join(textwrap.wrap(" ".join(header), WIDTH - 4)) + '\n"""', ""]
    lines += [
        _import("azure.ai.ml", ml),
        _import("azure.ai.ml.entities", entities),
        "from azure.identity import DefaultAzureCredential",
        "",
        f"SUBSCRIPTION_ID = {_scalar(workspace['subscription'])}",
        f"RESOURCE_GROUP = {_scalar(workspace['resource_group'])}",
        f"WORKSPACE = {_scalar(workspace['workspace'])}",
        "",
    ]
    steps = []
    if compute is not None:
        lines += _comment(
            [*compute.notes.get((), []), *_orphans(compute.document, compute.notes)], ""
        )
        lines += [f"compute = {_compute_call(compute).render(0)}", ""]
        steps.append("    ml_client.compute.begin_create_or_update(compute).result()")
    if job is not None:
        lines += _comment([text for d in job.datastores[:1] for text in d.notes.get((), [])], "")
        lines.append("datastores = [")
        lines += [f"    {_datastore_source(d)}," for d in job.datastores]
        lines += ["]", ""]
        lines += _comment(
            [*job.job.notes.get((), []), *_orphans(job.job.document, job.job.notes)], ""
        )
        lines += [f"job = {_job_call(job.job).render(0)}", ""]
        steps += [
            "    for datastore in datastores:",
            "        ml_client.datastores.create_or_update(datastore)",
            "    submitted = ml_client.jobs.create_or_update(job)",
            "    print(submitted.name, submitted.studio_url)",
        ]
    lines += [
        "",
        "def main() -> None:",
        "    credential = DefaultAzureCredential()",
        "    ml_client = MLClient(credential, SUBSCRIPTION_ID, RESOURCE_GROUP, WORKSPACE)",
        *steps,
        "",
        "",
        'if __name__ == "__main__":',
        "    main()",
    ]
    return "\n".join(lines) + "\n"
