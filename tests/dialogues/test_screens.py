"""Every message fits a phone: the measure itself, and every text the engine can send."""

from __future__ import annotations

import pytest

from dialogues.screen_check import WAITING, screen_problems
from dialogues.screens import LINE_WIDTH, SCREEN_LINES, fits, phone_lines
from dialogues.tour import LONG_ANSWER, WALK_LIMIT, tour


def test_a_line_of_38_characters_is_one_line_and_39_wraps():
    assert phone_lines("x" * LINE_WIDTH) == 1
    assert phone_lines("x" * (LINE_WIDTH + 1)) == 2


def test_words_wrap_whole_and_blank_lines_count():
    words = "word " * 20  # 100 characters: 7 five-letter words to a line
    assert phone_lines(words.strip()) == 3
    assert phone_lines("one\n\ntwo") == 3


def test_markup_and_entities_take_no_room():
    assert phone_lines("<b>" + "x" * LINE_WIDTH + "</b>") == 1
    assert phone_lines("&amp;" * LINE_WIDTH) == 1


def test_wide_characters_take_two_columns():
    assert phone_lines("🤝" * (LINE_WIDTH // 2)) == 1
    assert phone_lines("🤝" * (LINE_WIDTH // 2 + 1)) == 2


def test_a_word_longer_than_a_line_is_broken_across_lines():
    assert phone_lines("x" * (LINE_WIDTH * 2 + 1)) == 3
    assert phone_lines("a " + "x" * LINE_WIDTH) == 2


def test_fits_means_at_most_sixteen_lines():
    assert fits("\n".join(["line"] * SCREEN_LINES))
    assert not fits("\n".join(["line"] * (SCREEN_LINES + 1)))


@pytest.fixture(scope="module")
def walk(engine):
    """The tour's messages, and how many events it took to collect them."""
    events = []
    handle = engine.handle
    engine.handle = lambda *args: events.append(1) or handle(*args)
    try:
        return list(tour(engine)), len(events)
    finally:
        del engine.handle


@pytest.fixture(scope="module")
def seen(walk):
    return walk[0]


def test_the_tour_reaches_every_step_card_part_and_page(engine, seen):
    kb = engine.kb
    places = {(s.flow, s.step) for s in seen}
    for flow in engine.dialogues.flows.values():
        for step_id, step in flow.steps.items():
            if step.kind != "result":
                assert (flow.id, step_id) in places, f"{flow.id}.{step_id} never reached"
    texts = "\n".join(s.reply.text for s in seen)
    for topic in [*kb.factors.values(), *kb.frameworks.values()]:
        assert f"<b>{topic.short_title}: " in texts, topic.id  # its parts were opened
    for entry in kb.reading.values():
        assert entry.title.replace("&", "&amp;") in texts, entry.id
    for figure in kb.figures.values():
        assert figure.value in texts, figure.id
    assert any(s.reply.chart for s in seen) and any(s.reply.document for s in seen)


def test_the_tour_ends_by_itself_well_before_its_safety_limit(walk):
    _, events = walk
    # Two walks (a first visit, then with journeys done): each ends because nothing is left to
    # try, not because it hit the limit, so every place reachable was reached.
    assert 0 < events < WALK_LIMIT


def test_the_tour_types_long_answers_wherever_a_step_takes_text(engine, seen):
    typed_at = {(s.flow, s.step) for s in seen if s.heard == LONG_ANSWER}
    for flow in engine.dialogues.flows.values():
        for step_id, step in flow.steps.items():
            if step.kind == "ask" or (step.kind == "series" and step.input == "ask"):
                assert (flow.id, step_id) in typed_at, f"{flow.id}.{step_id}"


def test_every_message_the_engine_sends_fits_a_phone_screen(seen):
    too_long = [
        f"{s.flow}.{s.step} after {s.heard[:40]}: {phone_lines(s.reply.text)} lines"
        for s in seen
        if not fits(s.reply.text) and (s.flow, s.step) not in WAITING
    ]
    assert not too_long, "\n".join(too_long)


def test_each_place_still_waiting_for_its_journey_rework_is_still_too_long(seen):
    """Take a place off WAITING (dialogues/screen_check.py) as soon as its messages fit."""
    still = {(s.flow, s.step) for s in seen if not fits(s.reply.text)}
    assert still >= WAITING, f"now fits, so take it off WAITING: {sorted(WAITING - still)}"


def test_check_names_only_waiting_places(engine):
    problems, waiting = screen_problems(engine)
    assert problems == []
    assert {(p.entry, p.field.removeprefix("steps.").split(" ")[0]) for p in waiting} <= WAITING
