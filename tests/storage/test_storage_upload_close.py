"""Blob uploads in flight when their service closes leave no socket open.

Old code drops its ``BlockBlobService`` without closing it, and a notebook may close one while
another thread still uploads.  The upload finishes (it is synchronous: its caller is waiting),
and the connection it used is closed when given back instead of returning to the closed pool; a
leaked socket would be an ``unclosed socket`` ResourceWarning, an error under this suite's
warnings filter.
"""

from __future__ import annotations

import gc
import itertools

import pytest

from batchai_compat.storage._account import DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME, StorageAccount
from batchai_compat.storage._azure_uploads import BlobUploader
from batchai_compat.storage._service import Upload

pytestmark = pytest.mark.azurite

_names = (f"close{i:03d}" for i in itertools.count())
API_VERSION = "2021-08-06"


@pytest.fixture
def container(azurite):
    from azure.storage.blob import BlobServiceClient

    client = BlobServiceClient.from_connection_string(azurite.connection_string)
    name = next(_names)
    client.create_container(name)
    yield client.get_container_client(name)
    client.delete_container(name)
    client.close()


def uploader(azurite) -> BlobUploader:
    account = StorageAccount(
        name=DEV_ACCOUNT_NAME, service="blob", endpoint=azurite.blob_endpoint, key=DEV_ACCOUNT_KEY
    )
    return BlobUploader(account, azurite.blob_endpoint, API_VERSION)


def test_a_connection_given_back_after_close_is_closed(azurite, container):
    uploads = uploader(azurite)
    assert uploads.upload(
        container.container_name, "before.bin", Upload(b"1", None, None, None, 1)
    ).etag
    pool = uploads._pool
    in_flight = pool.acquire()  # the kept-alive connection, lent to a request still running
    assert in_flight.sock is not None
    uploads.close()
    pool.release(in_flight, reusable=True)
    assert in_flight.sock is None
    # An upload started after close() still lands, on a connection closed when it is done.
    assert uploads.upload(
        container.container_name, "after.bin", Upload(b"2", None, None, None, 1)
    ).etag
    assert container.download_blob("after.bin").readall() == b"2"
    assert pool._idle == []
    del in_flight, uploads, pool
    gc.collect()  # an unclosed socket would warn here (an error in this suite)
