"""Finding and running a command: exit codes 0/1/2 as az, one-line errors, help for every
command with an example, ``configure --defaults``, global options anywhere."""

from __future__ import annotations

import pytest

from batchai_compat.cli import tree
from batchai_compat.cli.parser import GLOBALS


def all_commands():
    for word in tree.TOP:
        for command in tree.area(word).commands:
            yield word, command


def test_every_command_has_help_with_an_example(run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # the help's width
    count = 0
    for word, command in all_commands():
        words = [word, *command.words]
        done = run_cli(*words, "--help")
        assert done.code == 0, words
        assert done.err == ""
        assert f"batchai {' '.join(words)} : {command.summary}" in " ".join(done.out.split())
        assert "\nExamples\n" in done.out, words
        shown = " ".join(done.out.replace("\\\n", " ").split())  # continuations joined
        for _, example in command.examples:
            first = example.splitlines()[0]
            assert first.startswith(f"batchai {' '.join(words)}"), (words, first)
            assert " ".join(example.replace("\\\n", " ").split()) in shown, (words, example)
        examples = done.out.split("\nExamples\n", 1)[1].splitlines()
        for line in examples:  # long examples continue on the next line, before an option
            assert len(line) <= 100 or len(line.split()) <= 2, (words, line)
        for arg in command.args:
            assert " ".join(arg.options) in done.out, (words, arg.options)
        for options, *_ in GLOBALS:
            assert " ".join(options) in done.out
        count += 1
    assert count > 60  # the whole tree was walked


def test_every_example_parses(run_cli, monkeypatch):
    """Each example's options exist: parsing it fails on nothing but the missing service."""
    import shlex

    from batchai_compat.cli.config import Config
    from batchai_compat.cli.parser import command_parser

    for word, command in all_commands():
        for _, example in command.examples:
            argv = shlex.split(example.replace("\\\n", ""))  # a shell's line continuation
            words = [word, *command.words]
            assert argv[: len(words) + 1] == ["batchai", *words]
            command_parser("batchai " + " ".join(words), command, Config()).parse_args(
                argv[len(words) + 1 :]
            )


def test_group_help_lists_subgroups_and_commands(run_cli):
    done = run_cli("job")
    assert done.code == 0
    assert "Subgroups:" in done.out and "Commands:" in done.out
    text = " ".join(done.out.split())
    assert "file : Commands to list and stream files in job's output directories." in text
    assert "wait : Wait for a job to finish; exit with the job's exit code when it failed." in text
    root = run_cli("--help")
    assert root.code == 0 and "workspace" in root.out and "list-usages" in root.out
    assert run_cli("cluster", "node", "-h").out.count("exec") >= 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["jobs", "list"],
            "ERROR: 'jobs' is misspelled or not recognized by the system. Did you mean "
            "'batchai job'? See 'batchai --help'.",
        ),
        (
            ["job", "lst"],
            "ERROR: 'lst' is misspelled or not recognized by the system. Did you mean "
            "'batchai job list'? See 'batchai job --help'.",
        ),
        (
            ["job", "show", "-g", "rg", "-w", "ws", "-e", "e"],
            "ERROR: the following arguments are required: --name/-n (see 'batchai job show "
            "--help')",
        ),
        (
            ["job", "show", "-g", "rg", "-w", "ws", "-e", "e", "-n", "j", "--bogus"],
            "ERROR: unrecognized arguments: --bogus (see 'batchai job show --help')",
        ),
        (
            ["cluster", "resize", "-g", "rg", "-w", "ws", "-n", "c", "-t", "two"],
            "ERROR: argument --target/-t: invalid int value: 'two' (see 'batchai cluster resize "
            "--help')",
        ),
        (
            ["workspace", "list", "-o", "xml"],
            "ERROR: argument --output/-o: invalid choice: 'xml' (choose from json, jsonc, yaml, "
            "yamlc, table, tsv, none)",
        ),
        (
            ["workspace", "list", "--query", "[?"],
            "ERROR: argument --query: invalid jmespath query '[?':",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(run_cli, argv, message):
    done = run_cli(*argv)
    assert done.code == 2
    assert done.out == ""
    assert len(done.err.splitlines()) == 1
    assert done.err.startswith(message)


def test_service_errors_exit_1_with_one_line_and_the_traceback_only_with_debug(run_cli):
    done = run_cli("workspace", "show", "-g", "rg", "-n", "nope")
    assert done.code == 1
    assert done.out == ""
    assert done.err.startswith("ERROR: (WorkspaceNotFound) The specified workspace nope")
    assert len(done.err.splitlines()) == 1
    debug = run_cli("workspace", "show", "-g", "rg", "-n", "nope", "--debug")
    assert debug.code == 1
    assert "Traceback (most recent call last)" in debug.err
    assert debug.err.splitlines()[-1] == done.err.strip()


def test_library_validation_errors_exit_1(run_cli):
    done = run_cli("workspace", "create", "-g", "rg", "-n", "bad name!", "-l", "eastus")
    assert done.code == 1
    assert done.err.startswith("ERROR: workspace_name: ")


def test_confirmation_needs_yes_without_a_terminal(run_cli):
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    done = run_cli("workspace", "delete", "-g", "rg", "-n", "ws")
    assert (done.code, done.err) == (
        1,
        "ERROR: Unable to prompt for confirmation as no tty available. Use --yes.\n",
    )
    assert run_cli("workspace", "show", "-g", "rg", "-n", "ws").code == 0  # still there
    assert run_cli("workspace", "delete", "-g", "rg", "-n", "ws", "-y").code == 0
    assert run_cli("workspace", "show", "-g", "rg", "-n", "ws").code == 1


def test_global_options_before_or_after_the_command(run_cli):
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    before = run_cli("-o", "tsv", "--query", "[].name", "workspace", "list")
    after = run_cli("workspace", "list", "--query", "[].name", "-o", "tsv")
    assert before.out == after.out == "ws\n"


def test_configure_defaults_fill_options(run_cli, cli_env, monkeypatch):
    assert (
        run_cli("configure", "--defaults", "group=rg", "workspace=ws", "location=westus").code == 0
    )
    assert run_cli("workspace", "create", "-n", "ws").code == 0  # -g and -l from the defaults
    show = run_cli("workspace", "show", "-n", "ws", "--query", "location", "-o", "tsv")
    assert show.out == "westus\n"
    assert run_cli("experiment", "create", "-n", "exp").code == 0  # -g and -w configured
    listed = run_cli("configure", "--list-defaults", "-o", "tsv")
    assert listed.out.splitlines() == ["group\trg", "location\twestus", "workspace\tws"]
    help_text = run_cli("experiment", "create", "-h").out
    assert "Configured default: ws." in " ".join(help_text.split())
    # The environment overrides the file, as AZURE_DEFAULTS_* did for az.
    monkeypatch.setenv("BATCHAI_DEFAULTS_WORKSPACE", "other")
    assert run_cli("experiment", "show", "-n", "exp").code == 1  # no experiment in 'other'
    monkeypatch.delenv("BATCHAI_DEFAULTS_WORKSPACE")
    assert run_cli("configure", "--defaults", "workspace=").code == 0
    done = run_cli("experiment", "show", "-n", "exp")
    assert done.code == 2 and "--workspace/-w" in done.err
    bad = run_cli("configure", "--defaults", "colour=red")
    assert bad.code == 2 and "group, workspace, experiment, location, subscription" in bad.err


def test_configured_output_format(run_cli, monkeypatch):
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    monkeypatch.setenv("BATCHAI_CORE_OUTPUT", "tsv")
    assert run_cli("workspace", "list", "--query", "[].location").out == "eastus\n"


def test_python_dash_m_and_version(batchai):
    done = batchai("--version")
    assert done.code == 0 and done.out.startswith("batchai (batchai_compat) ")
    assert batchai("nothing-here").code == 2


def test_logging_is_put_back_after_a_run(run_cli):
    import logging

    package, root = logging.getLogger("batchai_compat"), logging.getLogger()
    before = (
        package.level,
        package.propagate,
        list(package.handlers),
        root.level,
        list(root.handlers),
    )
    run_cli("workspace", "show", "-g", "rg", "-n", "nope", "--debug")
    run_cli("workspace", "list", "--only-show-errors")
    after = (
        package.level,
        package.propagate,
        list(package.handlers),
        root.level,
        list(root.handlers),
    )
    assert after == before


def test_the_readme_and_docs_command_lines_parse():
    """Every ``batchai ...`` line of the README and docs/cli.md names a command and its options."""
    import re
    import shlex
    from pathlib import Path

    from batchai_compat.cli.config import Config
    from batchai_compat.cli.dispatch import _find, _split
    from batchai_compat.cli.parser import command_parser

    root = Path(__file__).resolve().parents[2]
    text = "\n".join((root / name).read_text() for name in ("README.md", "docs/cli.md"))
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    lines = [
        line.strip()
        for block in blocks
        for line in block.replace("\\\n", " ").splitlines()
        if line.strip().startswith("batchai ")
    ]
    assert len(lines) > 10
    for line in lines:
        argv = shlex.split(line.replace("$(", "").replace(")", ""))[1:]
        argv = argv[: argv.index("--query") + 2] if "--query" in argv else argv
        words, rest = _split(argv)
        command, used, extra = _find(tree.area(words[0]), words[1:])
        assert command is not None and not extra, line
        prog = " ".join(["batchai", words[0], *used])
        command_parser(prog, command, Config()).parse_args(rest)


def test_azure_backends_need_a_subscription(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `az` to ask for the account
    done = run_cli("workspace", "list", "--backend", "azureml")
    assert done.code == 2
    assert "The 'azureml' backend needs a subscription: pass --subscription" in done.err
    unknown = run_cli("workspace", "list", "--backend", "azurml", "--subscription", "s")
    assert unknown.code == 1 and "Did you mean 'azureml'?" in unknown.err


def test_a_query_finding_nothing_prints_nothing(run_cli):
    assert run_cli("workspace", "create", "-g", "rg", "-n", "ws", "-l", "eastus").code == 0
    done = run_cli("workspace", "show", "-g", "rg", "-n", "ws", "--query", "missing", "-o", "tsv")
    assert (done.code, done.out) == (0, "")
    # no tags given: the service sent none, so the query finds nothing too
    assert run_cli("workspace", "show", "-g", "rg", "-n", "ws", "--query", "tags").out == ""
    # an empty object found is printed
    assert run_cli("workspace", "show", "-g", "rg", "-n", "ws", "--query", "`{}`").out == "{}\n"


def test_help_reads_as_a_new_user_needs_it(run_cli):
    from batchai_compat.backends.registry import available_backends

    root = " ".join(run_cli("--help").out.split())
    assert "They run on this machine (the local backend, no Azure account needed)" in root
    # The root help's one-line summaries are the groups' own.
    for word, (_, summary) in tree.TOP.items():
        area = tree.area(word)
        own = area.summary if area.commands[0].words else area.commands[0].summary
        assert f"{word} : {summary}" in root and summary == own, word
    # Every backend is named where --backend is explained.
    backend = next(text for options, _, _, text in GLOBALS if options == ("--backend",))
    assert all(name in backend for name in available_backends())
    # A default that is punctuation is quoted (az printed "Default: ..").
    listing = " ".join(run_cli("job", "file", "list", "--help").out.split())
    assert 'Relative path in the given output directory. Default: ".".' in listing
    # --format says what each export writes.
    cluster = " ".join(run_cli("export", "cluster", "--help").out.split())
    assert "yaml: compute.yml for `az ml ... create --file`; python: compute.py" in cluster
    assert "job.yml" not in cluster.split("--format", 1)[1].split("--name", 1)[0]
