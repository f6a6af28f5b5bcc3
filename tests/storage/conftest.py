"""Fixtures of the legacy storage face tests.  Azurite comes from tests/_azurite.py (root plugin)."""

from __future__ import annotations

import pytest

from batchai_compat.home import layout
from batchai_compat.storage.blob import BlockBlobService
from batchai_compat.storage.file import FileService

ACCOUNT = "notebookacct"
KEY = "bm90LWEtcmVhbC1rZXktYnV0LXNlY3JldA=="


@pytest.fixture
def blob_service():
    """A BlockBlobService as the recipes build it, on the default (local) backend."""
    return BlockBlobService(ACCOUNT, KEY)


@pytest.fixture
def file_service():
    return FileService(ACCOUNT, KEY)


@pytest.fixture
def container_dir(batchai_home):
    return lambda name: layout.blob_container_dir(ACCOUNT, name)


@pytest.fixture
def share_dir(batchai_home):
    return lambda name: layout.file_share_dir(ACCOUNT, name)
