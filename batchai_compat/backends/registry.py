"""Backend registry: which object answers the Batch AI calls of a client.

Batch AI had one service behind its client; ``batchai_compat`` has several *backends*
(``local``, ``azureml``, ``azureml-v2``, and any a user registers).  A client picks its backend, in order:

1. the ``backend=`` argument of :class:`~batchai_compat.BatchAIManagementClient` — a registered
   name, or an object that already implements :class:`~batchai_compat.backends.base.Backend`;
2. the ``BATCHAI_COMPAT_BACKEND`` environment variable (a registered name);
3. ``"local"``.

Names map to ``"package.module:ClassName"`` strings that are imported only when selected (the
fsspec / kombu style), so ``import batchai_compat`` never loads an SDK.  A backend that needs an
optional extra names a *probe module*; when that module cannot be found the user gets
:class:`~batchai_compat.exceptions.BackendNotInstalledError` with the ``pip install`` line, and an
unknown name gets :class:`~batchai_compat.exceptions.UnknownBackendError` with "did you mean".
A backend class is constructed as ``cls(config)`` with the client's configuration object.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, NamedTuple

from ..exceptions import BackendNotInstalledError, UnknownBackendError, ValidationError

if TYPE_CHECKING:
    from .base import Backend, BackendConfig

__all__ = [
    "DEFAULT_BACKEND",
    "ENV_BACKEND",
    "BackendSpec",
    "available_backends",
    "create_backend",
    "exporter",
    "register_backend",
    "resolve_backend_class",
    "unregister_backend",
]


def _info(message: str, *args: Any) -> None:
    """Log ``message`` at INFO when logging is in use.  A process that never imported logging
    has nothing listening at INFO, and importing it costs every command start-up (benchmark 6).
    """
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger(__name__).info(message, *args)


ENV_BACKEND = "BATCHAI_COMPAT_BACKEND"
DEFAULT_BACKEND = "local"
DISTRIBUTION = "batchai-compat"


class BackendSpec(NamedTuple):
    """Where a named backend lives and what it needs installed.

    ``target`` is ``"module:ClassName"`` (or a class object for backends registered in-process);
    ``extra`` names the ``pip install "batchai-compat[<extra>]"`` extra that provides
    ``probe_module``.
    """

    name: str
    target: str | type
    extra: str | None = None
    probe_module: str | None = None

    @property
    def install_hint(self) -> str:
        if self.extra is None:
            return f"install the package that provides {self.probe_module or self.target!r}"
        return f'pip install "{DISTRIBUTION}[{self.extra}]"'  # quoted: zsh globs [...]


_lock = threading.Lock()
_registry: dict[str, BackendSpec] = {
    "local": BackendSpec("local", "batchai_compat.backends.local:LocalBackend"),
    "azureml": BackendSpec(
        "azureml",
        "batchai_compat.backends.azureml:AzureMLBackend",
        extra="azureml",
        probe_module="azureml.core",
    ),
    "azureml-v2": BackendSpec(
        "azureml-v2",
        "batchai_compat.backends.azureml_v2:AzureMLV2Backend",
        extra="azureml-v2",
        probe_module="azure.ai.ml",
    ),
}


#: ``batchai export``'s writers of native files, by platform: the module (pure, no SDK import)
#: with ``export_job``, ``export_compute``, ``yaml_text`` and ``python_script``.
_EXPORTERS = {"azureml-v2": "batchai_compat.backends.azureml_v2.export"}


def exporter(platform: str = "azureml-v2") -> Any:
    """The module that writes a Batch AI job or cluster as native ``platform`` files."""
    module = _EXPORTERS.get(_normalize(platform))
    if module is None:
        raise ValidationError("platform", f"must be one of {sorted(_EXPORTERS)}", platform)
    return importlib.import_module(module)


def _normalize(name: str) -> str:
    return name.strip().lower()


def register_backend(
    name: str,
    target: str | type,
    *,
    extra: str | None = None,
    probe_module: str | None = None,
    replace: bool = False,
) -> BackendSpec:
    """Register a backend under ``name``.

    ``target`` is a ``"module:ClassName"`` string (imported on first use) or a class.  Classes are
    built as ``cls(config)``.  Registering an existing name needs ``replace=True``.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("name", "must be a non-empty string", name)
    if isinstance(target, str):
        module, sep, attr = target.partition(":")
        if not sep or not module or not attr:
            raise ValidationError("target", "must be 'package.module:ClassName' or a class", target)
    elif not isinstance(target, type):
        raise ValidationError("target", "must be 'package.module:ClassName' or a class", target)
    key = _normalize(name)
    spec = BackendSpec(key, target, extra=extra, probe_module=probe_module)
    with _lock:
        if key in _registry and not replace:
            raise ValidationError(
                "name", f"backend {key!r} is already registered (pass replace=True)"
            )
        _registry[key] = spec
    return spec


def unregister_backend(name: str) -> None:
    """Remove a registered backend (the built-in ones included)."""
    with _lock:
        removed = _registry.pop(_normalize(name), None)
    if removed is None:
        raise _unknown(name)


def available_backends() -> list[str]:
    """Registered backend names, sorted (whether or not their extras are installed)."""
    with _lock:
        return sorted(_registry)


def _unknown(name: str) -> UnknownBackendError:
    import difflib

    names = available_backends()
    close = difflib.get_close_matches(_normalize(name), names, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return UnknownBackendError(
        f"Unknown batchai_compat backend {name!r}.{hint} Registered backends: {', '.join(names)}."
    )


def _spec(name: str) -> BackendSpec:
    with _lock:
        spec = _registry.get(_normalize(name))
    if spec is None:
        raise _unknown(name)
    return spec


def _probe_installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package raises instead of returning None
        return False


def resolve_backend_class(name: str) -> type:
    """The class registered under ``name``, imported now; errors say how to fix the name/install."""
    spec = _spec(name)
    if isinstance(spec.target, type):
        return spec.target
    if spec.probe_module is not None and not _probe_installed(spec.probe_module):
        raise BackendNotInstalledError(
            f"The {spec.name!r} backend needs {spec.probe_module!r}, which is not installed: "
            f"{spec.install_hint}"
        )
    module_name, _, attr = spec.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise BackendNotInstalledError(
            f"The {spec.name!r} backend could not be imported ({exc}): {spec.install_hint}"
        ) from exc
    try:
        cls: type = getattr(module, attr)
    except AttributeError:
        raise BackendNotInstalledError(
            f"The {spec.name!r} backend's module {module_name!r} has no {attr!r}"
        ) from None
    return cls


def selected_backend_name(backend: str | None = None) -> str:
    """The name a client would use: ``backend`` › ``$BATCHAI_COMPAT_BACKEND`` › ``'local'``."""
    if backend is not None:
        return backend
    return os.environ.get(ENV_BACKEND, "").strip() or DEFAULT_BACKEND


def create_backend(backend: str | Backend | None, config: BackendConfig) -> Backend:
    """The backend instance a client talks to (see the module docstring for the order)."""
    if backend is not None and not isinstance(backend, str):
        from .base import Backend as _Protocol

        if not isinstance(backend, _Protocol):
            missing = sorted(m for m in _protocol_members() if not hasattr(backend, m))
            raise ValidationError(
                "backend",
                "must be a registered backend name or an object implementing the Backend "
                f"protocol (missing: {', '.join(missing)})",
            )
        _info(
            "Batch AI calls run on the backend object %s (backend= argument)",
            type(backend).__name__,
        )
        return backend
    name = selected_backend_name(backend)
    cls = resolve_backend_class(name)
    instance: Backend = cls(config)
    if backend is not None:
        chosen_by = "backend= argument"
    elif os.environ.get(ENV_BACKEND, "").strip():
        chosen_by = f"${ENV_BACKEND}"
    else:
        chosen_by = "the default"
    _info("Batch AI calls run on the %r backend (%s)", _normalize(name), chosen_by)
    return instance


def _protocol_members() -> list[str]:
    from .base import Backend as _Protocol

    methods = [n for n in vars(_Protocol) if not n.startswith("_") and callable(vars(_Protocol)[n])]
    return [*_Protocol.__annotations__, *methods]
