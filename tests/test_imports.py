"""Each package keeps its private modules and names to itself; others use its public names.

A name starting with one underscore (a module `storage._store` or a name `_short`) belongs to the
package that holds it, sub-packages included (`dialogues.journeys` is part of the engine): only
that package's modules may import it. Everyone else imports what the package's `__init__`
exports, so a package can be reshaped inside without breaking its neighbours (the rule httpx's
own test suite keeps). The staff review is a package of its own: an extra, on storage's
public names like any other user of storage.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.content_copy import REPO

PROJECT = ("bot", "dialogues", "knowledge", "storage", "docs")
PACKAGES = (*PROJECT, "storage.review")


def package_unit(dotted: str) -> str:
    """The package a dotted name is part of: the longest of PACKAGES it starts with."""
    found = [p for p in PACKAGES if dotted == p or dotted.startswith(p + ".")]
    return max(found, key=len) if found else dotted


def package_of(path: Path, root: Path) -> str:
    """The package a file's code is in (for relative imports): its folder's dotted name."""
    return ".".join(path.relative_to(root).parent.parts)


def imported_paths(tree: ast.AST, package: str) -> Iterator[tuple[int, str]]:
    """(line, dotted path) of every module and name imported, relative imports resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def owner(path: str) -> str | None:
    """The package a private module or name belongs to, or None when the path is public."""
    parts = path.split(".")
    if parts[0] not in PROJECT:
        return None
    for index, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return package_unit(".".join(parts[:index]))
    return None


def private_imports(root: Path = REPO) -> list[str]:
    found = []
    for top in PROJECT:
        for path in sorted((root / top).rglob("*.py")):
            package = package_of(path, root)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, imported in imported_paths(tree, package):
                belongs = owner(imported)
                if belongs is not None and belongs != package_unit(package):
                    found.append(
                        f"{path.relative_to(root)}:{line}: {imported} (private to {belongs})"
                    )
    return found


def test_no_package_imports_another_packages_private_names():
    found = private_imports()
    assert not found, "import the public name instead:\n" + "\n".join(found)


def test_the_check_sees_a_private_import_and_allows_the_packages_own(tmp_path):
    files = {
        "bot/cli/_parser.py": "",
        "bot/cli/chat.py": "from bot.cli._parser import add\nfrom ._parser import add\n",
        "dialogues/journeys/team.py": "from dialogues._types import Reply\n",
        "storage/_store.py": "from storage.review._serve import main\n",
        "bot/console.py": "from storage._files import open_private\nfrom storage import Store\n",
        "storage/review/_serve.py": "import storage._store\nfrom storage import _short\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert private_imports(tmp_path) == [
        "bot/console.py:1: storage._files.open_private (private to storage)",
        "storage/_store.py:1: storage.review._serve.main (private to storage.review)",
        "storage/review/_serve.py:1: storage._store (private to storage)",
        "storage/review/_serve.py:2: storage._short (private to storage)",
    ]
