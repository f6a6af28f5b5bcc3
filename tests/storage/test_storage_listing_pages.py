"""Paging of the legacy listings: ``num_results`` cuts, ``next_marker`` resumes, on every kind."""

from __future__ import annotations

from batchai_compat.storage.blob.models import Blob, BlobPrefix


def test_containers_page_and_resume(blob_service):
    for name in ("alpha", "beta", "gamma"):
        blob_service.create_container(name)
    first = blob_service.list_containers(num_results=2)
    assert [c.name for c in first] == ["alpha", "beta"] and first.next_marker == "gamma"
    rest = blob_service.list_containers(marker=first.next_marker)
    assert [c.name for c in rest] == ["gamma"] and rest.next_marker is None


def test_virtual_directories_page_like_blobs(blob_service):
    blob_service.create_container("data")
    for name in ("a.txt", "dir/one.txt", "dir/two.txt", "z.txt"):
        blob_service.create_blob_from_text("data", name, name)
    first = blob_service.list_blobs("data", delimiter="/", num_results=2)
    assert [(type(e), e.name) for e in first] == [(Blob, "a.txt"), (BlobPrefix, "dir/")]
    assert first.next_marker == "z.txt"
    from_dir = blob_service.list_blobs("data", delimiter="/", marker="dir/")
    assert [e.name for e in from_dir] == ["dir/", "z.txt"]
    after_dir = blob_service.list_blobs("data", delimiter="/", marker="dir/z")
    assert [e.name for e in after_dir] == ["z.txt"]


def test_shares_page_and_resume(file_service):
    for name in ("logs", "models", "scripts"):
        file_service.create_share(name)
    first = file_service.list_shares(num_results=1)
    assert [s.name for s in first] == ["logs"] and first.next_marker == "models"
    rest = file_service.list_shares(marker=first.next_marker)
    assert [s.name for s in rest] == ["models", "scripts"] and rest.next_marker is None
