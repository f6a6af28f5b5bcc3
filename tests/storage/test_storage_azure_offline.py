"""The Azure implementations' URLs and SAS tokens, built offline (no request is sent).

Azurite has no Files service, so FileService on Azure is checked here for what needs no network:
URLs, and SAS tokens that v12 verifies as the service would (same string-to-sign).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from batchai_compat.exceptions import ValidationError
from batchai_compat.storage.blob import BlobPermissions, BlockBlobService
from batchai_compat.storage.file import FilePermissions, FileService

ACCOUNT = "offlineacct"
KEY = base64.b64encode(b"offline-test-key-0123456789abcdef").decode()
EXPIRY = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _signature_ok(string_to_sign_fields: list[str], sig: str) -> bool:
    expected = hmac.new(
        base64.b64decode(KEY), "\n".join(string_to_sign_fields).encode(), hashlib.sha256
    )
    return hmac.compare_digest(base64.b64encode(expected.digest()).decode(), sig)


def test_file_url_and_file_sas_on_azure():
    service = FileService(ACCOUNT, KEY, storage="azure")
    assert service.storage == "azure"
    sas = service.generate_file_shared_access_signature(
        "share", "dir/sub", "train file.py", permission=FilePermissions.READ, expiry=EXPIRY
    )
    query = {k: v[0] for k, v in parse_qs(sas).items()}
    assert (query["sp"], query["sr"], query["se"]) == ("r", "f", "2030-01-02T03:04:05Z")
    url = service.make_file_url("share", "dir/sub", "train file.py", sas_token=sas)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == f"https://{ACCOUNT}.file.core.windows.net"
    assert unquote(parts.path) == "/share/dir/sub/train file.py"
    # The service's file SAS string-to-sign (version 2015-04-05 and later) for this resource:
    canonical = f"/file/{ACCOUNT}/share/dir/sub/train file.py"
    fields = [query["sp"], query.get("st", ""), query["se"], canonical, "", query.get("sip", ""),
              query.get("spr", ""), query["sv"], "", "", "", "", ""]  # fmt: skip
    assert _signature_ok(fields, query["sig"])
    service.close()


def test_blob_url_and_sas_on_azure_without_network():
    service = BlockBlobService(ACCOUNT, KEY, storage="azure")
    sas = service.generate_blob_shared_access_signature(
        "data", "a b/c.txt", BlobPermissions.READ, EXPIRY
    )
    query = {k: v[0] for k, v in parse_qs(sas).items()}
    assert (query["sp"], query["sr"]) == ("r", "b")
    url = service.make_blob_url("data", "a b/c.txt", sas_token=sas)
    assert url.startswith(f"https://{ACCOUNT}.blob.core.windows.net/data/a%20b/c.txt?")
    assert service.make_container_url("data") == f"https://{ACCOUNT}.blob.core.windows.net/data"
    service.close()


def test_sas_needs_the_account_key():
    service = FileService(ACCOUNT, sas_token="sv=2020&sig=abc", storage="azure")
    with pytest.raises(ValidationError) as info:
        service.generate_share_shared_access_signature("share", "r", EXPIRY)
    assert info.value.parameter == "account_key"
    assert "abc" not in repr(service)


def test_expiry_accepts_legacy_strings_and_naive_datetimes():
    service = BlockBlobService(ACCOUNT, KEY, storage="azure")
    from_string = service.generate_container_shared_access_signature(
        "data", "r", "2030-01-02T03:04:05Z"
    )
    naive = service.generate_container_shared_access_signature(
        "data", "r", EXPIRY.replace(tzinfo=None)
    )
    assert parse_qs(from_string)["se"] == parse_qs(naive)["se"] == ["2030-01-02T03:04:05Z"]
    with pytest.raises(ValidationError):
        service.generate_container_shared_access_signature("data", "r", "next tuesday")
    service.close()
