"""The documented samples run as written: every Python block of the README, every doctest.

A sample that stops working fails here instead of failing its first reader.
README blocks run in order inside an empty folder, as a reader follows them:
block N runs in a fresh namespace after blocks 1 to N-1. Every module of the
package is searched for ``>>>`` examples. Every ``casefile`` command line of
the README's shell blocks is parsed by the command's own parser (optional
parts in brackets included), so a renamed or newly required option fails here.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import shlex
from pathlib import Path

import pytest

import casefile
from casefile.cli._main import build_parser

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SHELL = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _readme_blocks() -> list[str]:
    return _BLOCK.findall(README.read_text(encoding="utf-8"))


def _readme_commands() -> list[str]:
    """Each ``casefile ...`` line of the README's shell blocks, continuations joined."""
    lines = []
    for block in _SHELL.findall(README.read_text(encoding="utf-8")):
        for line in block.replace("\\\n", " ").splitlines():
            command = line.split("  #", 1)[0].strip()
            if command.startswith("casefile "):
                lines.append(command)
    return lines


def _modules() -> list[str]:
    names = [casefile.__name__]
    for info in pkgutil.walk_packages(casefile.__path__, prefix=casefile.__name__ + "."):
        names.append(info.name)
    return sorted(names)


def _doctests(module_name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    # Only what the module itself defines: re-exports are found in their own module.
    return [t for t in finder.find(module) if t.examples and _defined_in(t, module_name)]


def _defined_in(test: doctest.DocTest, module_name: str) -> bool:
    return test.name == module_name or test.name.startswith(module_name + ".")


def test_the_readme_has_python_samples_to_run() -> None:
    assert len(_readme_blocks()) >= 1


@pytest.mark.parametrize("index", range(len(_readme_blocks())))
def test_readme_python_block_runs_as_written(
    index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": f"readme_block_{index + 1}"}
    for number, source in enumerate(_readme_blocks()[: index + 1], start=1):
        code = compile(source, f"README.md python block {number}", "exec")
        exec(code, namespace)


def test_the_readme_shows_every_command() -> None:
    shown = {shlex.split(line)[1] for line in _readme_commands()}
    assert {
        "demo",
        "keys",
        "evidence",
        "exhibits",
        "cases",
        "export",
        "verify",
        "clean",
        "redact",
        "trust",
    } <= shown


@pytest.mark.parametrize("line", _readme_commands())
def test_readme_command_line_is_accepted_by_the_cli_as_written(
    line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Brackets mark optional parts: the line must parse with them included.
    argv = shlex.split(line.replace("[", "").replace("]", ""))[1:]
    try:
        build_parser().parse_args(argv)
    except BaseException:  # the parser's own usage error, or SystemExit
        pytest.fail(f"README: {line!r} is refused: {capsys.readouterr().err.strip()}")


_WITH_DOCTESTS = [name for name in _modules() if _doctests(name)]


def test_the_package_has_doctests_to_run() -> None:
    # The application's, the projections' and the time functions' examples at least.
    assert {"casefile.application", "casefile.projections", "casefile._time"} <= set(_WITH_DOCTESTS)


@pytest.mark.parametrize("module_name", _WITH_DOCTESTS)
def test_docstring_examples_run_as_written(
    module_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures: list[str] = []
    for test in _doctests(module_name):
        result = runner.run(test, out=failures.append)
        assert result.attempted > 0
    assert runner.failures == 0, "".join(failures)
