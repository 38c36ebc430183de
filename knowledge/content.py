"""Reading content YAML: validated models out, or every problem in plain words.

Shared by knowledge/ and dialogues/: a problem names file, entry and field; positions count
from 1, as staff count them; pydantic's messages are put in words for the people who edit YAML.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = [
    "ID_PATTERN",
    "KEY_PATTERN",
    "YAML_BOOLEAN",
    "ContentError",
    "Problem",
    "Strict",
    "display_name",
    "entry_label",
    "read_yaml",
    "validate_entries",
    "validate_one",
]

M = TypeVar("M", bound=BaseModel)

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
KEY_PATTERN = r"^[a-z0-9]+([_-][a-z0-9]+)*$"
# What each pattern means, for the message when a value does not fit it.
PATTERN_WORDS = {
    ID_PATTERN: "lower-case letters and digits, words joined by hyphens (like 'scale-funding')",
    KEY_PATTERN: "lower-case letters and digits, words joined by - or _ (like 'profile_line')",
}


# An unquoted yes, no, on or off is a YAML boolean, not the word: where text was meant, say so.
YAML_BOOLEAN = "YAML reads yes, no, on and off as true or false: put the word in quotes"


class Strict(BaseModel):
    """A model that rejects unknown fields, so that a misspelt key is reported."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
        found = _kind(data) if data is not None else "nothing"
        return [], [Problem(file, "-", "-", f"expected a list of entries, found {found}")]
    entries: list[M] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(data, start=1):
        label = entry_label(item, index, key)
        if not isinstance(item, dict):
            problems.append(Problem(file, label, "-", "expected a set of fields (key: value)"))
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
    """How to name an entry in a message: its id, or its position (from 1) when it has none."""
    if isinstance(item, dict) and isinstance(item.get(key), str) and item[key].strip():
        return item[key].strip()
    return f"entry {index}"


def _problems_from(error: ValidationError, file: str, entry: str) -> Iterator[Problem]:
    for detail in error.errors(include_url=False):
        # Positions in a list count from 1, as everywhere else in the messages.
        location = [str(part + 1) if isinstance(part, int) else str(part) for part in detail["loc"]]
        message = plain_words(detail)
        # A model validator reports "field: reason"; lift the field out of the message.
        field, colon, reason = message.partition(": ")
        if detail["type"] == "value_error" and colon and field.isidentifier():
            location, message = [*location, field], reason
        yield Problem(file, entry, ".".join(location) or "-", message)


def plain_words(detail: Mapping[str, Any]) -> str:
    """One pydantic error as a content editor would say it."""
    kind, value, ctx = detail["type"], detail.get("input"), detail.get("ctx") or {}
    if isinstance(value, bool) and kind in _WANTS_TEXT:
        return YAML_BOOLEAN
    if kind in _WANTS_TEXT and value is None:
        return "is empty: write the text after the colon"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        return "should be " + PATTERN_WORDS.get(pattern, f"in the form {pattern}")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "should not be empty"
    if kind in ("string_too_long", "too_long") and isinstance(value, str | list | dict):
        unit = "characters" if isinstance(value, str) else "items"
        return f"is too long: at most {ctx.get('max_length')} {unit}, this has {len(value)}"
    template = _PLAIN.get(kind)
    if template is None:
        return str(detail["msg"]).removeprefix("Value error, ")
    return template.format(found=_kind(value), **{k: _number(v) for k, v in ctx.items()})


def _number(value: Any) -> Any:
    """3.0 as 3: limits are written as whole numbers in the YAML."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _kind(value: Any) -> str:
    """What a YAML value is, in words: text, a number, a list…"""
    if isinstance(value, bool):
        return "yes/no (true/false)"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return "nothing" if value is None else type(value).__name__


_WANTS_TEXT = frozenset({"string_type", "string_pattern_mismatch", "string_too_short"})
_PLAIN = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (misspelt?)",
    "string_type": "should be text, found {found}",
    "string_too_short": "should have at least {min_length} characters",
    "int_type": "should be a whole number, found {found}",
    "int_parsing": "should be a whole number, found {found}",
    "int_from_float": "should be a whole number, found {found}",
    "float_type": "should be a number, found {found}",
    "float_parsing": "should be a number, found {found}",
    "bool_type": "should be yes or no (true or false), found {found}",
    "bool_parsing": "should be yes or no (true or false), found {found}",
    "list_type": "should be a list (one '- ' line per item), found {found}",
    "tuple_type": "should be a list (one '- ' line per item), found {found}",
    "set_type": "should be a list (one '- ' line per item), found {found}",
    "dict_type": "should be a set of fields (key: value), found {found}",
    "model_type": "should be a set of fields (key: value), found {found}",
    "model_attributes_type": "should be a set of fields (key: value), found {found}",
    "too_short": "should have at least {min_length} item(s)",
    "too_long": "should have at most {max_length} item(s)",
    "literal_error": "should be one of {expected}",
    "enum": "should be one of {expected}",
    "greater_than": "should be more than {gt}",
    "greater_than_equal": "should be at least {ge}",
    "less_than": "should be less than {lt}",
    "less_than_equal": "should be at most {le}",
    "multiple_of": "should be a multiple of {multiple_of}",
    "finite_number": "should be a number",
    "url_parsing": "should be a web address (https://…)",
    "url_scheme": "should be a web address starting with {expected_schemes}",
}
