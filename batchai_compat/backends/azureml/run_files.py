"""A job's run-history files as Batch AI ``File`` entries (``jobs.list_output_files``).

Batch AI listed a job's output directory on its Azure file share: each file's name, a SAS
download URL, ``content_length`` and ``last_modified``.  On Azure ML v1 the job's files are
run-history artifacts.  The artifact service answers with every file's path and a read-only SAS
URL in one request (``ArtifactContentInformation``: ``contentUri``, ``origin``, ``container``,
``path`` -- no size, no time); the files themselves are the blobs
``ExperimentRun/dcid.<run id>/<path>`` in the ``azureml`` container of the workspace storage
account, so their sizes and times come from Blob storage:

* one List Blobs request under the listed folder (``Content-Length``, ``Last-Modified``), signed
  with the workspace storage key the workspace's default datastore hands out -- how azureml-core's
  own datastore operations reach that account;
* where no key is available (identity-based storage, Shared Key access disabled, a caller not
  allowed to read the datastore's credential): Get Blob Properties (``HEAD``) on each listed
  file's SAS URL.

Both are retried while they fail transiently (:class:`~.._azureml_common.retry.RetryPolicy`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from ...domain.paths import is_stdouterr
from .._azureml_common import runs
from .._azureml_common.output_files import RunFile, directory_entries
from .._azureml_common.retry import RetryPolicy
from .errors import describe

__all__ = ["BlobProperties", "blob_properties", "keyed_default_datastore", "listing"]

#: Parallel ``HEAD`` requests when sizes must be read file by file.
_HEAD_WORKERS = 8
_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class BlobProperties:
    """What Blob storage reports of a file (None where it could not be read)."""

    content_length: int | None = None
    last_modified: datetime | None = None


def keyed_default_datastore(workspace: Any) -> Any | None:
    """The workspace's default datastore when it is a blob datastore holding the storage key
    (the key lists the run-history container of the same account); else None."""
    from azureml.core import Datastore
    from azureml.data.azure_storage_datastore import AzureBlobDatastore

    store = Datastore.get_default(workspace)
    if isinstance(store, AzureBlobDatastore) and store.account_key:
        return store
    return None


def _blob_location(run_file: RunFile) -> tuple[str, str, str] | None:
    """``(account host, container, blob prefix)`` of the run's files, from one SAS URL:
    ``https://<account>.blob.<suffix>/<container>/<prefix><path>?<sas>``."""
    parts = urlsplit(run_file.url)
    container, _, blob = unquote(parts.path).lstrip("/").partition("/")
    if not container or not blob.endswith(run_file.path):
        return None
    return parts.netloc.lower(), container, blob[: len(blob) - len(run_file.path)]


def _listed_properties(
    store: Any, location: tuple[str, str, str], paths: list[str]
) -> dict[str, BlobProperties] | None:
    """Properties of ``paths`` from one List Blobs of their common folder, or None when the
    key cannot list that account (another account, or Shared Key refused)."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    host, container, base = location
    if urlsplit(store.blob_service.url).netloc.lower() != host:
        return None
    common = os.path.commonprefix(paths)
    prefix = base + common[: common.rfind("/") + 1]
    from azure.storage.blob import ContainerClient

    # a client of our own, without the SDK's retries (the caller's honour Retry-After)
    client = ContainerClient(
        store.blob_service.url, container, credential=store.account_key, retry_total=0
    )
    try:
        blobs = client.list_blobs(name_starts_with=prefix)
        found = {
            blob.name[len(base) :]: BlobProperties(blob.size, blob.last_modified) for blob in blobs
        }
    except (ClientAuthenticationError, HttpResponseError) as error:
        if getattr(error, "status_code", None) == 403:
            return None
        raise
    return {path: found.get(path, BlobProperties()) for path in paths}


def _head(url: str, retry: RetryPolicy) -> BlobProperties:
    import requests

    def head() -> Any:
        response = requests.head(url, timeout=_TIMEOUT_SECONDS)
        if response.status_code in (408, 429) or response.status_code >= 500:
            response.raise_for_status()  # retried (honouring Retry-After), then given up on
        return response

    try:
        response = retry.call(head, describe)
    except requests.RequestException:
        return BlobProperties()  # sizes are a courtesy: the listing stands without them
    if response.status_code != 200:
        return BlobProperties()
    length = response.headers.get("Content-Length")
    modified = response.headers.get("Last-Modified")
    return BlobProperties(
        int(length) if length and length.isdigit() else None,
        parsedate_to_datetime(modified) if modified else None,
    )


def blob_properties(
    files: Iterable[RunFile],
    store: Any | None,
    directory_files: Iterable[RunFile] = (),
    retry: RetryPolicy | None = None,
) -> tuple[dict[str, BlobProperties], bool]:
    """``({artifact path: properties}, whether store's key served them)``.

    With a keyed ``store`` (see :func:`keyed_default_datastore`) one List Blobs request covers
    ``files`` and ``directory_files`` (the files inside listed directories, for their times).
    Without one, or when the account refuses the key, one ``HEAD`` per file of ``files`` on its
    SAS URL; directories then get no time rather than one request per file inside them.
    """
    retry = retry or RetryPolicy()
    wanted = {f.path: f for f in files}
    inside = {f.path: f for f in directory_files}
    if not wanted and not inside:
        return {}, store is not None
    if store is not None:
        location = _blob_location(next(iter({**wanted, **inside}.values())))
        paths = sorted({*wanted, *inside})
        listed = (
            retry.call(lambda: _listed_properties(store, location, paths), describe)
            if location
            else None
        )
        if listed is not None:
            return listed, True
    urls = [f.url for f in wanted.values()]
    heads: dict[str, BlobProperties] = {}
    if urls:
        with ThreadPoolExecutor(max_workers=min(_HEAD_WORKERS, len(urls))) as pool:
            found = pool.map(lambda url: _head(url, retry), urls)
            heads = dict(zip(urls, found, strict=True))
    return {path: heads[f.url] for path, f in wanted.items()}, False


def listing(
    listed: Iterable[tuple[str, str]], options: Any, store: Any | None, retry: RetryPolicy
) -> tuple[list[dict[str, Any]], bool]:
    """``jobs.list_output_files``: (Batch AI ``File`` fields of each entry, whether ``store``'s
    key served the sizes) from the run's ``(artifact path, SAS URL)`` list.

    ``stdouterr`` maps run-history log names to Batch AI's; an output directory id lists
    ``outputs/<ID>/``.  A directory's ``last_modified`` is its newest file's, as the files are
    all Blob storage keeps (None when sizes are read file by file).
    """
    output_id = str(options.outputdirectoryid)
    files: dict[str, RunFile] = {}
    for path, url in listed:
        name = (
            runs.batchai_log_name(path)
            if is_stdouterr(output_id)
            else runs.output_file_name(path, output_id)
        )
        if name:
            files[name] = RunFile(path, url)
    entries = directory_entries(
        files, getattr(options, "directory", None), getattr(options, "max_results", None) or 1000
    )
    properties, store_served = blob_properties(
        (e.files[0] for e in entries if not e.is_directory),
        store,
        directory_files=(f for e in entries if e.is_directory for f in e.files),
        retry=retry,
    )
    result = []
    for entry in entries:
        found = [properties[f.path] for f in entry.files if f.path in properties]
        times = [p.last_modified for p in found if p.last_modified is not None]
        result.append(
            {
                "name": entry.name,
                "file_type": "directory" if entry.is_directory else "file",
                "download_url": None if entry.is_directory else entry.files[0].url,
                "last_modified": max(times) if times else None,
                "content_length": None
                if entry.is_directory or not found
                else found[0].content_length,
            }
        )
    return result, store_served
