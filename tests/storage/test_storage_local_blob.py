"""BlockBlobService on the local backend: blobs are files in the account's container folders."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests

from batchai_compat import exceptions
from batchai_compat.exceptions import ValidationError
from batchai_compat.storage.blob import (
    Blob,
    BlobPermissions,
    BlobPrefix,
    BlockBlobService,
    ContainerPermissions,
    ContentSettings,
)

from .conftest import ACCOUNT, KEY


def _in_an_hour():
    return datetime.now(timezone.utc) + timedelta(hours=1)


def test_recipe_flow_lands_in_the_container_folder(
    blob_service, container_dir, tmp_path, monkeypatch
):
    assert blob_service.storage == "local"
    assert blob_service.create_container("batchaisample", fail_on_exist=False) is True
    assert blob_service.create_container("batchaisample", fail_on_exist=False) is False
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mnist_replica.py").write_text("print('train')\n")
    # The guide: a nested blob name, a relative local path whose name differs.
    props = blob_service.create_blob_from_path(
        "batchaisample", "tensorflow_samples/mnist_replica.py", "mnist_replica.py"
    )
    assert props.etag and props.last_modified.tzinfo is not None
    stored = container_dir("batchaisample") / "tensorflow_samples" / "mnist_replica.py"
    assert stored.read_text() == "print('train')\n"


def test_create_and_delete_container_legacy_return_values(blob_service, container_dir):
    with pytest.raises(exceptions.ResourceExistsError) as info:
        blob_service.create_container("data")
        blob_service.create_container("data", fail_on_exist=True)
    assert info.value.status_code == 409
    assert blob_service.delete_container("data") is True
    assert not container_dir("data").exists()
    assert blob_service.delete_container("data") is False
    with pytest.raises(exceptions.ResourceNotFoundError) as missing:
        blob_service.delete_container("data", fail_not_exist=True)
    assert missing.value.response.status_code == 404


def test_every_create_and_get_flavour_round_trips(blob_service, tmp_path):
    blob_service.create_container("data")
    source = tmp_path / "local-name.bin"
    source.write_bytes(b"\x00\x01binary")
    blob_service.create_blob_from_path("data", "a/path.bin", str(source))
    blob_service.create_blob_from_text("data", "a/text.txt", "héllo", encoding="latin-1")
    blob_service.create_blob_from_bytes("data", "bytes.bin", b"0123456789", index=2, count=4)
    with open(source, "rb") as stream:
        blob_service.create_blob_from_stream("data", "stream.bin", stream, count=3)

    assert blob_service.get_blob_to_bytes("data", "a/path.bin").content == b"\x00\x01binary"
    assert (
        blob_service.get_blob_to_text("data", "a/text.txt", encoding="latin-1").content == "héllo"
    )
    assert blob_service.get_blob_to_bytes("data", "bytes.bin").content == b"2345"
    assert blob_service.get_blob_to_bytes("data", "stream.bin").content == b"\x00\x01b"
    partial = blob_service.get_blob_to_bytes("data", "a/path.bin", start_range=2, end_range=4)
    assert partial.content == b"bin"
    assert partial.properties.content_range == "bytes 2-4/8"
    target = tmp_path / "out" / "copy.bin"
    target.parent.mkdir()
    blob = blob_service.get_blob_to_path("data", "a/path.bin", str(target))
    assert target.read_bytes() == b"\x00\x01binary"
    assert (
        isinstance(blob, Blob) and blob.name == "a/path.bin" and blob.properties.content_length == 8
    )


def test_overwrite_replaces_content(blob_service):
    blob_service.create_container("data")
    blob_service.create_blob_from_text("data", "x.txt", "first, longer content")
    blob_service.create_blob_from_text("data", "x.txt", "second")
    assert blob_service.get_blob_to_text("data", "x.txt").content == "second"


def test_list_blobs_full_names_prefix_delimiter_and_paging(blob_service):
    blob_service.create_container("data")
    names = ["b.txt", "dir/one.txt", "dir/sub/two.txt", "dira.txt", "a.txt"]
    for name in names:
        blob_service.create_blob_from_text("data", name, name)
    listed = list(blob_service.list_blobs("data"))
    assert [b.name for b in listed] == sorted(names)
    assert all(b.properties.blob_type == "BlockBlob" for b in listed)
    assert {b.name: b.properties.content_length for b in listed}["dir/sub/two.txt"] == len(
        "dir/sub/two.txt"
    )
    assert [b.name for b in blob_service.list_blobs("data", prefix="dir/")] == [
        "dir/one.txt",
        "dir/sub/two.txt",
    ]
    assert [b.name for b in blob_service.list_blobs("data", prefix="dir")] == [
        "dir/one.txt",
        "dir/sub/two.txt",
        "dira.txt",
    ]
    folded = list(blob_service.list_blobs("data", delimiter="/"))
    assert [(type(e).__name__, e.name) for e in folded] == [
        ("Blob", "a.txt"),
        ("Blob", "b.txt"),
        ("BlobPrefix", "dir/"),
        ("Blob", "dira.txt"),
    ]
    assert isinstance(folded[2], BlobPrefix)
    first = blob_service.list_blobs("data", num_results=2)
    assert [b.name for b in first] == ["a.txt", "b.txt"] and first.next_marker == "dir/one.txt"
    rest = blob_service.list_blobs("data", marker=first.next_marker)
    assert [b.name for b in rest] == ["dir/one.txt", "dir/sub/two.txt", "dira.txt"]
    assert rest.next_marker is None


def test_exists_and_delete_blob(blob_service, container_dir):
    blob_service.create_container("data")
    assert blob_service.exists("data") and not blob_service.exists("nothere")
    blob_service.create_blob_from_text("data", "deep/er/x.txt", "x")
    assert blob_service.exists("data", "deep/er/x.txt")
    assert not blob_service.exists("data", "deep/er")  # a virtual directory is not a blob
    blob_service.delete_blob("data", "deep/er/x.txt")
    assert not blob_service.exists("data", "deep/er/x.txt")
    # The virtual directory went with its last blob, as in Azure.
    assert list(container_dir("data").iterdir()) == []
    with pytest.raises(exceptions.ResourceNotFoundError) as info:
        blob_service.delete_blob("data", "deep/er/x.txt")
    assert info.value.error.error == "BlobNotFound"


def test_missing_container_or_blob_is_404_and_leaves_no_local_file(blob_service, tmp_path):
    with pytest.raises(exceptions.ResourceNotFoundError) as info:
        blob_service.create_blob_from_text("nope", "x.txt", "x")
    assert info.value.error.error == "ContainerNotFound"
    blob_service.create_container("data")
    target = tmp_path / "keep.bin"
    target.write_bytes(b"precious")
    with pytest.raises(exceptions.ResourceNotFoundError):
        blob_service.get_blob_to_path("data", "missing.bin", str(target))
    assert target.read_bytes() == b"precious"


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda s: s.create_container("Bad_Name"), "container_name"),
        (lambda s: s.create_container("ab"), "container_name"),
        (lambda s: s.create_blob_from_text("data", "../escape.txt", "x"), "blob_name"),
        (lambda s: s.create_blob_from_text("data", "a//b.txt", "x"), "blob_name"),
        (lambda s: s.create_blob_from_text("data", "", "x"), "blob_name"),
        (lambda s: s.create_blob_from_path("data", "x", "/no/such/file"), "file_path"),
        (lambda s: s.create_blob_from_text("data", "x", "x", metadata={"a": 1}), "metadata"),
        (lambda s: s.create_blob_from_text("data", "x", "x", lease_id="abc"), "lease_id"),
        (lambda s: s.get_blob_to_bytes("data", "x", end_range=3), "start_range"),
        (lambda s: s.list_blobs("data", num_results=0), "num_results"),
        (
            lambda s: s.generate_blob_shared_access_signature("data", "x", expiry=_in_an_hour()),
            "permission",
        ),
        (lambda s: s.generate_blob_shared_access_signature("data", "x", "r"), "expiry"),
    ],
)
def test_bad_input_fails_before_any_side_effect(
    blob_service, container_dir, call, parameter, batchai_home
):
    blob_service.create_container("data")
    before = sorted(p.relative_to(batchai_home) for p in batchai_home.rglob("*"))
    with pytest.raises(ValidationError) as info:
        call(blob_service)
    assert info.value.parameter == parameter
    assert sorted(p.relative_to(batchai_home) for p in batchai_home.rglob("*")) == before


def test_name_used_as_directory_is_a_conflict(blob_service):
    blob_service.create_container("data")
    blob_service.create_blob_from_text("data", "a", "file")
    with pytest.raises(exceptions.ConflictError) as info:
        blob_service.create_blob_from_text("data", "a/b", "under a file")
    assert info.value.status_code == 409
    assert blob_service.get_blob_to_text("data", "a").content == "file"


def test_blob_sas_url_serves_ranges_and_expires(blob_service):
    blob_service.create_container("data")
    blob_service.create_blob_from_text("data", "logs/stdout.txt", "0123456789")
    sas = blob_service.generate_blob_shared_access_signature(
        "data", "logs/stdout.txt", BlobPermissions.READ, _in_an_hour()
    )
    url = blob_service.make_blob_url("data", "logs/stdout.txt", sas_token=sas)
    assert url.startswith("http://127.0.0.1:")
    assert requests.get(url, timeout=10).content == b"0123456789"
    partial = requests.get(url, headers={"Range": "bytes=7-"}, timeout=10)
    assert (partial.status_code, partial.content) == (206, b"789")
    assert requests.get(url, headers={"Range": "bytes=10-"}, timeout=10).status_code == 416
    # Without a SAS, or with one for another blob, or expired: refused like a private container.
    assert (
        requests.get(blob_service.make_blob_url("data", "logs/stdout.txt"), timeout=10).status_code
        == 403
    )
    blob_service.create_blob_from_text("data", "other.txt", "other")
    assert (
        requests.get(
            blob_service.make_blob_url("data", "other.txt", sas_token=sas), timeout=10
        ).status_code
        == 403
    )
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    stale = blob_service.generate_blob_shared_access_signature("data", "logs/stdout.txt", "r", past)
    assert (
        requests.get(
            blob_service.make_blob_url("data", "logs/stdout.txt", sas_token=stale), timeout=10
        ).status_code
        == 403
    )
    # A SAS that does not grant read grants nothing through the (read-only) loopback server.
    write_only = blob_service.generate_blob_shared_access_signature(
        "data", "logs/stdout.txt", "w", _in_an_hour()
    )
    assert (
        requests.get(
            blob_service.make_blob_url("data", "logs/stdout.txt", sas_token=write_only), timeout=10
        ).status_code
        == 403
    )


def test_container_sas_grants_every_blob_of_that_container_only(blob_service):
    for container in ("data", "other"):
        blob_service.create_container(container)
        blob_service.create_blob_from_text(container, "x/y.txt", container)
    sas = blob_service.generate_container_shared_access_signature(
        "data",
        ContainerPermissions.READ + ContainerPermissions.LIST,
        expiry=_in_an_hour().isoformat(),
    )
    assert "sp=rl" in sas
    assert (
        requests.get(blob_service.make_blob_url("data", "x/y.txt", sas_token=sas), timeout=10).text
        == "data"
    )
    assert (
        requests.get(
            blob_service.make_blob_url("data", "nope.txt", sas_token=sas), timeout=10
        ).status_code
        == 404
    )
    # The data SAS presented for the other container grants nothing there.
    assert (
        requests.get(
            blob_service.make_blob_url("other", "x/y.txt", sas_token=sas), timeout=10
        ).status_code
        == 403
    )
    other_sas = blob_service.generate_container_shared_access_signature("other", "r", _in_an_hour())
    assert (
        requests.get(
            blob_service.make_blob_url("other", "x/y.txt", sas_token=other_sas), timeout=10
        ).text
        == "other"
    )


def test_permissions_compose_like_the_legacy_sdk():
    both = BlobPermissions.READ + BlobPermissions.WRITE
    assert str(both) == "rw" and both.read and both.write and not both.delete
    assert str(BlobPermissions(_str="dwr")) == "rwd"
    assert str(ContainerPermissions.LIST | ContainerPermissions.READ) == "rl"


def test_key_never_in_repr_and_account_attributes(blob_service):
    text = repr(blob_service) + str(blob_service) + repr(blob_service._store.account)
    assert KEY not in text
    assert blob_service.account_name == ACCOUNT
    assert blob_service.account_key == KEY  # old code forwards it to job mounts
    assert blob_service.protocol == "https"
    assert blob_service.primary_endpoint == f"{ACCOUNT}.blob.core.windows.net"


def test_content_settings_and_metadata_are_kept_beside_the_data(blob_service, container_dir):
    blob_service.create_container("data")
    blob_service.create_blob_from_text(
        "data",
        "report/page.dat",
        "<p>",
        content_settings=ContentSettings(content_type="text/html", cache_control="no-cache"),
        metadata={"owner": "notebook"},
    )
    blob = blob_service.get_blob_properties("data", "report/page.dat")
    assert blob.properties.content_settings.content_type == "text/html"
    assert blob.properties.content_settings.cache_control == "no-cache"
    assert blob.metadata == {"owner": "notebook"}
    listed = next(iter(blob_service.list_blobs("data")))
    assert listed.metadata == {"owner": "notebook"}
    # Nothing but the data is in the container folder (a job mounting it sees only its files).
    assert sorted(p.name for p in container_dir("data").rglob("*")) == ["page.dat", "report"]
    # Overwriting without settings resets them, as Put Blob does.
    blob_service.create_blob_from_text("data", "report/page.dat", "<p>2")
    again = blob_service.get_blob_properties("data", "report/page.dat")
    assert (
        again.metadata == {}
        and again.properties.content_settings.content_type == "application/octet-stream"
    )


def test_a_file_rewritten_by_a_job_reads_back_with_default_settings(blob_service, container_dir):
    blob_service.create_container("data")
    blob_service.create_blob_from_text(
        "data",
        "out.txt",
        "v1",
        content_settings=ContentSettings(content_type="application/x-custom"),
        metadata={"a": "b"},
    )
    target = container_dir("data") / "out.txt"
    target.unlink()
    target.write_text(
        "rewritten by a job"
    )  # a new file: the recorded settings described the old one
    blob = blob_service.get_blob_properties("data", "out.txt")
    assert blob.metadata == {} and blob.properties.content_settings.content_type == "text/plain"


def test_two_services_of_one_account_share_the_folders():
    first = BlockBlobService(ACCOUNT, KEY)
    second = BlockBlobService(connection_string=f"AccountName={ACCOUNT};AccountKey={KEY}")
    assert second.storage == "local"
    first.create_container("shared")
    first.create_blob_from_text("shared", "x.txt", "seen")
    assert second.get_blob_to_text("shared", "x.txt").content == "seen"
