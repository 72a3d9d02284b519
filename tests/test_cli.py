"""The command line's own rules: the console is the default command, --db anywhere."""

from __future__ import annotations

import pytest

from console.cli import build_parser, with_default_command


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["gui"]),
        (["--lang", "en"], ["gui", "--lang", "en"]),
        (["--theme", "dark"], ["gui", "--theme", "dark"]),
        (["--user", "leader"], ["gui", "--user", "leader"]),
        (
            ["--db", "sqlite:///x", "--user", "leader"],
            ["--db", "sqlite:///x", "gui", "--user", "leader"],
        ),
        (["--db=sqlite:///x", "-v"], ["--db=sqlite:///x", "-v", "gui"]),
        (["stats", "--json"], ["stats", "--json"]),
        (["--db", "sqlite:///x", "stats"], ["--db", "sqlite:///x", "stats"]),
        (["gui", "--lang", "en"], ["gui", "--lang", "en"]),
        (["-h"], ["-h"]),
    ],
)
def test_gui_is_put_in_where_no_subcommand_is_named(argv: list[str], expected: list[str]) -> None:
    assert with_default_command(argv) == expected


def test_the_readme_examples_parse() -> None:
    parser = build_parser()
    args = parser.parse_args(with_default_command(["--lang", "en", "--theme", "dark"]))
    assert args.command == "gui" and args.lang == "en" and args.theme == "dark"
    args = parser.parse_args(with_default_command(["--user", "leader"]))
    assert args.command == "gui" and args.user == "leader"


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "sqlite:///a", "stats"],
        ["stats", "--db", "sqlite:///a"],
        ["calendar", "show", "--db", "sqlite:///a"],
        ["--db", "sqlite:///b", "calendar", "--db", "sqlite:///a", "show"],
    ],
)
def test_db_before_or_after_the_subcommand(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).db == "sqlite:///a"


def test_no_db_means_the_default() -> None:
    assert build_parser().parse_args(["stats"]).db is None


def test_help_and_a_command_import_only_what_they_run() -> None:
    """`--help` imports no command module (and so no Qt, gateway or bench); a command
    imports its own module only (issue 14 §6)."""
    import subprocess
    import sys

    probe = (
        "import sys, contextlib, io\n"
        "from console.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(sys.argv[1:])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "mods = sorted(m for m in sys.modules if m.startswith('console.commands.'))\n"
        "print(' '.join(mods) or '-', 'PySide6' in sys.modules)\n"
    )

    def imported(*argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    assert imported("--help") == "- False"
    assert imported("deadline", "--help") == (
        "console.commands.deadline console.commands.time_option False"  # its own helper
    )
    # the full parser still knows every command's options
    assert build_parser().parse_args(["deadline", "--limit", "1工作日"]).limit == "1工作日"
