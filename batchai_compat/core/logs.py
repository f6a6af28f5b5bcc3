"""Library loggers that cost nothing until :mod:`logging` is in use.

Importing ``logging`` (with the ``traceback``, ``linecache`` and ``tokenize`` it loads) costs a
process about 8 ms, most of what a ``batchai job show`` may spend beside the interpreter
(benchmark 6), and a read logs nothing worth that.  :class:`LazyLogger` stands for
``logging.getLogger(name)`` without importing it:

* DEBUG and INFO records are dropped while no module has imported ``logging``: no handler can
  exist yet, and Python's last-resort handler shows WARNING and above only, so nothing is lost;
  once it is imported (by the application, a test, the command line's ``--verbose``), they go
  to the real logger;
* WARNING and above always import ``logging`` and log (they must reach stderr).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["DEBUG", "ERROR", "INFO", "WARNING", "LazyLogger"]

#: logging's level numbers (written here: this module must not import logging)
DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40


class LazyLogger:
    """``logging.getLogger(name)``, imported when a record needs it (see the module doc)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def _logger(self, level: int) -> Any:
        logging = sys.modules.get("logging")
        if logging is None and level >= WARNING:
            import logging
        return None if logging is None else logging.getLogger(self.name)

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging's spelling
        logger = self._logger(min(level, INFO))
        return level >= WARNING if logger is None else bool(logger.isEnabledFor(level))

    def log(self, level: int, msg: str, *args: Any, **kwargs: Any) -> None:
        logger = self._logger(level)
        if logger is not None:
            kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
            logger.log(level, msg, *args, **kwargs)

    def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.log(DEBUG, msg, *args, **kwargs)

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.log(INFO, msg, *args, **kwargs)

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.log(WARNING, msg, *args, **kwargs)

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.log(ERROR, msg, *args, **kwargs)

    def exception(self, msg: str, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("exc_info", True)
        kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
        self.log(ERROR, msg, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<LazyLogger {self.name}>"
