"""``batchai``: find the command, parse its options, run it, print its result, exit as az did.

Exit codes: 0 success; 1 the command or the service failed (a ``CloudError``, a library
``ValidationError``, :class:`~batchai_compat.cli.errors.CommandError`, a failed job in
``job wait`` exits with the job's code); 2 the command line is wrong
(:class:`~batchai_compat.cli.errors.UsageError`).  An error is one ``ERROR:`` line on stderr;
``--debug`` adds the traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from . import messages, tree
from .errors import CommandError, UsageError
from .parser import FLAG_GLOBALS, VALUED_GLOBALS
from .spec import Exit

if TYPE_CHECKING:
    from .spec import Area, Command

PROG = "batchai"


def main(argv: list[str] | None = None) -> int:
    """Run one ``batchai`` command line; return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    restore = messages.configure(args)
    try:
        return _run(args)
    except KeyboardInterrupt:
        _error("Interrupted.", debug)
        return 130
    except BrokenPipeError:  # `batchai job list | head`
        return 0
    except CommandError as error:
        _error(str(error), debug)
        return error.exit_code
    except Exception as error:  # service, library and runtime failures: one line, exit 1
        _error(_describe(error), debug)
        return 1
    finally:
        restore()


def _describe(error: BaseException) -> str:
    from ..exceptions import BatchAICompatError

    if isinstance(error, BatchAICompatError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror}{where}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _error(message: str, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc(file=sys.stderr)
    one_line = " ".join(message.split()) or "The command failed."
    print(f"ERROR: {one_line}", file=sys.stderr, flush=True)


def _split(args: list[str]) -> tuple[list[str], list[str]]:
    """The command's words and the rest; global options before the words go to the rest.

    No command takes positional arguments (as in az), so the words end at the first option.
    """
    words: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        if token in FLAG_GLOBALS or ("=" in token and token.split("=", 1)[0] in VALUED_GLOBALS):
            rest.append(token)
        elif token in VALUED_GLOBALS:
            rest += args[index : index + 2]
            index += 1
        elif token.startswith("-"):
            break
        else:
            words.append(token)
        index += 1
    return words, rest + args[index:]


def _run(args: list[str]) -> int:
    words, rest = _split(args)
    if not words:
        if "--version" in rest:
            from .._version import __version__

            print(f"batchai (batchai_compat) {__version__}")
            return 0
        if rest and not ({"-h", "--help"} & set(rest)):
            raise UsageError(f"unrecognized arguments: {' '.join(rest)} (see 'batchai --help')")
        sys.stdout.write(_root_help())
        return 0
    top = words[0]
    if top not in tree.TOP:
        raise UsageError(_not_recognized([top]))
    area = tree.area(top)
    command, used, extra = _find(area, words[1:])
    rest = extra + rest
    prog = " ".join([PROG, top, *used])
    if command is None:
        unknown = [t for t in rest if not t.startswith("-")]
        if unknown:
            raise UsageError(_not_recognized([top, *used, unknown[0]], area, used))
        sys.stdout.write(_group_help(prog, area, used))
        return 0
    return _run_command(prog, command, rest)


def _find(area: Area, words: list[str]) -> tuple[Command | None, list[str], list[str]]:
    """The command named by ``words`` (None for a group), the words used, the words left."""
    used: list[str] = []
    for word in words:
        candidate = (*used, word)
        if not any(c.words[: len(candidate)] == candidate for c in area.commands):
            break
        used.append(word)
        exact = [c for c in area.commands if c.words == tuple(used)]
        if exact:
            return exact[0], used, words[len(used) :]
    exact = [c for c in area.commands if c.words == tuple(used)]
    if exact:
        return exact[0], used, words[len(used) :]
    return None, used, words[len(used) :]


def _run_command(prog: str, command: Command, rest: list[str]) -> int:
    from .config import Config
    from .parser import command_help, command_parser

    config = Config()
    if "-h" in rest or "--help" in rest:
        sys.stdout.write(command_help(prog, command, config))
        return 0
    parsed = command_parser(prog, command, config).parse_args(rest)
    output = (parsed.output or config.get("core", "output") or "json").lower()
    from .spec import FORMATS

    if output not in FORMATS:
        raise UsageError(
            f"argument --output/-o: invalid choice: {output!r} (choose from {', '.join(FORMATS)})"
        )
    query = None
    if parsed.query:
        from .output import compile_query

        query = compile_query(parsed.query)

    from .context import Context

    context = Context(
        config, backend=parsed.backend, subscription=parsed.subscription, command=prog
    )
    try:
        if command.confirm and getattr(parsed, "yes", None) is not None:
            context.confirm(command.confirm, parsed.yes)
        result = command.handler(context, parsed)
        if getattr(parsed, "no_wait", False):
            result = None
        if result is not None:
            _print(result, output, query, command)
        exit_code = result.code if isinstance(result, Exit) else 0
    finally:
        context.close()
    return exit_code


def _print(result: Any, output: str, query: Any, command: Command) -> None:
    from .output import apply_query, render, result_data

    if isinstance(result, Exit):
        return
    data = result_data(result)
    if query is not None:
        data = apply_query(query, data)
        if data is None:  # az printed nothing for a query that found nothing
            return
    text = render(data, output, transformer=command.table, query_active=query is not None)
    sys.stdout.write(text)
    sys.stdout.flush()


def _root_help() -> str:
    from .parser import group_help

    commands = [(w, s) for w, (m, s) in tree.TOP.items() if w in ("list-usages", "configure")]
    groups = [(w, s) for w, (m, s) in tree.TOP.items() if w not in ("list-usages", "configure")]
    return group_help(
        PROG,
        "Manage Batch AI resources: the `az batchai` commands, and the `az storage` and "
        "`az group` lines of Batch AI runbooks. They run on this machine (the local backend, no "
        "Azure account needed) unless --backend or BATCHAI_COMPAT_BACKEND names azureml or "
        "azureml-v2.",
        groups,
        commands,
    )


def _group_help(prog: str, area: Area, used: list[str]) -> str:
    from .parser import group_help

    depth = len(used)
    subgroups: dict[str, str] = {}
    commands: list[tuple[str, str]] = []
    for command in area.commands:
        if command.words[:depth] != tuple(used) or len(command.words) <= depth:
            continue
        word = command.words[depth]
        if len(command.words) == depth + 1:
            commands.append((word, command.summary))
        else:
            subgroups[word] = area.groups.get((*used, word), "")
    summary = area.groups.get(tuple(used), "") if used else area.summary
    return group_help(prog, summary, sorted(subgroups.items()), commands)


def _not_recognized(
    words: list[str], area: Area | None = None, used: list[str] | None = None
) -> str:
    import difflib

    if area is None:
        choices = list(tree.TOP)
    else:
        depth = len(used or [])
        choices = sorted(
            {
                c.words[depth]
                for c in area.commands
                if len(c.words) > depth and c.words[:depth] == tuple(used or [])
            }
        )
    close = difflib.get_close_matches(words[-1], choices, n=1)
    hint = f" Did you mean '{' '.join([PROG, *words[:-1], close[0]])}'?" if close else ""
    return (
        f"'{words[-1]}' is misspelled or not recognized by the system.{hint} "
        f"See '{' '.join([PROG, *words[:-1]])} --help'."
    )
