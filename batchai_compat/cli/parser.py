"""argparse for the one command being run, and help in az's layout.

az built one parser per command from its ``_params.py`` and added the global arguments
(``--output``, ``--query``, ``--debug``, ``--verbose``, ``--only-show-errors``,
``--subscription``) to each.  :func:`command_parser` does the same for a
:class:`~batchai_compat.cli.spec.Command`, with ``--backend`` beside ``--subscription`` and the
values of ``batchai configure --defaults`` as defaults (an option with a configured default is
no longer required).  Errors are :class:`~batchai_compat.cli.errors.UsageError` (exit code 2),
never argparse's own exit.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, NoReturn

from .errors import UsageError
from .spec import FORMATS, Arg, Command

if TYPE_CHECKING:
    from .config import Config

#: Global options: (options, dest, takes a value, help)
GLOBALS: tuple[tuple[tuple[str, ...], str, bool, str], ...] = (
    (("--help", "-h"), "help", False, "Show this help message and exit."),
    (
        ("--output", "-o"),
        "output",
        True,
        f"Output format: {', '.join(FORMATS)}. Default: json, or `[core] output` of the "
        "configuration.",
    ),
    (
        ("--query",),
        "query",
        True,
        "JMESPath query string. See http://jmespath.org/ for more information and examples.",
    ),
    (("--debug",), "debug", False, "Increase logging verbosity to show all debug logs."),
    (
        ("--verbose",),
        "verbose",
        False,
        "Increase logging verbosity. Use --debug for full debug logs.",
    ),
    (("--only-show-errors",), "only_show_errors", False, "Only show errors, suppressing warnings."),
    (
        ("--subscription",),
        "subscription",
        True,
        "Name or ID of subscription. You can configure the default subscription using "
        "`batchai configure --defaults subscription=<id>`.",
    ),
    (
        ("--backend",),
        "backend",
        True,
        "The batchai_compat backend that runs the command: local (this machine, no Azure "
        "account), azureml (Azure ML SDK v1) or azureml-v2 (azure-ai-ml). Default: "
        "$BATCHAI_COMPAT_BACKEND, else `[core] backend` of the configuration, else local.",
    ),
)

#: Global options that take a value, for finding them before the command's words.
VALUED_GLOBALS = frozenset(o for opts, _, valued, _ in GLOBALS if valued for o in opts)
FLAG_GLOBALS = frozenset(o for opts, _, valued, _ in GLOBALS if not valued for o in opts)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse's formatter (built to check every option) asks shutil for the terminal's
        # width, and importing shutil costs start-up; the help is ours (format_help below).
        return argparse.HelpFormatter(prog=self.prog, width=100)


def command_parser(prog: str, command: Command, config: Config) -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, add_help=False, allow_abbrev=False)
    for arg in command.args:
        _add(parser, arg, config)
    if command.confirm:
        parser.add_argument("--yes", "-y", dest="yes", action="store_true")
    if command.no_wait:
        parser.add_argument("--no-wait", dest="no_wait", action="store_true")
    for options, dest, valued, _ in GLOBALS:
        if valued:
            parser.add_argument(*options, dest=dest)
        else:
            parser.add_argument(*options, dest=dest, action="store_true")
    return parser


def _add(parser: argparse.ArgumentParser, arg: Arg, config: Config) -> None:
    kwargs: dict[str, Any] = {"dest": arg.dest}
    if arg.nargs:
        kwargs["nargs"] = arg.nargs
    if arg.metavar:
        kwargs["metavar"] = arg.metavar
    if arg.action:
        kwargs["action"] = arg.action
    else:
        default = arg.default
        required = arg.required
        if arg.configured_default:
            configured = config.get("defaults", arg.configured_default)
            if configured is not None:
                default, required = configured, False
        kwargs.update(default=default, required=required)
        if arg.type is not None:
            kwargs["type"] = arg.type
        if arg.choices is not None:
            kwargs["choices"] = arg.choices
    parser.add_argument(*arg.options, **kwargs)


# --------------------------------------------------------------------------------------------
# Help
# --------------------------------------------------------------------------------------------


def _width() -> int:
    import shutil  # help only: shutil costs start-up (benchmark 6)

    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))


def _entries(rows: list[tuple[str, str]], indent: int = 4) -> list[str]:
    """``name : text`` lines, the texts aligned and wrapped."""
    if not rows:
        return []
    import textwrap  # help only: it compiles its patterns at import (start-up, benchmark 6)

    column = min(max(len(name) for name, _ in rows) + indent + 1, 40)
    width = _width()
    lines = []
    for name, text in rows:
        head = " " * indent + name
        wrapped = textwrap.wrap(text, max(20, width - column - 3)) or [""]
        if len(head) < column:
            lines.append(f"{head.ljust(column)} : {wrapped[0]}")
        else:
            lines.append(head)
            lines.append(f"{' ' * column} : {wrapped[0]}")
        lines.extend(f"{' ' * (column + 3)}{more}" for more in wrapped[1:])
    return lines


def _paragraph(text: str, indent: int = 4) -> list[str]:
    import textwrap

    pad = " " * indent
    return textwrap.wrap(text, _width() - indent, initial_indent=pad, subsequent_indent=pad)


def _shown(default: Any) -> str:
    """A default as help shows it: quoted when it has no letter or digit (``"."``), which
    would otherwise read as punctuation."""
    text = str(default)
    return text if any(c.isalnum() for c in text) else f'"{text}"'


def _example_lines(text: str, width: int) -> list[str]:
    """An example's lines, each longer than ``width`` continued (`` \\``) before one of its
    options, as the examples written on several lines are; an option stays with its value and
    quoted words stay whole."""
    import re

    word = re.compile(r"""(?:[^\s"']+|"[^"]*"|'[^']*')+""")
    lines: list[str] = []
    for line in text.strip("\n").splitlines():
        if len(line) <= width:
            lines.append(line)
            continue
        continued = line.endswith("\\")
        body = line[:-1].rstrip() if continued else line
        indent = body[: len(body) - len(body.lstrip())]
        groups: list[list[str]] = []  # an option and its values (first: the command's words)
        for token in word.findall(body):
            if token.startswith("-") or not groups:
                groups.append([token])
            else:
                groups[-1].append(token)
        current = indent + " ".join(groups[0])
        for group in groups[1:]:
            piece = " ".join(group)
            if len(current) + len(piece) + 3 > width:  # (+ " " before, " \\" after)
                lines.append(current + " \\")
                current = (indent or "    ") + piece
            else:
                current += " " + piece
        lines.append(current + (" \\" if continued else ""))
    return lines


def command_help(prog: str, command: Command, config: Config) -> str:
    lines = ["", "Command", *_paragraph(f"{prog} : {command.summary}")]
    if command.long_summary:
        lines += _paragraph(command.long_summary, 8)
    groups: dict[str, list[tuple[str, str]]] = {}
    for arg in command.args:
        text = arg.help
        configured = arg.configured_default and config.get("defaults", arg.configured_default)
        if arg.required and not configured:
            text = f"[Required] {text}"
        if arg.choices:
            text += f" Allowed values: {', '.join(arg.choices)}."
        if arg.default not in (None, False) and not arg.action:
            text += f" Default: {_shown(arg.default)}."
        if configured:
            text += f" Configured default: {configured}."
        groups.setdefault(arg.group, []).append((" ".join(arg.options), text))
    if command.confirm:
        groups.setdefault("Arguments", []).append(("--yes -y", "Do not prompt for confirmation."))
    if command.no_wait:
        groups.setdefault("Arguments", []).append(
            ("--no-wait", "Do not wait for the long-running operation to finish.")
        )
    order = ["Arguments", *sorted(g for g in groups if g != "Arguments")]
    for group in order:
        if group in groups:
            lines += ["", f"{group} Arguments" if group != "Arguments" else "Arguments"]
            lines += _entries(sorted(groups[group], key=lambda row: row[0].lstrip("-")))
    lines += ["", "Global Arguments"]
    lines += _entries([(" ".join(options), text) for options, _, _, text in GLOBALS])
    if command.examples:
        lines += ["", "Examples"]
        for title, text in command.examples:
            lines += _paragraph(title)
            lines += ["        " + line for line in _example_lines(text, _width() - 8)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n\n"


def group_help(
    prog: str, summary: str, subgroups: list[tuple[str, str]], commands: list[tuple[str, str]]
) -> str:
    lines = ["", "Group", *_paragraph(f"{prog} : {summary}")]
    if subgroups:
        lines += ["", "Subgroups:", *_entries(sorted(subgroups))]
    if commands:
        lines += ["", "Commands:", *_entries(sorted(commands))]
    lines += ["", f"For more specific examples, use: {prog} <command> --help", ""]
    return "\n".join(lines) + "\n"
