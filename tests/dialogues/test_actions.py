"""The button codec: every action survives the trip through Telegram's 64 bytes, and only those."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogues.actions import (
    ACTION_TYPES,
    CALLBACK_LIMIT,
    Answer,
    ButtonDataError,
    CardPart,
    Detail,
    Keep,
    LeaveThread,
    Listing,
    Navigate,
    NoneOfThese,
    Open,
    Parts,
    Rate,
    RateThread,
    ReadingEntry,
    RecordPage,
    Resume,
    Staff,
    StaffCancel,
    StaffDraft,
    StaffPage,
    Term,
    Topic,
    decode,
    encode,
)

REPO = Path(__file__).resolve().parents[2]

ids = st.from_regex(r"\A[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,3}\Z")  # as the YAML ids: at most 30
counts = st.integers(0, 10**9)
references = st.from_regex(r"\A(SA|C)-[0-9A-Z]{6}\Z")
EACH_TYPE = {
    Navigate: st.builds(Navigate, st.sampled_from(["back", "menu", "help", "here"])),
    Answer: st.builds(Answer, counts, st.one_of(counts, st.sampled_from(["skip", "more", "keep"]))),
    Resume: st.builds(Resume, ids, st.booleans()),
    Open: st.builds(Open, ids, st.one_of(st.none(), ids)),
    Topic: st.builds(Topic, ids),
    Detail: st.builds(Detail, ids),
    CardPart: st.builds(CardPart, ids, ids, st.one_of(st.none(), counts)),
    Parts: st.builds(Parts, ids, st.one_of(st.none(), ids)),
    ReadingEntry: st.builds(ReadingEntry, ids),
    Term: st.builds(Term, ids),
    Listing: st.builds(Listing, ids, st.one_of(st.none(), counts)),
    RecordPage: st.builds(RecordPage, ids, counts),
    Rate: st.builds(Rate, ids, st.booleans()),
    Keep: st.builds(Keep, counts),
    NoneOfThese: st.just(NoneOfThese()),
    Staff: st.builds(Staff, st.sampled_from(["show", "close", "take", "nonote"]), references),
    StaffPage: st.builds(StaffPage, st.sampled_from(["open", "mine", "new"]), counts),
    StaffDraft: st.builds(StaffDraft, counts),
    StaffCancel: st.just(StaffCancel()),
    LeaveThread: st.builds(LeaveThread, references),
    RateThread: st.builds(RateThread, references, st.booleans()),
}
actions = st.one_of(*EACH_TYPE.values())


@given(actions)
def test_every_action_round_trips_within_64_bytes(action):
    data = encode(action)
    assert len(data.encode()) <= CALLBACK_LIMIT
    assert decode(data) == action


@given(st.text(max_size=80))
def test_decode_reads_any_text_without_raising_and_only_what_encode_makes(data):
    action = decode(data)
    assert action is None or encode(action) == data


def test_the_strategy_covers_every_action_type():
    assert set(EACH_TYPE) == set(ACTION_TYPES)


def test_the_wire_form_is_the_one_old_buttons_carry():
    """Buttons already sent stay valid: the tags and layout never change."""
    assert encode(Answer(12, 3)) == "s:12:3"
    assert encode(Answer(12, "skip")) == "s:12:skip"
    assert encode(Open("sips", "update")) == "f:sips:update"
    assert encode(Listing("reading", 2)) == "l:reading:2"
    assert encode(Rate("evidence", False)) == "fb:evidence:0"
    assert encode(Staff("close", "SA-AB12CD")) == "st:close:SA-AB12CD"


@pytest.mark.parametrize(
    "action",
    [Topic("x" * 70), Topic("Not An Id"), Topic("a:b"), Answer(-1, 0), Listing("reading", -2),
     Navigate("away"), Staff("show", "nonsense"), Open("sips", "")],
)  # fmt: skip
def test_what_cannot_be_carried_is_refused_when_the_button_is_made(action):
    with pytest.raises(ButtonDataError):
        encode(action)


@pytest.mark.parametrize(
    "data",
    ["", "zzz", "s:abc", "s:+1:0", "s:1", "s:1:2:3", "t:", "t:A", "fb::1", "fb:evidence:7",
     "n:", "n:nowhere", "x:y", "l:", "f:", "st:show:x", "st:delete:SA-AAAAAA", "t:" + "a" * 70],
)  # fmt: skip
def test_malformed_or_foreign_data_is_not_an_action(data):
    assert decode(data) is None


CALLBACK_LIKE = re.compile(r"^(n|s|f|t|d|c|p|r|g|l|fb|x|st):")


def _string_starts(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node, node.value
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node, first.value


def test_no_code_but_the_codec_writes_callback_data_by_hand():
    offenders = []
    for path in [*REPO.glob("dialogues/**/*.py"), *REPO.glob("bot/**/*.py")]:
        if path.name == "actions.py":
            continue
        for node, text in _string_starts(ast.parse(path.read_text(encoding="utf-8"))):
            if CALLBACK_LIKE.match(text):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: {text!r}")
    assert offenders == []
