"""The text sanitiser: anything in, something storable out, capped with a marker, idempotent."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from storage import MAX_TEXT_CHARS, TRUNCATION_MARKER, safe_text
from storage._text import REPLACEMENT, dump_json, safe_data

ODD_TEXTS = [
    "😀👩🏽‍🦯🇬🇧",  # emoji, skin tone, ZWJ sequence, flag
    "مرحبا بالعالم",  # right to left
    "שלום ‏עולם‎",  # Hebrew with direction marks
    "e\u0301 a\u0308 n\u0303",  # combining marks, deliberately not normalised
    "tab\tnewline\nreturn\r",
]


def test_nul_bytes_become_a_visible_replacement():
    assert safe_text("a\x00b\x00") == f"a{REPLACEMENT}b{REPLACEMENT}"


def test_lone_surrogates_are_replaced():
    assert safe_text("x\ud800y\udfffz") == f"x{REPLACEMENT}y{REPLACEMENT}z"


def test_a_split_surrogate_pair_is_joined_into_its_character():
    assert safe_text("\ud83d\ude00") == "😀"


def test_long_text_is_cut_to_the_cap_with_the_marker():
    stored = safe_text("x" * 100_000)
    assert len(stored) == MAX_TEXT_CHARS
    assert stored.endswith(TRUNCATION_MARKER)
    assert stored.startswith("x" * (MAX_TEXT_CHARS - len(TRUNCATION_MARKER)))


def test_text_at_the_cap_is_left_alone():
    assert safe_text("y" * MAX_TEXT_CHARS) == "y" * MAX_TEXT_CHARS


def test_odd_unicode_is_kept_exactly():
    for text in ODD_TEXTS:
        assert safe_text(text) == text


def test_safe_data_cleans_strings_inside_nested_values_and_keys():
    cleaned = safe_data({"a\x00": ["b\ud800", {"c": "x" * 5000}], "n": 3})
    assert cleaned == {
        f"a{REPLACEMENT}": [f"b{REPLACEMENT}", {"c": safe_text("x" * 5000)}],
        "n": 3,
    }


def test_dump_json_is_ascii_so_even_lone_surrogates_survive():
    dumped = dump_json({"k": "\ud800 é 😀"})
    assert dumped.isascii()


@given(st.text())
def test_any_text_becomes_storable_capped_and_stable(text: str):
    stored = safe_text(text)
    stored.encode("utf-8")  # raises if anything unencodable survived
    assert "\x00" not in stored
    assert len(stored) <= MAX_TEXT_CHARS
    assert safe_text(stored) == stored


@given(st.text(min_size=MAX_TEXT_CHARS - 20, max_size=MAX_TEXT_CHARS + 50))
def test_texts_around_the_cap_are_capped_and_stable(text: str):
    stored = safe_text(text)
    assert len(stored) <= MAX_TEXT_CHARS
    assert safe_text(stored) == stored
    if len(text) > MAX_TEXT_CHARS:
        assert stored.endswith(TRUNCATION_MARKER)


@given(st.text(), st.integers(min_value=len(TRUNCATION_MARKER), max_value=200))
def test_any_limit_is_respected(text: str, limit: int):
    assert len(safe_text(text, limit)) <= limit


@given(st.text())
def test_sanitised_text_round_trips_through_sqlite(text: str):
    stored = safe_text(text)
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (text TEXT)")
    connection.execute("INSERT INTO t VALUES (?)", (stored,))
    assert connection.execute("SELECT text FROM t").fetchone()[0] == stored
