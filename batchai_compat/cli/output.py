"""What ``batchai`` prints: az's result shape, ``--query`` and ``-o json|jsonc|yaml|table|tsv|none``.

az turned a command's result into JSON data in two steps, both kept here:

* ``todict``: SDK models become dicts of their attributes in camelCase (``vmSize``,
  ``nodeStateCounts``; not the REST body's ``properties`` nesting), enums their values,
  datetimes ``isoformat()``, durations ``str(timedelta)``, named tuples their fields as they are;
* every dict holding an ``id`` gets ``resourceGroup``, parsed from the ARM id (nested ones too:
  a job's ``cluster``), unless it has one.

Then ``--query`` (JMESPath, dicts of multi-select hashes kept in query order) and the output
format, as knack's formatters wrote them: JSON with sorted keys and two-space indents; table
rows from the command's table format (unless a query is active) aligned as tabulate's
``simple`` format; TSV one line per item, dict values by sorted key.
"""

from __future__ import annotations

import json
import re
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from .errors import CommandError, UsageError
from .spec import FORMATS

_CAMEL = re.compile(r"_([a-z0-9])")
_RESOURCE_GROUP = re.compile(r"/resourceGroups/([^/]+)", re.IGNORECASE)


def _camel(name: str) -> str:
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def todict(obj: Any) -> Any:
    """A command's result as JSON data, shaped as az shaped SDK results."""
    if isinstance(obj, dict):
        return {k: todict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_asdict"):
        return [todict(v) for v in obj]
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (date, time, datetime)):
        return obj.isoformat()
    if isinstance(obj, timedelta):
        return str(obj)
    if hasattr(obj, "_asdict"):
        return todict(obj._asdict())
    if hasattr(obj, "__dict__"):
        return {
            _camel(k): todict(v)
            for k, v in vars(obj).items()
            if not callable(v) and not k.startswith("_")
        }
    return obj


def add_resource_groups(obj: Any) -> Any:
    """Give every dict with an ARM ``id`` its ``resourceGroup`` (az's global transform)."""
    if isinstance(obj, list):
        for item in obj:
            add_resource_groups(item)
    elif isinstance(obj, dict):
        if not any(k.lower() == "resourcegroup" for k in obj):
            match = _RESOURCE_GROUP.search(obj["id"]) if isinstance(obj.get("id"), str) else None
            if match:
                obj["resourceGroup"] = match.group(1)
        for value in obj.values():
            add_resource_groups(value)
    return obj


def result_data(result: Any) -> Any:
    """``todict`` then ``resourceGroup``: the data ``--query`` and the formats see."""
    return add_resource_groups(todict(result))


def compile_query(expression: str) -> Any:
    """The compiled ``--query``; a bad expression is a usage error."""
    try:
        import jmespath
    except ImportError:  # pragma: no cover - jmespath is a dependency
        raise UsageError("--query needs the jmespath package: pip install jmespath") from None
    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as error:
        message = str(error).replace("\n", " ")
        raise UsageError(
            f"argument --query: invalid jmespath query {expression!r}: {message}"
        ) from None
    except KeyError as error:  # jmespath raises KeyError for some unknown tokens
        raise UsageError(
            f"argument --query: invalid jmespath query {expression!r}: {error}"
        ) from None


def apply_query(compiled: Any, data: Any) -> Any:
    import jmespath

    return compiled.search(data, jmespath.Options(dict_cls=OrderedDict))


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------


def format_json(data: Any) -> str:
    return (
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, separators=(",", ": "))
        + "\n"
    )


_JSON_TOKEN = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*")(?=\s*:)|(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<literal>true|false|null)"
)
_COLORS = {"key": "\x1b[94m", "string": "\x1b[32m", "number": "\x1b[36m", "literal": "\x1b[35m"}


def format_jsonc(data: Any) -> str:
    """JSON with ANSI colours (keys, strings, numbers, literals), as az's ``jsonc``."""
    text = format_json(data)

    def paint(match: re.Match[str]) -> str:
        kind = match.lastgroup or "string"
        return f"{_COLORS[kind]}{match.group(0)}\x1b[0m"

    return _JSON_TOKEN.sub(paint, text)


def format_yaml(data: Any) -> str:
    import importlib

    try:
        yaml: Any = importlib.import_module("yaml")
    except ImportError:
        raise CommandError(
            "-o yaml needs PyYAML: pip install batchai-compat[cli] (or pip install PyYAML)"
        ) from None
    # --query results hold OrderedDicts, which safe_dump refuses: plain JSON data instead.
    plain = json.loads(json.dumps(data))
    text: str = yaml.safe_dump(plain, default_flow_style=False, allow_unicode=True)
    return text


def _table_cell(value: Any) -> str:
    return "" if value is None else str(value)


def _auto_row(item: Any, sort_keys: bool) -> dict[str, Any]:
    """One table row: the scalar fields of ``item`` (not ``id``/``type``/``etag``), capitalised."""
    row: dict[str, Any] = OrderedDict()
    if isinstance(item, dict):
        keys = sorted(item) if sort_keys else list(item)
        for key in keys:
            value = item[key]
            if key in ("id", "type", "etag"):
                continue
            if value is not None and not isinstance(value, (list, dict, set)):
                row[key[:1].upper() + key[1:]] = value
    elif isinstance(item, list):
        for column, value in enumerate(item):
            row[f"Column{column + 1}"] = value
    else:
        row["Result"] = item
    return row


def tabulate_simple(rows: list[dict[str, Any]]) -> str:
    """``rows`` as tabulate's ``simple`` format with ``headers='keys'`` and no number parsing.

    Columns are the keys in order of first appearance, each as wide as its widest line and at
    least its header plus two; cells are left-aligned text (None is empty), multi-line cells
    span several lines, and lines lose their trailing blanks.
    """
    headers: list[str] = []
    for row in rows:
        headers.extend(k for k in row if k not in headers)
    if not headers:
        return ""
    cells = [[_table_cell(row.get(h)).split("\n") for h in headers] for row in rows]
    widths = [len(h) + 2 for h in headers]
    for row_cells in cells:
        for column, lines in enumerate(row_cells):
            widths[column] = max(widths[column], *(len(line) for line in lines))

    def line(values: Iterable[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(headers), line("-" * w for w in widths)]
    for row_cells in cells:
        height = max(len(lines) for lines in row_cells)
        for index in range(height):
            out.append(line(lines[index] if index < len(lines) else "" for lines in row_cells))
    return "\n".join(out)


def format_table(data: Any, transformer: Callable[[Any], Any] | None, query_active: bool) -> str:
    try:
        if transformer is not None and not query_active:
            data = transformer(data)
        items = data if isinstance(data, list) else [data]
        sort_keys = not query_active and transformer is None
        rows = [_auto_row(item, sort_keys) for item in items]
        return (tabulate_simple(rows) if rows else "") + "\n"
    except Exception as error:
        raise CommandError(
            "Table output unavailable. Use the --query option to specify an appropriate query. "
            "Use --debug for more info."
        ) from error


def _tsv_value(value: Any) -> str:
    if isinstance(value, list):
        return str(len(value))
    if isinstance(value, dict):
        return ""
    return value if isinstance(value, str) else str(value)


def _tsv_row(item: Any) -> str:
    if isinstance(item, OrderedDict):
        values: Iterable[Any] = item.values()
    elif isinstance(item, dict):
        values = [value for _, value in sorted(item.items())]
    elif isinstance(item, list):
        values = item
    elif isinstance(item, bool):
        return str(item).lower()
    else:
        return _tsv_value(item)
    return "\t".join(_tsv_value(v) for v in values)


def format_tsv(data: Any) -> str:
    items = data if isinstance(data, list) else [data]
    return "".join(_tsv_row(item) + "\n" for item in items)


def render(
    data: Any,
    output: str,
    *,
    transformer: Callable[[Any], Any] | None = None,
    query_active: bool = False,
    color: bool | None = None,
) -> str:
    """The text ``-o output`` prints for ``data`` (already through ``--query``).

    ``jsonc`` / ``yamlc`` are coloured only when ``color`` (default: stdout is a terminal), as az
    did; otherwise they are ``json`` / ``yaml``.
    """
    if color is None:
        color = sys.stdout.isatty()
    if output == "none":
        return ""
    if output == "json" or (output == "jsonc" and not color):
        return format_json(data)
    if output == "jsonc":
        return format_jsonc(data)
    if output in ("yaml", "yamlc"):
        return format_yaml(data)
    if output == "table":
        return format_table(data, transformer, query_active)
    if output == "tsv":
        return format_tsv(data)
    raise UsageError(
        f"argument --output/-o: invalid choice: {output!r} (choose from {', '.join(FORMATS)})"
    )
