"""A copy of the shipped YAML to break on purpose, and a way to run `check` on it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.cli import main

REPO = Path(__file__).resolve().parent.parent


@dataclass
class ContentCopy:
    """The knowledge and dialogue YAML copied under `root`, laid out like the repository."""

    root: Path

    @classmethod
    def make(cls, root: Path) -> ContentCopy:
        """Copy knowledge/data and dialogues/ (YAML only) into root."""
        shutil.copytree(REPO / "knowledge" / "data", root / "knowledge" / "data")
        shutil.copytree(
            REPO / "dialogues",
            root / "dialogues",
            ignore=shutil.ignore_patterns("*.py", "__pycache__"),
        )
        return cls(root)

    def edit(self, path: str, old: str, new: str, count: int = 1) -> None:
        """Replace text in one file; fail loudly if the text is not there."""
        file = self.root / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new, count), encoding="utf-8")

    def write(self, path: str, text: str) -> None:
        """Overwrite one file."""
        (self.root / path).write_text(text, encoding="utf-8")

    def check(self, capsys) -> tuple[int, list[str]]:
        """Run `python -m bot check --root` in-process: (exit code, problem lines)."""
        code = main(["check", "--root", str(self.root)])
        err = capsys.readouterr().err.splitlines()
        return code, [line for line in err if not line.endswith("problem(s) found.")]
