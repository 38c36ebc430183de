"""References of both kinds (C- and SA-): short, unambiguous, forgiving of how people type them."""

from __future__ import annotations

import re

import pytest

from storage._references import (
    ALPHABET,
    is_session_reference,
    new_followup_reference,
    new_reference,
    new_session_reference,
    normalise_reference,
)


@pytest.mark.parametrize(
    ("make", "prefix"), [(new_session_reference, "C-"), (new_followup_reference, "SA-")]
)
def test_new_references_use_crockford_base32_without_ambiguous_letters(make, prefix):
    references = {make() for _ in range(500)}
    assert len(references) == 500
    for reference in references:
        assert re.fullmatch(re.escape(prefix) + f"[{ALPHABET}]{{6}}", reference)
        assert not set(reference[len(prefix) :]) & set("ILOU")
        assert normalise_reference(reference.lower()) == reference
    assert all(is_session_reference(r) for r in references) == (prefix == "C-")
    assert set(ALPHABET) == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_only_the_two_kinds_of_reference_are_made():
    with pytest.raises(ValueError):
        new_reference("X-")


def test_typed_references_are_upper_cased_and_misread_letters_fixed():
    assert normalise_reference("  c-7k2qxm ") == "C-7K2QXM"
    assert normalise_reference("C-OIL234") == "C-011234"
    assert normalise_reference("sa-4k9p2") == "SA-4K9P2"


def test_follow_up_references_are_corrected_the_same_way():
    # Follow-up references have always been Crockford (no I, L, O or U), so no stored one
    # can be changed by this, and a code copied by hand is found.
    assert normalise_reference("sa-oil2qm") == "SA-0112QM"
    assert normalise_reference("SA-4K9P2M") == "SA-4K9P2M"


def test_things_that_cannot_be_references_give_none():
    for text in ("", "   ", "C 7K2QXM", "'; DROP TABLE users; --", "x" * 40, "-ABC", "é-1"):
        assert normalise_reference(text) is None
