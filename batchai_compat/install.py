"""One import that makes old Batch AI code find this library under the old package names.

In the spirit of ``pymysql.install_as_MySQLdb()``::

    import batchai_compat.install          # or: batchai_compat.install() after importing it

    import azure.mgmt.batchai as training                     # -> batchai_compat
    from azure.mgmt.batchai import BatchAIManagementClient    # -> batchai_compat's client
    import azure.mgmt.batchai.models as models                # -> batchai_compat.models
    from azure.storage.blob import BlockBlobService           # -> batchai_compat.storage.blob
    from azure.storage.file import FileService                # -> batchai_compat.storage.file

so notebooks and their ``utilities/`` helpers run unchanged.  How:

* ``azure.mgmt.batchai`` and every ``azure.mgmt.batchai.<sub>`` resolve to the *same module
  objects* as ``batchai_compat`` / ``batchai_compat.<sub>`` (one class per model, whichever name
  imported it), even when the genuine azure-mgmt-batchai is installed or already imported;
* ``azure.storage.file`` (+ ``.models``, ``.fileservice``) resolve to
  :mod:`batchai_compat.storage.file`;
* ``azure.storage.blob`` stays the real azure-storage-blob v12 package when it is installed —
  ``BlobServiceClient``, ``ContainerClient`` and every v12 name keep working — and gains the
  legacy names it lacks (``BlockBlobService``, ``Blob``, ``BlobPermissions``, ...).  Where both
  have a name (``ContentSettings``, ``PublicAccess``, ``BlobProperties``) v12's is kept; the
  legacy methods accept either.  ``azure.storage.blob.models`` is the legacy models module.
  Without v12 installed, ``azure.storage.blob`` is :mod:`batchai_compat.storage.blob`;
* missing namespace packages (``azure.mgmt``, ``azure.storage``) are provided empty.

A meta path finder placed first on :data:`sys.meta_path` does it; calling :func:`install` again
is harmless.  Nothing is written to disk and no other package is changed.  This library's
modules keep their own identity (``batchai_compat.__spec__.name``,
``importlib.resources.files("batchai_compat")``, ``importlib.reload`` work as without aliases),
and old names a user imported *before* the install are replaced in ``sys.modules``, never just
removed (see :func:`_replace_genuine_modules`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Sequence
from typing import Any

__all__ = ["install", "ALIASES"]

#: Old module name -> module of this library.  Submodules of ``azure.mgmt.batchai`` not listed map
#: to the same-named submodule of ``batchai_compat``.
ALIASES: dict[str, str] = {
    "azure.mgmt.batchai": "batchai_compat",
    "azure.mgmt.batchai.models": "batchai_compat.models",
    "azure.mgmt.batchai.operations": "batchai_compat.operations",
    "azure.mgmt.batchai.batch_ai_management_client": "batchai_compat.client",
    "azure.mgmt.batchai.version": "batchai_compat._version",
    "azure.storage.file": "batchai_compat.storage.file",
    "azure.storage.file.models": "batchai_compat.storage.file.models",
    "azure.storage.file.fileservice": "batchai_compat.storage.file.fileservice",
    "azure.storage.blob.models": "batchai_compat.storage.blob.models",
    "azure.storage.blob.blockblobservice": "batchai_compat.storage.blob.blockblobservice",
}
_MGMT_PREFIX = "azure.mgmt.batchai."
_BLOB = "azure.storage.blob"
_NAMESPACES = ("azure.mgmt", "azure.storage")
_LEGACY_BLOB = "batchai_compat.storage.blob"


def _target_of(fullname: str) -> str | None:
    if fullname in ALIASES:
        return ALIASES[fullname]
    if fullname.startswith(_MGMT_PREFIX):
        return "batchai_compat." + fullname[len(_MGMT_PREFIX) :]
    return None


class _AliasLoader(importlib.abc.Loader):
    """Loads an old name as the already-importable module of this library (same object).

    The import system stamps the alias's spec on the module it loads (``module.__spec__`` is set
    whatever the loader returns); :meth:`exec_module` puts the module's own spec back, so
    ``batchai_compat.__spec__.name`` stays ``'batchai_compat'`` and what reads the spec
    (``importlib.resources.files``, ``importlib.reload``) sees this package, not the alias.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self._own_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = importlib.import_module(self.target)
        self._own_spec = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Already executed under its own name: only give it its own spec back."""
        if self._own_spec is not None:
            module.__spec__ = self._own_spec


class _EmptyNamespaceLoader(importlib.abc.Loader):
    """An empty package standing for a namespace (``azure.mgmt``) nothing else provides."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        module.__path__ = []


class _LegacyBlobNamesLoader(importlib.abc.Loader):
    """Runs the real v12 ``azure.storage.blob``, then adds the legacy names it lacks."""

    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self.real.exec_module(module)
        _add_legacy_blob_names(module)

    def __getattr__(self, name: str) -> Any:  # resource readers & co. of the real loader
        return getattr(self.real, name)


def _add_legacy_blob_names(module: types.ModuleType) -> None:
    legacy = importlib.import_module(_LEGACY_BLOB)
    for name in legacy.__all__:
        if not hasattr(module, name):
            setattr(module, name, getattr(legacy, name))


class BatchAIAliasFinder(importlib.abc.MetaPathFinder):
    """The meta path finder :func:`install` puts first on :data:`sys.meta_path`."""

    def _find_elsewhere(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None
    ) -> importlib.machinery.ModuleSpec | None:
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, BatchAIAliasFinder):
                continue
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                continue
            spec = find_spec(fullname, path, target)
            if spec is not None:
                return spec
        return None

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        alias = _target_of(fullname)
        if alias is not None:
            if importlib.util.find_spec(alias) is None:
                return None  # e.g. a genuine-only submodule: ModuleNotFoundError as usual
            is_package = hasattr(importlib.import_module(alias), "__path__")
            return importlib.machinery.ModuleSpec(
                fullname, _AliasLoader(alias), is_package=is_package
            )
        if fullname == _BLOB:
            real = self._find_elsewhere(fullname, path, target)
            if real is not None and real.loader is not None:
                real.loader = _LegacyBlobNamesLoader(real.loader)
                return real
            return importlib.machinery.ModuleSpec(
                fullname, _AliasLoader(_LEGACY_BLOB), is_package=True
            )
        if fullname in _NAMESPACES:
            real = self._find_elsewhere(fullname, path, target)
            if real is not None:
                return real
            return importlib.machinery.ModuleSpec(
                fullname, _EmptyNamespaceLoader(), is_package=True
            )
        return None


_LOCK = threading.Lock()


def install() -> None:
    """Alias the old package names to this library (see the module docstring); idempotent."""
    with _LOCK:
        if not any(isinstance(finder, BatchAIAliasFinder) for finder in sys.meta_path):
            sys.meta_path.insert(0, BatchAIAliasFinder())
        replaced = _replace_genuine_modules()
        blob = sys.modules.get(_BLOB)
        if blob is not None and not blob.__name__.startswith("batchai_compat"):
            _add_legacy_blob_names(blob)
    # Bind the top-level names through the finder (parents get their attributes).
    for name in ("azure.mgmt.batchai", "azure.mgmt.batchai.models", *replaced):
        module = importlib.import_module(name)
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)


def _replace_genuine_modules() -> list[str]:
    """Point the old names a user imported before :func:`install` at this library's modules.

    If the genuine azure-mgmt-batchai was imported first, ``sys.modules`` still maps
    ``azure.mgmt.batchai`` (and the submodules imported with it) to the retired client, and every
    later ``import azure.mgmt.batchai`` in a helper module would return it: the one line would
    not work.  So each entry that has a counterpart here is *replaced* by that module (never just
    deleted); the user's own references keep the genuine objects, which stay usable.  Genuine
    submodules without a counterpart (``azure.mgmt.batchai.operations.jobs_operations``) are
    left as they are.  Returns the replaced names.
    """
    replaced = []
    for name in sorted(sys.modules, key=len):  # parents first
        target = _target_of(name)
        if target is None or _is_alias(name) or importlib.util.find_spec(target) is None:
            continue
        sys.modules[name] = importlib.import_module(target)
        replaced.append(name)
    return replaced


def _is_alias(name: str) -> bool:
    module = sys.modules.get(name)
    target = _target_of(name)
    return module is not None and target is not None and module is sys.modules.get(target)


class _CallableModule(types.ModuleType):
    """Lets ``batchai_compat.install()`` call this module, as the issue's spelling asks."""

    def __call__(self) -> None:
        install()


sys.modules[__name__].__class__ = _CallableModule
install()
