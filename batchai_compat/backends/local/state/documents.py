"""The REST bodies the local control plane stores, and the check that none holds a secret.

Batch AI stored each resource's create parameters and gave them back on GET without secret
values.  The state package never receives a secret: callers hand it bodies built from
``models.strip_secrets(...)``.  As a second line of defence :func:`dumps_document` refuses a
body that still carries a storage key, password or secret value (the secret fields are
:data:`batchai_compat.domain.secrets.SECRET_FIELDS`) before it is written.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ....domain.secrets import SECRET_KEYS, SECRET_LIST, secret_paths

__all__ = ["assert_no_secrets", "dumps", "dumps_document"]

# In the compact JSON of :func:`dumps`, a secret value can only appear right after one of these
# keys (or inside a ``secrets`` list): a body without a match holds none, and is not walked.
_MAYBE_SECRET = re.compile(f'"(?:{"|".join(sorted([*SECRET_KEYS, SECRET_LIST]))})":(?!null)')


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
    """Refuse to persist a document that still holds a secret value."""
    found = secret_paths(document, where)
    if found:
        raise ValueError(f"refusing to persist a secret value at {found[0]}")
