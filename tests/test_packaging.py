"""The project as an operator installs it: every import declared, and the wheel working alone.

The wheel test builds the wheel, installs it into a fresh virtual environment that does not see
this one, and gives that environment exactly the distributions the wheel's metadata asks for,
walked from each one's own requirements. Those are linked, file by file from each RECORD, from
the ones already installed here: `pip install` from PyPI into a fresh venv took 2 min 10 s on
two cores (mostly downloads), which a test run cannot afford, while linking takes about a
second and proves the same thing, that the declared dependencies are enough (`pip check` agrees
that nothing is missing). Then `scaling-advisor check` and a piped terminal chat with a chart and
a PDF run from outside the source tree.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.content_copy import REPO

PACKAGES = ("bot", "dialogues", "knowledge", "storage")
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Parts of the code that may import what only an extra installs.
EXTRA_PARTS = {"review": "storage/review/"}


def _requirement_names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def _third_party_imports(path: Path) -> set[str]:
    """Top-level names of the modules a file imports that are not the project's or stdlib's."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - set(PACKAGES) - {"__future__"}


def test_every_imported_package_is_declared_where_it_is_needed():
    providers = importlib.metadata.packages_distributions()
    core = _requirement_names(PROJECT["dependencies"])
    extras = {
        extra: _requirement_names(reqs) for extra, reqs in PROJECT["optional-dependencies"].items()
    }
    undeclared = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            allowed = set(core)
            for extra, part in EXTRA_PARTS.items():
                if relative.startswith(part):
                    allowed |= extras[extra]
            for module in sorted(_third_party_imports(path)):
                dists = {canonicalize_name(d) for d in providers.get(module, [])}
                if not dists & allowed:
                    undeclared.append(f"{relative}: {module} (from {', '.join(dists) or '?'})")
    assert not undeclared, "imported but not declared in pyproject.toml:\n" + "\n".join(undeclared)


def test_build_system_and_tools_are_pinned_with_upper_bounds():
    build = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    setuptools = Requirement(build["requires"][0])
    # `license = "MIT"` (an SPDX expression) needs setuptools 77 or later.
    assert not setuptools.specifier.contains("76.1.0") and setuptools.specifier.contains("77.0.3")
    assert importlib.metadata.version("setuptools") in setuptools.specifier
    everything = [*PROJECT["dependencies"]]
    for requirements in PROJECT["optional-dependencies"].values():
        everything += requirements
    unbounded = [
        r for r in everything if not any(s.operator in "<~=" for s in Requirement(r).specifier)
    ]
    assert not unbounded
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def _closure(requirements: list[str]) -> dict[str, importlib.metadata.Distribution]:
    """The installed distributions that `requirements` need, walked through their own."""
    found: dict[str, importlib.metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    todo = [(Requirement(r), "") for r in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        dist = found.get(name) or importlib.metadata.distribution(requirement.name)
        assert requirement.specifier.contains(dist.version, prereleases=True), requirement
        found[name] = dist
        for wanted in ("", *requirement.extras):
            if (name, wanted) not in seen:
                seen.add((name, wanted))
                todo += [(Requirement(r), wanted) for r in dist.requires or []]
    return found


def _link_distribution(dist: importlib.metadata.Distribution, site: Path) -> None:
    """Make one installed distribution importable in another environment.

    A regular package or the .dist-info folder belongs to one distribution and is linked
    whole; anything else (a namespace package, a module) file by file, from the RECORD.
    """
    linked: set[str] = set()
    for file in dist.files or []:
        if file.parts[0] == "..":
            continue  # scripts live outside site-packages
        source = Path(dist.locate_file(file))
        top = source.parents[len(file.parts) - 2] if len(file.parts) > 1 else source
        if top.is_dir() and (top.suffix == ".dist-info" or (top / "__init__.py").exists()):
            if top.name not in linked:
                linked.add(top.name)
                (site / top.name).symlink_to(top.resolve())
            continue
        target = site / file
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.symlink_to(source.resolve())


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel and exactly its declared dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a clean copy: setuptools would pack stale files from build/
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PACKAGES:
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", work, source],
        check=True,
        timeout=300,
    )
    (wheel,) = work.glob("scaling_advisor-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", python, "install", "--no-deps", "--no-index", wheel], check=True
    )
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        requires = Parser().parsestr(archive.read(metadata).decode()).get_all("Requires-Dist")
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    for dist in _closure(requires).values():
        _link_distribution(dist, site)
    check = subprocess.run([*pip, "--python", python, "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return venv


def _run(venv: Path, *args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    environment = {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin",
        "HOME": str(cwd),
        "PYTHONNOUSERSITE": "1",
        "BOT_DB": str(cwd / "data" / "bot.db"),
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        args, input=stdin, capture_output=True, text=True, cwd=cwd, env=environment, timeout=120
    )


def test_the_wheel_installs_and_runs_alone_outside_the_source_tree(installed, tmp_path):
    where = _run(installed, "python", "-c", "import bot, yaml; print(bot.__file__)", cwd=tmp_path)
    assert where.stdout.startswith(str(installed)), where.stdout + where.stderr

    check = _run(installed, "scaling-advisor", "check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("OK: 22 factors, 4 frameworks")

    answers = "\n".join(["1", "/triage", "1", "2", "1", "2", "staff keep leaving"])
    readiness = "\n".join(["/readiness", "Start", *["Yes"] * 7, "/plan"])
    chat = _run(
        installed, "scaling-advisor", "chat", cwd=tmp_path, stdin=f"{answers}\n{readiness}\n"
    )
    assert chat.returncode == 0, chat.stderr
    assert "NASSS" in chat.stdout.split("> staff keep leaving")[1]
    files = sorted(p.suffix for p in (tmp_path / "data" / "files").iterdir())
    assert files == [".pdf", ".png"], chat.stdout[-2000:]
    assert "Traceback" not in chat.stderr


def test_the_console_script_has_every_command_of_python_m_bot(installed, tmp_path):
    from bot.cli import build_parser, subcommands

    usage = _run(installed, "scaling-advisor", "--help", cwd=tmp_path)
    assert usage.returncode == 0, usage.stderr
    assert usage.stdout.startswith("usage: scaling-advisor ")
    lines = usage.stdout.splitlines()
    listed = [line.split()[0] for line in lines if line.startswith("    ") and line[4] != " "]
    assert listed == list(subcommands(build_parser()))
    assert "review" in listed


@pytest.mark.parametrize(
    "command", [("python", "-m", "storage.review"), ("scaling-advisor", "review")]
)
def test_without_the_review_extra_the_review_says_what_to_install(installed, tmp_path, command):
    review = _run(installed, *command, cwd=tmp_path)
    assert review.returncode == 1
    assert review.stderr.strip().splitlines() == [
        "review: the staff review needs the review extra: pip install 'scaling-advisor[review]'"
        " (datasette is missing)"
    ]
