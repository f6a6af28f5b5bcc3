"""The REST bodies the local control plane stores, and the check that none holds a secret.

Batch AI stored each resource's create parameters and gave them back on GET without secret
values.  The state package never receives a secret: callers hand it bodies built from
``models.strip_secrets(...)``.  As a second line of defence :func:`dumps_document` refuses a
body that still carries a storage key, password or secret value before it is written.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["SECRET_REST_KEYS", "assert_no_secrets", "dumps", "dumps_document"]

#: REST keys of the secret fields of Batch AI's bodies (plus ``secrets[].value``); a test checks
#: this against every field the models declare secret.
SECRET_REST_KEYS = frozenset({"accountKey", "adminUserPassword", "password", "instrumentationKey"})

# In the compact, key-sorted JSON of :func:`dumps`, a secret value can only appear right after
# one of these keys (or inside a ``secrets`` list); a body without a match holds none.
_MAYBE_SECRET = re.compile(f'"(?:{"|".join(sorted(SECRET_REST_KEYS))}|secrets)":(?!null)')


def dumps(document: Any) -> str:
    """The stored form of a JSON document: compact, keys sorted (equal bodies, equal text)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def dumps_document(document: Any, where: str) -> str:
    """:func:`dumps` of a REST body about to be stored; ``ValueError`` if it holds a secret."""
    text = dumps(document)
    if _MAYBE_SECRET.search(text):
        assert_no_secrets(document, where)
    return text


def assert_no_secrets(document: Any, where: str = "document") -> None:
    """Refuse to persist a document that still holds a secret value.

    Secret-bearing fields of Batch AI's REST bodies: ``accountKey`` (storage credentials),
    ``adminUserPassword`` (user accounts), ``password`` (registry credentials),
    ``instrumentationKey`` (App Insights) and the ``value`` of every item of a ``secrets``
    list.
    """

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in SECRET_REST_KEYS and value is not None:
                    raise ValueError(f"refusing to persist a secret value at {path}.{key}")
                if key == "secrets" and isinstance(value, list):
                    for index, item in enumerate(value):
                        if isinstance(item, dict) and item.get("value") is not None:
                            raise ValueError(
                                f"refusing to persist a secret value at {path}.secrets[{index}]"
                            )
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{path}[{index}]")

    walk(document, where)
