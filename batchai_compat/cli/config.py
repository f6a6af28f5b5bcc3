"""``batchai configure``'s file: default argument values, like ``az configure --defaults``.

az kept ``[defaults]`` (``group``, ``location``, ...) and ``[core]`` (``output``) in
``~/.azure/config`` and let ``AZURE_<SECTION>_<KEY>`` environment variables override it.  Ours is
``$BATCHAI_CONFIG_DIR/config`` (default ``~/.batchai/config``), same INI sections, overridden by
``BATCHAI_<SECTION>_<KEY>`` (``BATCHAI_DEFAULTS_GROUP=rg``, ``BATCHAI_CORE_OUTPUT=table``).

Keys used: ``[defaults] group, workspace, experiment, location, subscription`` and
``[core] output, backend``.  The file never holds secrets: nothing writes keys or passwords to it.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_CONFIG_DIR = "BATCHAI_CONFIG_DIR"
DEFAULTS = "defaults"
CORE = "core"


def config_dir() -> Path:
    return Path(os.environ.get(ENV_CONFIG_DIR) or Path.home() / ".batchai")


def config_path() -> Path:
    return config_dir() / "config"


class Config:
    """The configuration file, read on the first :meth:`get` that the environment does not answer."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_path()
        self._sections: dict[str, dict[str, str]] | None = None

    def _load(self) -> dict[str, dict[str, str]]:
        if self._sections is None:
            self._sections = {}
            if self.path.is_file():
                import configparser

                parser = configparser.ConfigParser(interpolation=None)
                try:
                    parser.read(self.path, encoding="utf-8")
                except configparser.Error as error:
                    from .errors import UsageError

                    raise UsageError(
                        f"{self.path}: not a valid configuration file: {error}"
                    ) from None
                self._sections = {s: dict(parser.items(s)) for s in parser.sections()}
        return self._sections

    def get(self, section: str, key: str) -> str | None:
        """``BATCHAI_<SECTION>_<KEY>``, else the file's value, else None (empty means unset)."""
        value = os.environ.get(f"BATCHAI_{section}_{key}".upper())
        if value is None:
            value = self._load().get(section, {}).get(key)
        return value or None

    def items(self, section: str) -> dict[str, str]:
        return dict(self._load().get(section, {}))

    def set(self, section: str, values: dict[str, str]) -> None:
        """Write ``values`` into ``section`` (an empty value removes the key), atomically."""
        import configparser

        parser = configparser.ConfigParser(interpolation=None)
        if self.path.is_file():
            parser.read(self.path, encoding="utf-8")
        if not parser.has_section(section):
            parser.add_section(section)
        for key, value in values.items():
            if value:
                parser.set(section, key, value)
            else:
                parser.remove_option(section, key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            parser.write(out)
        os.replace(tmp, self.path)
        self._sections = None
