"""Session references: short, unambiguous, and forgiving of how people type them."""

from __future__ import annotations

from storage._references import (
    ALPHABET,
    is_session_reference,
    new_session_reference,
    normalise_reference,
)


def test_new_references_use_crockford_base32_without_ambiguous_letters():
    references = {new_session_reference() for _ in range(500)}
    assert len(references) == 500
    for reference in references:
        assert is_session_reference(reference)
        assert not set(reference[2:]) & set("ILOU")
    assert set(ALPHABET) == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_typed_references_are_upper_cased_and_misread_letters_fixed():
    assert normalise_reference("  c-7k2qxm ") == "C-7K2QXM"
    assert normalise_reference("C-OIL234") == "C-011234"
    assert normalise_reference("sa-4k9p2") == "SA-4K9P2"


def test_follow_up_references_keep_their_letters():
    assert normalise_reference("SA-OIL") == "SA-OIL"


def test_things_that_cannot_be_references_give_none():
    for text in ("", "   ", "C 7K2QXM", "'; DROP TABLE users; --", "x" * 40, "-ABC", "é-1"):
        assert normalise_reference(text) is None
