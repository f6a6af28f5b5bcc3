"""Put Blob uploads that outlive their service's close() leave no socket open.

A ``BlockBlobService`` old code drops without closing is released when it is garbage-collected;
when that happens on one of its own upload threads, the release cannot wait for the queued
uploads.  Those still run afterwards, and ``http.client`` silently reopens a closed connection on
its next request: each such upload must close its connection again, or its socket leaks (an
``unclosed socket`` ResourceWarning, an error under this suite's warnings filter).
"""

from __future__ import annotations

import gc
import itertools

import pytest

from batchai_compat.storage._account import DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME, StorageAccount
from batchai_compat.storage._azure_uploads import PutBlob

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


def put_blob(azurite) -> PutBlob:
    account = StorageAccount(
        name=DEV_ACCOUNT_NAME, service="blob", endpoint=azurite.blob_endpoint, key=DEV_ACCOUNT_KEY
    )
    return PutBlob(account, azurite.blob_endpoint, API_VERSION)


def test_an_upload_after_close_closes_its_reopened_connection(azurite, container):
    uploads = put_blob(azurite)
    assert uploads.put(container.container_name, "before.bin", b"1", None, None).etag
    connection = uploads._local.connection  # this thread's keep-alive connection
    assert connection.sock is not None
    uploads.close()
    assert connection.sock is None
    # Queued before close(), run after it: the upload still lands...
    assert uploads.put(container.container_name, "after.bin", b"2", None, None).etag
    assert container.download_blob("after.bin").readall() == b"2"
    # ...and the connection http.client reopened for it is closed again.
    assert uploads._local.connection is connection and connection.sock is None
    del connection, uploads
    gc.collect()  # an unclosed socket would warn here (an error in this suite)
