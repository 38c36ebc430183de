"""What changed: every item counted exactly once, and when the last check was, as people say it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from dialogues.journeys._profiles import MOVES, compare, move

READINESS = {"green": 3, "amber": 2, "red": 1}  # higher is better
NASSS = {"simple": 1, "complicated": 2, "complex": 3}  # higher is worse


def expected(scale: dict[str, int], higher_is_better: bool, old: str | None, new: str) -> str:
    """The rule written out plainly, to check the code against."""
    had, has = old in scale, new in scale
    if not has:
        return "unsure" if had else "same"
    if not had:
        return "new"
    if scale[old] == scale[new]:
        return "same"
    return "better" if (scale[new] > scale[old]) == higher_is_better else "worse"


@pytest.mark.parametrize(
    ("flow_id", "scale", "up"), [("readiness", READINESS, True), ("nasss", NASSS, False)]
)
def test_every_transition_falls_in_exactly_the_right_one(engine, flow_id, scale, up):
    flow = engine.dialogues.flows[flow_id]
    levels = [*scale, "unknown"]
    for old, new in itertools.product([*levels, None], levels):
        assert move(flow, old, new) == expected(scale, up, old, new), (old, new)


@pytest.mark.parametrize("flow_id", ["readiness", "nasss"])
def test_the_counts_add_up_to_the_items_for_every_pair_of_profiles(engine, flow_id):
    flow = engine.dialogues.flows[flow_id]
    levels = [*dict.fromkeys(flow.levels.values())]
    items = [f"item-{n}" for n in range(len(levels) + 1)]
    # Every level against every level, on one item each, plus an item not asked last time.
    pairs = list(itertools.product(levels, levels))
    before = {f"p{n}": old for n, (old, _) in enumerate(pairs)}
    after = {f"p{n}": new for n, (_, new) in enumerate(pairs)} | {items[0]: levels[0]}
    moves = compare(flow, before, after)
    assert set(moves) == set(MOVES)
    counted = [item for name in MOVES for item in moves[name]]
    assert sorted(counted) == sorted(after)  # each exactly once


def test_a_second_readiness_counts_newly_answered_and_now_unsure(user):
    first = ["[Yes]", "[Not sure]", "[No]", "[Partly]", "[Yes]", "[Not sure]", "[No]"]
    second = ["[Not sure]", "[Yes]", "[No]", "[Yes]", "[No]", "[Not sure]", "[Partly]"]
    user("/readiness", "[Start]", *first)
    user.now += timedelta(days=2)
    user("/readiness", "[Start]", *second)
    text = user.text
    # yes→unsure, unsure→yes, no→no, partly→yes, yes→no, unsure→unsure, no→partly
    assert "2 better, 1 worse, 2 the same, 1 newly answered, 1 now not sure." in text
    assert "A difficult environment: Not sure → Ready" in text
    changed = text.split("now not sure.")[1]
    assert changed.count("•") == 5  # every item not the same is listed, once


def test_since_says_the_time_today_in_uk_time(user):
    user.now = datetime(2026, 7, 14, 13, 5, tzinfo=UTC)  # 14:05 in British Summer Time
    user("/nasss", "[Start]", *["[Simple]"] * 7)
    user.now += timedelta(minutes=40)
    user("/nasss", "[Start]", *["[Simple]"] * 6, "[Complex]")
    assert "Since 14:05 today" in user.text
    assert "1 more complex, 6 the same." in user.text


def test_since_says_the_day_and_the_year_only_when_it_is_another_year(user):
    user.now = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    user("/nasss", "[Start]", *["[Simple]"] * 7)
    user.now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    user("/nasss", "[Start]", *["[Simple]"] * 7)
    assert "Since 3 November\n" in user.text
    user.now = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    user("/nasss", "[Start]", *["[Simple]"] * 7)
    assert "Since 20 November 2026" in user.text
