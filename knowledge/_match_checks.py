"""Checks on the matcher's word lists and on every entry's match rules, as problems for staff.

The schema catches a wrong shape; these catch what would make the matcher quietly ignore an
edit: a term made only of stop words, an alternative listed under two words, a stop word that
is also a sector word, a smalltalk phrase that some entry claims, an entry with no terms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from knowledge._models import (
    GROUP_INCLUDE,
    TOGETHER_WITHIN,
    Factor,
    Framework,
    MatchingLists,
    Route,
    Weighted,
)
from knowledge._words import Reader, hyphen_forms, stems
from knowledge.content import Problem, validate_one

WORD_GROUPS = ("spellings", "word_forms", "sector_words")
WORD_LISTS = ("hyphenated", "stop_words")


def validate_lists(data: Any, file: str) -> tuple[MatchingLists | None, list[Problem]]:
    """Validate matching.yaml against its schema; name the entry and field of each problem."""
    if not isinstance(data, dict):
        found = type(data).__name__ if data is not None else "nothing"
        return None, [Problem(file, "-", "-", f"expected a mapping of lists, found {found}")]
    lists, found = validate_one(data, MatchingLists, file, "-")
    return lists, [_relabel(problem, data) for problem in found]


def _relabel(problem: Problem, data: dict[str, Any]) -> Problem:
    """Name the entry: sector_words.council.2 becomes entry 'council', field 'sector_words.2'."""
    parts = [p for p in problem.field.split(".") if p != "[key]"]
    section = parts[0]
    entry, field, message = "-", problem.field.replace(".[key]", ""), problem.message
    items: Any = None
    if section == "word_groups" and len(parts) >= 2:
        entry, field = parts[1], ".".join([section, *parts[2:]])
    elif section in WORD_GROUPS and len(parts) >= 2:
        entry, field = parts[1], ".".join([section, *parts[2:]])
        items = (data.get(section) or {}).get(parts[1])
        index = parts[2] if len(parts) > 2 else None
    elif section in WORD_LISTS and len(parts) == 2:
        items, index, field = data.get(section), parts[1], section
    elif section == "smalltalk" and len(parts) == 3:
        items, index = (data.get("smalltalk") or {}).get(parts[1]), parts[2]
        field = f"smalltalk.{parts[1]}"
    if isinstance(items, list) and index is not None and index.isdigit():
        # Positions in problems count from 1.
        item = items[int(index) - 1] if 0 < int(index) <= len(items) else None
        if section not in WORD_GROUPS:
            entry = _item_label(item, int(index))
    return Problem(problem.file, entry, field, message)


def _item_label(item: Any, position: int) -> str:
    """A list item by its text when it has a short one, otherwise by its position (from 1)."""
    if isinstance(item, str) and 0 < len(item.strip()) <= 60:
        return item.strip()
    return f"item {position}"


def check_lists(lists: MatchingLists, file: str) -> Iterator[Problem]:
    """Mistakes in the shared lists that the schema cannot see."""
    reader = Reader(lists)
    stop = reader.stop_words
    for text in lists.stop_words:
        if len(stems(text)) != 1:
            yield Problem(file, text, "stop_words", "a stop word is one word")
    for word in lists.hyphenated:
        if "-" not in word:
            yield Problem(file, word, "hyphenated", "has no hyphen; list it with its hyphen")
        elif len(stems(word)) < 2:
            yield Problem(file, word, "hyphenated", "needs letters on both sides of the hyphen")

    for name, group in lists.word_groups.items():
        if not group:
            yield Problem(file, name, "word_groups", "the group has no words")
        for text in group:
            if text.startswith(GROUP_INCLUDE):
                other = text.removeprefix(GROUP_INCLUDE).strip()
                if other not in lists.word_groups or other == name:
                    known = ", ".join(sorted(n for n in lists.word_groups if n != name))
                    yield Problem(
                        file,
                        name,
                        "word_groups",
                        f"{text!r}: no other word group {other!r} ({known})",
                    )
            elif not stems(text):
                yield Problem(file, name, "word_groups", f"{text!r} has no letters or digits")

    owner: dict[tuple[str, ...], tuple[str, str]] = {}  # alternative -> (section, word)
    for word in lists.hyphenated:
        for form in hyphen_forms(word):
            owner.setdefault(form, ("hyphenated", word))
    for section in WORD_GROUPS:
        for word, alternatives in getattr(lists, section).items():
            if not stems(word):
                yield Problem(file, word, section, "has no letters or digits")
            elif all(s in stop for s in stems(word)):
                yield Problem(file, word, section, "is a stop word, so it would never count")
            for text in alternatives:
                form = stems(text)
                if not form:
                    yield Problem(file, word, section, f"{text!r} has no letters or digits")
                    continue
                if len(form) == 1 and form[0] in stop:
                    yield Problem(file, word, section, f"{text!r} is also a stop word")
                other = owner.get(form)
                if (
                    other
                    and other != (section, word)
                    and reader.read_word(text) != reader.read_word(word)
                ):
                    where, listed = other
                    message = f"{text!r} is also listed under {listed!r} in {where}"
                    yield Problem(file, word, section, message)
                owner.setdefault(form, (section, word))
    for section in WORD_GROUPS:
        for word in getattr(lists, section):
            other = owner.get(stems(word))
            if other and other[1] != word and other[0] in WORD_GROUPS:
                yield Problem(
                    file,
                    word,
                    section,
                    f"is itself listed as another way to write {other[1]!r}; use that word here",
                )


def check_rules(
    entries: Iterable[Factor | Framework | Route],
    lists: MatchingLists,
    name: Callable[[Factor | Framework | Route], str],
    lists_file: str,
) -> Iterator[Problem]:
    """Mistakes in each entry's match block: no terms, dead terms, duplicates, clashes."""
    reader = Reader(lists)
    stop = reader.stop_words
    claimed: dict[tuple[str, ...], str] = {}
    for entry in entries:
        file = name(entry)
        rules = entry.match
        if not rules.terms:
            yield Problem(file, entry.id, "match.terms", "no terms: the matcher can never find it")
        seen: dict[tuple[str, ...], str] = {}
        terms_read: list[tuple[str, tuple[str, ...]]] = []
        for n, term in enumerate(rules.terms, start=1):
            field = f"match.terms.{n}"
            yield from _check_groups(term, lists, reader, file, entry.id, field)
            if term.text is None:
                continue
            read = tuple(reader.read(term.text))
            if not read:
                yield Problem(file, entry.id, field, f"{term.text!r} has no letters or digits")
                continue
            if all(s in stop for s in read) and not (isinstance(entry, Route) and len(read) > 1):
                yield Problem(
                    file, entry.id, field, f"{term.text!r} is only stop words, so it never counts"
                )
                continue
            key = tuple(sorted(set(read)))
            if key in seen:
                yield Problem(
                    file, entry.id, field, f"{term.text!r} reads the same as {seen[key]!r}"
                )
            seen.setdefault(key, term.text)
            claimed.setdefault(tuple(read), entry.id)
            terms_read.append((term.text, read))
        if rules.not_ and isinstance(entry, Route) and entry.route == "safety":
            yield Problem(
                file,
                entry.id,
                "match.not",
                "a safety route cannot have `not` terms: one would silence an alarm in the same"
                " message; list the service's name in matching.yaml sector_words instead",
            )
        for n, text in enumerate(rules.not_, start=1):
            field = f"match.not.{n}"
            read = tuple(reader.read(text))
            if not read or all(s in stop for s in read):
                yield Problem(file, entry.id, field, f"{text!r} is only stop words")
            elif tuple(sorted(set(read))) in seen:
                yield Problem(file, entry.id, field, f"{text!r} is also one of its terms")
            else:
                inside = next((t for t, words in terms_read if _within(read, words)), None)
                if inside is not None:
                    yield Problem(
                        file,
                        entry.id,
                        field,
                        f"{text!r} is inside its term {inside!r} (the same words once stemmed),"
                        " so that term can never count",
                    )
        for n, text in enumerate(rules.with_, start=1):
            read = tuple(reader.read(text))
            if not read or all(s in stop for s in read):
                # Dropped, it would let the entry's terms count without any company at all.
                yield Problem(file, entry.id, f"match.with.{n}", f"{text!r} is only stop words")
    for kind in ("greeting", "thanks", "help"):
        for text in getattr(lists.smalltalk, kind):
            read = tuple(reader.read(text))
            if not read:
                yield Problem(lists_file, text, f"smalltalk.{kind}", "has no letters or digits")
            elif read in claimed:
                yield Problem(
                    lists_file,
                    text,
                    f"smalltalk.{kind}",
                    f"is a match term of {claimed[read]!r}, so it would never be smalltalk",
                )


def _check_groups(
    term: Weighted, lists: MatchingLists, reader: Reader, file: str, entry: str, field: str
) -> Iterator[Problem]:
    """A `together` or `unless` group that names no word group, or whose words never count."""
    stop = reader.stop_words
    named = [(f"{field}.together.{n}", g) for n, g in enumerate(term.together, start=1)]
    if term.unless is not None:
        named.append((f"{field}.unless", term.unless))
    content = False
    shortest: list[int] = []  # the fewest words each `together` group can be found in
    for where, group in named:
        if isinstance(group, str) and group not in lists.word_groups:
            known = ", ".join(sorted(lists.word_groups)) or "none yet"
            yield Problem(
                file, entry, where, f"{group!r} is not a word group in matching.yaml ({known})"
            )
            continue
        included = [
            t.removeprefix(GROUP_INCLUDE).strip()
            for t in group
            if isinstance(group, list) and t.startswith(GROUP_INCLUDE)
        ]
        missing = [name for name in included if name not in lists.word_groups]
        if missing:
            known = ", ".join(sorted(lists.word_groups)) or "none yet"
            for name in missing:
                message = f"'+{name}': {name!r} is not a word group in matching.yaml ({known})"
                yield Problem(file, entry, where, message)
            continue
        phrases = lists.words_of(group)
        read = [tuple(reader.read(text)) for text in phrases]
        for text, stems_read in zip(phrases, read, strict=True):
            if not stems_read:
                yield Problem(file, entry, where, f"{text!r} has no letters or digits")
        if not phrases:
            yield Problem(file, entry, where, "the group has no words")
        if where.endswith("unless") and read and all(all(s in stop for s in r) for r in read):
            yield Problem(file, entry, where, "only stop words: it would silence the term anywhere")
        content = content or any(any(s not in stop for s in r) for r in read if r)
        if not where.endswith("unless") and any(read):
            shortest.append(min(len(r) for r in read if r))
    if term.together and not content:
        yield Problem(
            file, entry, f"{field}.together", "every group is only stop words, so it never counts"
        )
    if term.together and len(shortest) == len(term.together):
        yield from _check_within(term, lists, reader, shortest, file, entry, field)


def _check_within(
    term: Weighted,
    lists: MatchingLists,
    reader: Reader,
    shortest: list[int],
    file: str,
    entry: str,
    field: str,
) -> Iterator[Problem]:
    """A `together` phrase too long to lie within `within` words beside the other groups'
    shortest: it would never be found ("cant" is read as two words, "can not")."""
    within = term.within or TOGETHER_WITHIN
    lost: list[tuple[int, int, str]] = []  # words needed, group number, phrase
    for n, group in enumerate(term.together, start=1):
        phrases = lists.group(group) if isinstance(group, str) else group
        others = sum(shortest) - shortest[n - 1]
        lost += [(len(reader.read(t)) + others, n, t) for t in phrases]
    lost = sorted((need, n, t) for need, n, t in lost if need > within)
    if lost:
        first = min(n for _, n, _ in lost)
        found = [t for _, n, t in lost if n == first]
        shown = _shorter(", ".join(repr(t) for t in found))
        never = "they are" if len(found) > 1 else "it is"
        yield Problem(
            file,
            entry,
            f"{field}.together.{first}",
            f"{shown} cannot lie within {within} words beside the other groups, so {never}"
            f" never found: within {lost[-1][0]} would find every phrase",
        )


def _shorter(text: str, most: int = 80) -> str:
    """A list of phrases cut to a readable length."""
    return text if len(text) <= most else text[: text.rfind(",", 0, most)] + " ..."


def _within(needed: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Whether the words hold the needed stems in this order (a not term inside a term)."""
    remaining = iter(words)
    return all(any(w == s for w in remaining) for s in needed)
