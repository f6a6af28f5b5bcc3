"""The Batch AI domain: the service's rules, written once, for every backend and the runtime.

What Azure Batch AI (REST API 2018-05-01) decided on its side, independent of where a job runs:

* :mod:`.toolkits` — the nine toolkit settings fields, their ``tool_type``, and how many
  processes each starts where (MPI or not, ps/worker counts, per-role arguments);
* :mod:`.ids` — ARM resource ids of workspaces, clusters, file servers, experiments, jobs and
  subnets, built and parsed;
* :mod:`.paths` — the job output path segment and the stdouterr / output folder rules;
* :mod:`.mounts` — mount volume references, their relative mount paths, paths under a mount;
* :mod:`.secrets` — the secret fields of the models, documents with and without them;
* :mod:`.durations` — ``max_wall_clock_time`` in all the forms it arrives in;
* :mod:`.documents` — models, ``as_dict()`` mappings and REST bodies as one plain shape;
* :mod:`.answers` — what the service answered beyond the request: error codes and messages,
  defaults it filled in, the ``usages.list`` entries.

Standard library only (plus :mod:`batchai_compat.exceptions`): the node runtime imports it and
ships inside the Azure ML node zip application.  Nothing here talks to a service or touches a
disk; backends decide what a rule *becomes* on their platform.
"""
