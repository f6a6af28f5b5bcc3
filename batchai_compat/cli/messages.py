"""The command line's messages: az's ``WARNING:`` / ``INFO:`` / ``DEBUG:`` lines on stderr.

They go through :mod:`logging` (the library's own modules log there too), at the level
``--debug`` / ``--verbose`` / ``--only-show-errors`` ask.  Importing ``logging`` costs a command
about 8 ms of start-up, most of a read-only command's budget (benchmark 6), and ``batchai job
show`` logs nothing: so ``logging`` is configured the moment it is first imported — by a
message of the command line (:data:`log`), or by any module that logs — and never imported
when nothing logs.  ``--verbose`` and ``--debug`` import it at once (the library logs at INFO only
when logging is in use; ``--debug`` also sends the SDKs' debug logs to stderr).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["DEBUG", "ERROR", "INFO", "WARNING", "configure", "level", "log"]

NAME = "batchai_compat.cli"
#: logging's level numbers (written here: this module must not import logging)
DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40

_state: dict[str, Any] = {"level": WARNING}


def level() -> int:
    """The level messages are shown from (``WARNING`` unless a global option changed it)."""
    return int(_state["level"])


class _Log:
    """``logging.getLogger("batchai_compat.cli")``, imported on first use."""

    def __getattr__(self, name: str) -> Any:
        import logging

        return getattr(logging.getLogger(NAME), name)


#: The command line's logger (``log.warning(...)``), without importing logging until it logs.
log: Any = _Log()


class _WhenImported:
    """A meta path entry that runs ``then(logging)`` right after ``logging`` is imported."""

    def __init__(self, then: Callable[[Any], None]) -> None:
        self.then = then

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "logging":
            return None
        import importlib.util

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenLoader(spec.loader, self.then)  # type: ignore[assignment]
        return spec


class _ThenLoader:
    def __init__(self, loader: Any, then: Callable[[Any], None]) -> None:
        self.loader = loader
        self.then = then

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.loader.exec_module(module)
        self.then(module)


def configure(args: list[str]) -> Callable[[], None]:
    """Show messages at the level ``args`` ask (now, or when ``logging`` is first imported);
    returns what puts the loggers back (``main`` also runs inside other programs and tests)."""
    if "--debug" in args:
        _state["level"] = DEBUG
    elif "--verbose" in args:
        _state["level"] = INFO
    elif "--only-show-errors" in args:
        _state["level"] = ERROR
    else:
        _state["level"] = WARNING
    undo: list[Callable[[], None]] = []

    def apply(logging: Any) -> None:
        undo.append(_install(logging, level()))

    watcher = None
    if "logging" in sys.modules or level() <= INFO:  # --verbose: the library's INFO too
        import logging

        apply(logging)
    else:
        watcher = _WhenImported(apply)
        sys.meta_path.insert(0, watcher)

    def restore() -> None:
        if watcher is not None and watcher in sys.meta_path:
            sys.meta_path.remove(watcher)
        for step in undo:
            step()
        _state["level"] = WARNING

    return restore


def _install(logging: Any, chosen: int) -> Callable[[], None]:
    class Formatter(logging.Formatter):
        def format(self, record: Any) -> str:
            return f"{record.levelname}: {record.getMessage()}"

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Formatter())
    loggers = [logging.getLogger("batchai_compat")]
    if chosen == DEBUG:
        loggers.append(logging.getLogger())  # the SDKs' own debug logs too
    saved = [(logger, logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(chosen)
    loggers[0].propagate = False

    def restore() -> None:
        for logger, previous_level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(previous_level)
            logger.propagate = propagate

    return restore
