"""The neutral machinery under both the models and the operations layer.

Batch AI's client (msrest/msrestazure) gave every resource family the same three shapes of
answer: a pager for list operations (``msrest.paging.Paged``, :mod:`.paging`), a poller for
long-running ones (``msrest.polling.LROPoller``, :mod:`.polling`) and, with ``raw=True``, a
``ClientRawResponse`` (:mod:`.raw`).  They live here, below :mod:`batchai_compat.models` (whose
``*Paged`` classes derive from :class:`~.paging.Paged`) and :mod:`batchai_compat.operations`
(which builds them), so that neither layer reaches into the other.  Standard library only.

:data:`API_VERSION` is the Batch AI REST API version the client speaks: azure-mgmt-batchai 2.0.0
sent ``api-version=2018-05-01`` with every request and exposed it as ``client.api_version``.
"""

from __future__ import annotations

__all__ = ["API_VERSION"]

#: Batch AI's last REST API version (the only one azure-mgmt-batchai 2.0.0 spoke).
API_VERSION = "2018-05-01"
