"""Property tests: whatever a user does, the engine answers within Telegram's limits."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogues import CAPTION_LIMIT, MESSAGE_LIMIT, Button, Command, Context, Text, Unsupported
from dialogues._markup import check_html
from dialogues.actions import decode
from tests.conftest import NOW

COMMANDS = [
    "start", "menu", "back", "help", "restart", "cancel", "ask", "triage", "readiness", "nasss",
    "sips", "plan", "browse", "team", "about", "privacy", "forget", "Start", "x", "",
]  # fmt: skip
FORGED = ["s:0:0", "s:1:99", "t:", "fb::1", "l:reading:999", "f:sips:begin", "g:", "x:y", "n:"]

# An action is (kind, payload): which button to press, or an event to send.
actions = st.one_of(
    st.tuples(st.just("press"), st.integers(0, 40)),
    st.tuples(st.just("press"), st.integers(0, 40)),
    st.tuples(st.just("press"), st.integers(0, 40)),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("text"), st.text(max_size=300)),
    st.tuples(st.just("text"), st.sampled_from(["yes", "No", "staff turnover", "hi", "thanks"])),
    st.tuples(st.just("forged"), st.sampled_from(FORGED)),
    st.tuples(st.just("unsupported"), st.sampled_from(["sticker", "photo", "voice", "other"])),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(actions, min_size=1, max_size=80))
def test_any_sequence_of_events_is_answered_within_limits(engine, sequence):
    state = None
    buttons: list[str] = []
    for step, (kind, payload) in enumerate(sequence):
        if kind == "press" and buttons:
            event = Button(buttons[payload % len(buttons)])
        elif kind == "command":
            event = Command(payload)
        elif kind == "forged":
            event = Button(payload)
        elif kind == "unsupported":
            event = Unsupported(payload)
        else:
            event = Text(str(payload))
        turn = engine.handle(state, event, Context(NOW + timedelta(days=step), f"SA-{step:06d}"))
        state = json.loads(json.dumps(turn.state.to_json()))
        assert turn.replies, f"no reply to {event!r}"
        new_buttons = []
        for reply in turn.replies:
            assert len(reply.text) <= MESSAGE_LIMIT
            assert reply.text or reply.chart or reply.document
            if reply.chart or reply.document:
                assert len(reply.text) <= CAPTION_LIMIT
            assert not check_html(reply.text), reply.text
            for row in reply.options:
                for option in row:
                    assert len(option.data.encode()) <= 64
                    assert decode(option.data) is not None, option  # made by the codec
                    assert option.label
                    new_buttons.append(option.data)
            if reply.chart:
                assert len(reply.chart.caption) <= 1024
        buttons = new_buttons or buttons


def test_long_answers_are_split_under_the_limit(user):
    """A SIPS record full of long answers still fits in Telegram messages."""
    user("/sips", "[Start]")
    total = int(user.text.split("1 of ")[1].split(" ")[0])
    for n in range(total):
        user(f"answer {n} " + "lorem ipsum dolor sit amet " * 60)
    assert len(user.replies) > 1
    for reply in user.replies:
        assert len(reply.text) <= MESSAGE_LIMIT
        assert not check_html(reply.text)
    assert user.replies[-1].options  # the buttons stay on the last part
