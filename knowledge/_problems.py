"""Problems found in YAML content, each naming file, entry and field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content: where it is and what is wrong."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.field}: {self.message}"


class ContentError(Exception):
    """Content that cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def read_yaml(path: Path, name: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML file, turning a missing file or a syntax error into a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(name, "-", "-", "file is missing")]
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(name, "-", "-", f"cannot be read: {error}")]
    try:
        return yaml.load(text, Loader=_Loader), []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "-"
        reason = getattr(error, "problem", None) or str(error)
        return None, [Problem(name, where, "-", f"YAML syntax error: {reason}")]


def display_name(path: Path, root: Path) -> str:
    """The path as staff see it from the repository root, e.g. knowledge/data/factors.yaml."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def validate_entries(
    data: Any, model: type[M], file: str, key: str = "id"
) -> tuple[list[M], list[Problem]]:
    """Validate a YAML list of mappings against a model; report duplicate ids too."""
    if not isinstance(data, list):
        found = type(data).__name__ if data is not None else "nothing"
        return [], [Problem(file, "-", "-", f"expected a list of entries, found {found}")]
    entries: list[M] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(data, start=1):
        label = entry_label(item, index, key)
        if not isinstance(item, dict):
            problems.append(Problem(file, label, "-", "expected a mapping of fields"))
            continue
        entry, found = validate_one(item, model, file, label)
        problems += found
        if label in seen:
            problems.append(Problem(file, label, key, f"duplicate id {label!r}"))
        seen.add(label)
        if entry is not None:
            entries.append(entry)
    return entries, problems


def validate_one(
    item: Any, model: type[M], file: str, label: str
) -> tuple[M | None, list[Problem]]:
    """Validate one mapping, translating pydantic's errors into problems."""
    try:
        return model.model_validate(item), []
    except ValidationError as error:
        return None, list(_problems_from(error, file, label))


def entry_label(item: Any, index: int, key: str = "id") -> str:
    """How to name an entry in a message: its id, or its position when it has none."""
    if isinstance(item, dict) and isinstance(item.get(key), str) and item[key].strip():
        return item[key].strip()
    return f"entry {index}"


def _problems_from(error: ValidationError, file: str, entry: str) -> Iterator[Problem]:
    for detail in error.errors(include_url=False):
        location = [str(part) for part in detail["loc"]]
        message = detail["msg"]
        message = message.removeprefix("Value error, ")
        # A model validator reports "field: reason"; lift the field out of the message.
        field, colon, reason = message.partition(": ")
        if detail["type"] == "value_error" and colon and field.isidentifier():
            location, message = [*location, field], reason
        if detail["type"] == "missing":
            message = "required field is missing"
        elif detail["type"] == "extra_forbidden":
            message = "unknown field (misspelt?)"
        yield Problem(file, entry, ".".join(location) or "-", message)
