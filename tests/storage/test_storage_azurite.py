"""BlockBlobService on Azure Storage (azure-storage-blob v12) against a real Azurite process."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest
import requests

from batchai_compat import exceptions
from batchai_compat.storage.blob import BlobPermissions, BlockBlobService, ContainerPermissions

pytestmark = pytest.mark.azurite

_names = (f"c{i:04d}-test" for i in itertools.count())


@pytest.fixture
def service(azurite):
    # A connection string naming BlobEndpoint selects Azure Storage without storage="azure".
    svc = BlockBlobService(connection_string=azurite.connection_string)
    yield svc
    svc.close()


@pytest.fixture
def container(service):
    name = next(_names)
    assert service.create_container(name) is True
    yield name
    service.delete_container(name)


@pytest.fixture
def v12(azurite):
    from azure.storage.blob import BlobServiceClient

    client = BlobServiceClient.from_connection_string(azurite.connection_string)
    yield client
    client.close()


def test_selected_by_the_explicit_endpoint(service, azurite):
    assert service.storage == "azure"
    assert service.account_name == "devstoreaccount1"
    assert "Eby8" not in repr(service)


def test_create_container_legacy_semantics(service, container):
    assert service.create_container(container) is False
    with pytest.raises(exceptions.ResourceExistsError) as info:
        service.create_container(container, fail_on_exist=True)
    assert info.value.status_code == 409
    assert service.exists(container)
    other = next(_names)
    assert service.delete_container(other) is False
    with pytest.raises(exceptions.ResourceNotFoundError) as missing:
        service.delete_container(other, fail_not_exist=True)
    assert missing.value.response.status_code == 404


def test_upload_download_list_round_trip_seen_by_v12(service, container, v12, tmp_path):
    source = tmp_path / "local.bin"
    source.write_bytes(b"dataset bytes")
    service.create_blob_from_path(container, "mnist_dataset/train.bin", str(source))
    service.create_blob_from_text(container, "scripts/train.py", "print('hi')")
    service.create_blob_from_bytes(container, "top.bin", b"0123456789", index=5)
    with open(source, "rb") as stream:
        service.create_blob_from_stream(container, "stream.bin", stream, count=7)
    # v12 sees what the legacy face wrote.
    listed = [b.name for b in service.list_blobs(container)]
    assert listed == ["mnist_dataset/train.bin", "scripts/train.py", "stream.bin", "top.bin"]
    assert sorted(b.name for b in v12.get_container_client(container).list_blobs()) == listed
    assert v12.get_blob_client(container, "top.bin").download_blob().readall() == b"56789"
    assert service.get_blob_to_text(container, "scripts/train.py").content == "print('hi')"
    assert service.get_blob_to_bytes(container, "stream.bin").content == b"dataset"
    part = service.get_blob_to_bytes(
        container, "mnist_dataset/train.bin", start_range=8, end_range=12
    )
    assert part.content == b"bytes"
    out = tmp_path / "out.bin"
    blob = service.get_blob_to_path(container, "mnist_dataset/train.bin", str(out))
    assert out.read_bytes() == b"dataset bytes"
    assert blob.properties.content_length == 13 and blob.properties.blob_type == "BlockBlob"
    assert [b.name for b in service.list_blobs(container, prefix="scripts/")] == [
        "scripts/train.py"
    ]
    assert [b.name for b in service.list_blobs(container, delimiter="/")] == [
        "mnist_dataset/",
        "scripts/",
        "stream.bin",
        "top.bin",
    ]


def test_metadata_and_content_settings_reach_the_service(service, container, v12):
    from batchai_compat.storage.blob import ContentSettings

    service.create_blob_from_text(
        container,
        "page.html",
        "<p>",
        content_settings=ContentSettings(content_type="text/html"),
        metadata={"k": "v"},
    )
    props = v12.get_blob_client(container, "page.html").get_blob_properties()
    assert props.content_settings.content_type == "text/html"
    assert props.metadata == {"k": "v"}
    legacy = service.get_blob_properties(container, "page.html")
    assert (
        legacy.metadata == {"k": "v"}
        and legacy.properties.content_settings.content_type == "text/html"
    )


def test_exists_delete_and_404s(service, container):
    service.create_blob_from_text(container, "x.txt", "x")
    assert service.exists(container, "x.txt")
    service.delete_blob(container, "x.txt")
    assert not service.exists(container, "x.txt")
    with pytest.raises(exceptions.ResourceNotFoundError) as info:
        service.delete_blob(container, "x.txt")
    assert info.value.error.error == "BlobNotFound"
    with pytest.raises(exceptions.ResourceNotFoundError):
        service.get_blob_to_bytes(container, "x.txt")


def test_sas_url_fetch_with_range_200_206_403(service, container):
    service.create_blob_from_text(container, "logs/stdout-wk-0.txt", "0123456789")
    expiry = datetime.now(timezone.utc) + timedelta(hours=1)
    sas = service.generate_blob_shared_access_signature(
        container, "logs/stdout-wk-0.txt", BlobPermissions.READ, expiry
    )
    url = service.make_blob_url(container, "logs/stdout-wk-0.txt", sas_token=sas)
    assert url.startswith(f"{service._store._endpoint()}/{container}/logs/stdout-wk-0.txt?")
    whole = requests.get(url, timeout=10)
    assert (whole.status_code, whole.content) == (200, b"0123456789")
    part = requests.get(url, headers={"Range": "bytes=4-"}, timeout=10)
    assert (part.status_code, part.content) == (206, b"456789")
    assert requests.get(
        service.make_blob_url(container, "logs/stdout-wk-0.txt"), timeout=10
    ).status_code in (403, 404)
    forged = url.replace("sig=", "sig=AAAA")
    assert requests.get(forged, timeout=10).status_code == 403
    container_sas = service.generate_container_shared_access_signature(
        container, ContainerPermissions.READ, expiry=expiry
    )
    assert (
        requests.get(
            service.make_blob_url(container, "logs/stdout-wk-0.txt", sas_token=container_sas),
            timeout=10,
        ).text
        == "0123456789"
    )


def test_every_upload_is_stored_when_its_call_returns(service, container, v12):
    """The legacy calls were synchronous: another client sees each blob as soon as it returns."""
    reader = v12.get_container_client(container)
    for i in range(30):
        props = service.create_blob_from_bytes(container, f"many/{i:03d}.bin", bytes([i]) * 3)
        assert type(props).__name__ == "ResourceProperties" and props.etag
        assert reader.download_blob(f"many/{i:03d}.bin").readall() == bytes([i]) * 3
    names = [b.name for b in service.list_blobs(container, prefix="many/")]
    assert names == [f"many/{i:03d}.bin" for i in range(30)]


def test_a_failed_upload_raises_in_its_own_call_and_nowhere_else(service, container):
    with pytest.raises(exceptions.ResourceNotFoundError) as info:
        service.create_blob_from_bytes("no-such-container", "x.bin", b"x")
    assert info.value.error.error == "ContainerNotFound"
    assert info.value.response.status_code == 404
    # Nothing is left to surface later: the next calls succeed.
    service.create_blob_from_text(container, "after.txt", "ok")
    assert service.get_blob_to_text(container, "after.txt").content == "ok"


def test_large_payloads_upload_in_the_call(service, container, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"z" * (2 * 1024 * 1024 + 3))
    props = service.create_blob_from_path(container, "big.bin", str(big), max_connections=4)
    assert type(props).__name__ == "ResourceProperties" and props.etag
    assert (
        service.get_blob_properties(container, "big.bin").properties.content_length
        == 2 * 1024 * 1024 + 3
    )


def test_account_name_key_and_custom_domain_against_the_emulator(azurite, service, container):
    from _azurite import ACCOUNT, KEY

    by_key = BlockBlobService(
        ACCOUNT, KEY, custom_domain=azurite.blob_endpoint.rsplit("/", 1)[0], protocol="http"
    )
    # custom_domain is the emulator host here; legacy URLs put the account in the path.
    assert by_key.storage == "azure"
    by_key.close()
    direct = BlockBlobService(ACCOUNT, KEY, storage="azure", custom_domain=azurite.blob_endpoint)
    direct.create_blob_from_text(container, "k.txt", "by key")
    assert service.get_blob_to_text(container, "k.txt").content == "by key"
    direct.close()


def test_container_metadata_and_public_access_reach_the_service(service, v12):
    from batchai_compat.storage.blob import PublicAccess

    name = next(_names)
    service.create_container(name, metadata={"owner": "notebook"}, public_access=PublicAccess.Blob)
    props = v12.get_container_client(name).get_container_properties()
    assert props.metadata == {"owner": "notebook"} and props.public_access == "blob"
    anonymous = requests.get(f"{service.make_container_url(name)}/missing.txt", timeout=10)
    assert anonymous.status_code == 404  # public read: the blob is simply missing, not forbidden
    service.delete_container(name)


def test_no_sas_or_key_reaches_debug_logs(service, container, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    for i in range(20):
        service.create_blob_from_bytes(container, f"logged/{i}.bin", b"x")
    assert [b.name for b in service.list_blobs(container, prefix="logged/")]
    from _azurite import KEY

    assert "sig=" not in caplog.text and KEY not in caplog.text


def test_a_service_dropped_without_close_releases_its_sockets(azurite):
    """Old code never closes BlockBlobService: dropping it must not leak sockets or threads.

    (pytest turns an unclosed-socket ResourceWarning into an error for this test.)
    """
    import gc
    import threading

    before = {t.ident for t in threading.enumerate()}
    service = BlockBlobService(connection_string=azurite.connection_string)
    name = next(_names)
    service.create_container(name)
    for i in range(40):
        service.create_blob_from_bytes(name, f"{i}.bin", b"x")
    service.MAX_SINGLE_PUT_SIZE = service.MAX_BLOCK_SIZE = 64  # blocks, on parallel connections
    service.create_blob_from_bytes(name, "blocks.bin", b"y" * 1000, max_connections=4)
    assert len(list(service.list_blobs(name))) == 41
    service.delete_container(name)
    del service
    gc.collect()
    leftover = [
        t
        for t in threading.enumerate()
        if t.ident not in before and t.name.startswith("batchai-compat")
    ]
    for thread in leftover:
        thread.join(timeout=10)
    assert not [t for t in leftover if t.is_alive()]
