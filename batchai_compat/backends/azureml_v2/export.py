"""What ``batchai export`` reaches through :func:`batchai_compat.backends.registry.exporter`.

The native Azure ML v2 translation (:mod:`.native`: Batch AI parameters -> documents and notes)
and its writers (:mod:`.render`: YAML files, an azure-ai-ml script).  Pure, no azure-ai-ml import;
the command line names the platform, the registry imports this module.
"""

from __future__ import annotations

from .native import RUN_NAME, Exported, NativeJob, export_compute, export_job
from .render import python_script, yaml_text

__all__ = [
    "RUN_NAME",
    "Exported",
    "NativeJob",
    "export_compute",
    "export_job",
    "python_script",
    "yaml_text",
]
