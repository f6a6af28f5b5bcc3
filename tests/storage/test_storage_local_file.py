"""FileService on the local backend: shares are folders; Azure Files' rules are kept."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta, timezone

import pytest
import requests

from batchai_compat import exceptions
from batchai_compat.exceptions import ValidationError
from batchai_compat.storage.file import (
    Directory,
    File,
    FilePermissions,
    FileService,
    SharePermissions,
)

from .conftest import ACCOUNT, KEY


def _in_an_hour():
    return datetime.now(timezone.utc) + timedelta(hours=1)


def test_recipe_flow(file_service, share_dir, tmp_path, monkeypatch):
    assert file_service.storage == "local"
    assert file_service.create_share("batchaisample", fail_on_exist=False) is True
    assert file_service.create_share("batchaisample", fail_on_exist=False) is False
    assert file_service.create_directory("batchaisample", "scripts", fail_on_exist=False) is True
    assert file_service.create_directory("batchaisample", "scripts", fail_on_exist=False) is False
    monkeypatch.chdir(tmp_path)
    (tmp_path / "some_local_name.py").write_text("print(1)\n")
    # Stored under the given name whatever the local file is called; relative local path.
    assert (
        file_service.create_file_from_path(
            "batchaisample", "scripts", "train.py", "some_local_name.py"
        )
        is None
    )
    assert (share_dir("batchaisample") / "scripts" / "train.py").read_text() == "print(1)\n"
    assert file_service.exists("batchaisample")
    assert file_service.exists("batchaisample", "scripts")
    assert file_service.exists("batchaisample", "scripts", "train.py")
    assert not file_service.exists("batchaisample", "scripts", "nope.py")
    assert not file_service.exists("batchaisample", "nodir", "train.py")
    assert not file_service.exists("noshare", "scripts")


def test_fail_on_exist_and_fail_not_exist(file_service):
    file_service.create_share("share")
    with pytest.raises(exceptions.ResourceExistsError) as info:
        file_service.create_share("share", fail_on_exist=True)
    assert info.value.status_code == 409
    file_service.create_directory("share", "d")
    with pytest.raises(exceptions.ResourceExistsError):
        file_service.create_directory("share", "d", fail_on_exist=True)
    assert file_service.delete_share("share") is True
    assert file_service.delete_share("share") is False
    with pytest.raises(exceptions.ResourceNotFoundError) as missing:
        file_service.delete_share("share", fail_not_exist=True)
    assert missing.value.response.status_code == 404


def test_parent_directory_must_exist_like_azure_files(file_service):
    file_service.create_share("share")
    with pytest.raises(exceptions.ResourceNotFoundError) as info:
        file_service.create_directory("share", "a/b")
    assert info.value.error.error == "ParentNotFound"
    with pytest.raises(exceptions.ResourceNotFoundError):
        file_service.create_file_from_text("share", "missing", "x.txt", "x")
    file_service.create_directory("share", "a")
    file_service.create_directory("share", "a/b")
    file_service.create_file_from_text("share", "a/b", "x.txt", "nested")
    assert file_service.get_file_to_text("share", "a/b", "x.txt").content == "nested"


def test_uploads_and_downloads(file_service, tmp_path):
    file_service.create_share("share")
    file_service.create_file_from_text("share", None, "root.txt", "at the root")
    file_service.create_file_from_bytes("share", "", "b.bin", b"0123456789", index=1, count=3)
    with open(tmp_path / "src", "wb") as handle:
        handle.write(b"streamed bytes")
    with open(tmp_path / "src", "rb") as stream:
        file_service.create_file_from_stream("share", None, "s.bin", stream, count=8)
    assert file_service.get_file_to_text("share", None, "root.txt").content == "at the root"
    assert file_service.get_file_to_bytes("share", None, "b.bin").content == b"123"
    assert file_service.get_file_to_bytes("share", None, "s.bin").content == b"streamed"
    part = file_service.get_file_to_bytes("share", None, "root.txt", start_range=3, end_range=5)
    assert part.content == b"the"
    out = tmp_path / "down.txt"
    result = file_service.get_file_to_path("share", None, "root.txt", str(out))
    assert out.read_text() == "at the root"
    assert isinstance(result, File) and result.properties.content_length == len("at the root")


def test_list_directories_and_files_yields_legacy_types(file_service):
    file_service.create_share("share")
    file_service.create_directory("share", "logs")
    file_service.create_directory("share", "logs/old")
    file_service.create_file_from_text("share", "logs", "b.txt", "bb")
    file_service.create_file_from_text("share", "logs", "a.txt", "a")
    entries = list(file_service.list_directories_and_files("share", "logs"))
    assert [(type(e).__name__, e.name) for e in entries] == [
        ("File", "a.txt"),
        ("File", "b.txt"),
        ("Directory", "old"),
    ]
    assert entries[1].properties.content_length == 2
    assert isinstance(entries[2], Directory)
    assert [e.name for e in file_service.list_directories_and_files("share")] == ["logs"]
    assert [
        e.name for e in file_service.list_directories_and_files("share", "logs", prefix="a")
    ] == ["a.txt"]
    paged = file_service.list_directories_and_files("share", "logs", num_results=1)
    assert [e.name for e in paged] == ["a.txt"] and paged.next_marker == "b.txt"


def test_recursive_listing_helper_of_the_recipes(file_service):
    """utilities/job_factory.py walks a share with isinstance(f, azure.storage.file.models.File)."""
    models = importlib.import_module("batchai_compat.storage.file.models")
    file_service.create_share("share")
    file_service.create_directory("share", "d")
    file_service.create_directory("share", "d/e")
    for directory, name in (("d", "1.txt"), ("d/e", "2.txt"), (None, "0.txt")):
        file_service.create_file_from_text("share", directory, name, name)
    files, dirs = [], [None]
    while dirs:
        current = dirs.pop()
        for f in file_service.list_directories_and_files(
            share_name="share", directory_name=current
        ):
            path = f"{current}/{f.name}" if current else f.name
            (files if isinstance(f, models.File) else dirs).append(path)
    assert sorted(files) == ["0.txt", "d/1.txt", "d/e/2.txt"]


def test_delete_file_and_directory(file_service, share_dir):
    file_service.create_share("share")
    file_service.create_directory("share", "d")
    file_service.create_file_from_text("share", "d", "x.txt", "x")
    with pytest.raises(exceptions.ConflictError):
        file_service.delete_directory("share", "d")
    file_service.delete_file("share", "d", "x.txt")
    assert not file_service.exists("share", "d", "x.txt")
    with pytest.raises(exceptions.ResourceNotFoundError):
        file_service.delete_file("share", "d", "x.txt")
    assert file_service.delete_directory("share", "d") is True
    assert file_service.delete_directory("share", "d") is False
    assert list(share_dir("share").iterdir()) == []


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda s: s.create_share("Share_1"), "share_name"),
        (lambda s: s.create_share("share", quota=0), "quota"),
        (lambda s: s.create_directory("share", "a/../b"), "directory_name"),
        (lambda s: s.create_directory("share", ""), "directory_name"),
        (lambda s: s.create_file_from_text("share", None, "a/b.txt", "x"), "file_name"),
        (lambda s: s.create_file_from_text("share", None, "a?.txt", "x"), "file_name"),
        (lambda s: s.create_file_from_path("share", None, "x.txt", "/no/such"), "local_file_path"),
        (lambda s: s.create_file_from_stream("share", None, "x.txt", None, count=None), "count"),
        (lambda s: s.get_file_to_path("share", None, "x.txt", "out", open_mode="w"), "open_mode"),
        (
            lambda s: s.generate_file_shared_access_signature(
                "share", None, "x.txt", expiry=_in_an_hour()
            ),
            "permission",
        ),
    ],
)
def test_bad_input_fails_before_any_side_effect(file_service, call, parameter, batchai_home):
    file_service.create_share("share")
    before = sorted(p.relative_to(batchai_home) for p in batchai_home.rglob("*"))
    with pytest.raises(ValidationError) as info:
        call(file_service)
    assert info.value.parameter == parameter
    assert sorted(p.relative_to(batchai_home) for p in batchai_home.rglob("*")) == before


def test_file_and_share_sas_urls(file_service):
    file_service.create_share("share")
    file_service.create_directory("share", "logs")
    file_service.create_file_from_text("share", "logs", "stdout.txt", "abcdef")
    sas = file_service.generate_file_shared_access_signature(
        "share", "logs", "stdout.txt", permission=FilePermissions.READ, expiry=_in_an_hour()
    )
    url = file_service.make_file_url("share", "logs", "stdout.txt", sas_token=sas)
    ranged = requests.get(url, headers={"Range": "bytes=3-"}, timeout=10)
    assert (ranged.status_code, ranged.content) == (206, b"def")
    assert (
        requests.get(
            file_service.make_file_url("share", "logs", "stdout.txt"), timeout=10
        ).status_code
        == 403
    )
    share_sas = file_service.generate_share_shared_access_signature(
        "share", SharePermissions.READ, _in_an_hour()
    )
    assert (
        requests.get(
            file_service.make_file_url("share", "logs", "stdout.txt", sas_token=share_sas),
            timeout=10,
        ).text
        == "abcdef"
    )


def test_key_never_in_repr():
    service = FileService(ACCOUNT, KEY)
    assert KEY not in repr(service) and KEY not in repr(service._store.account)
    assert service.account_key == KEY


def test_blob_and_file_services_of_one_account_are_separate_namespaces(file_service, blob_service):
    file_service.create_share("same-name")
    assert not blob_service.exists("same-name")


def test_file_metadata_and_content_settings_are_kept(file_service, share_dir):
    from batchai_compat.storage.file import ContentSettings

    file_service.create_share("share")
    file_service.create_file_from_text(
        "share",
        None,
        "a.cfg",
        "x=1",
        content_settings=ContentSettings(content_type="text/x-ini"),
        metadata={"k": "v"},
    )
    got = file_service.get_file_to_text("share", None, "a.cfg")
    assert (
        got.metadata == {"k": "v"} and got.properties.content_settings.content_type == "text/x-ini"
    )
    assert [p.name for p in share_dir("share").iterdir()] == ["a.cfg"]
    file_service.delete_file("share", None, "a.cfg")
    file_service.create_file_from_text("share", None, "a.cfg", "x=2")
    assert file_service.get_file_to_text("share", None, "a.cfg").metadata == {}
