"""How much of a phone screen a message takes: lines of 38 characters, at most 16 a message."""

from __future__ import annotations

import unicodedata

from dialogues._markup import plain

LINE_WIDTH = 38  # characters a phone shows on a line of a Telegram message
SCREEN_LINES = 16  # lines a message may take, buttons aside: one phone screen
AIM_LINES = 12  # what most messages should take


def phone_lines(text: str) -> int:
    """Lines an HTML message takes on a phone, wrapped at word breaks as Telegram does."""
    lines = plain(text).strip("\n").split("\n")
    return sum(_wrapped(line) for line in lines) if any(lines) else 0


def fits(text: str) -> bool:
    """Whether a message fits one phone screen."""
    return phone_lines(text) <= SCREEN_LINES


def _wrapped(line: str) -> int:
    """Lines one paragraph takes: a word that does not fit goes to the next line."""
    rows, used, fresh = 1, 0, True
    for word in line.split(" "):
        width = _width(word)
        if not fresh and used + 1 + width <= LINE_WIDTH:
            used += 1 + width
            continue
        if not fresh:
            rows += 1
        while width > LINE_WIDTH:  # a word longer than a line is broken across lines
            rows += 1
            width -= LINE_WIDTH
        used, fresh = width, False
    return rows


def _width(word: str) -> int:
    """Columns a word takes: wide characters (most emoji, CJK) take two, joiners none."""
    total = 0
    for char in word:
        if unicodedata.combining(char) or char in "\u200d\ufe0f":
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total
