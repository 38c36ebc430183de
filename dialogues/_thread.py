"""A follow-up thread: after the network team writes, the person's words go to them.

The thread is part of the person's state. It stays open until the team closes it, the person
taps "Back to the bot", or nothing is said in it for a quiet period; the person is told which.
A Telegram reply to a team message always reaches the team (reopening a closed thread within
the quiet period). Commands and buttons are the bot's as ever.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dialogues._content import label, uses
from dialogues._conversation import Conversation
from dialogues._navigation import to_menu
from dialogues._state import Thread
from dialogues._types import Option, SafetyInThread, ThreadEnded, ThreadMessage, ThreadRated
from dialogues.actions import LeaveThread, RateThread, option
from knowledge import MatchResult

THREAD_TEAM = uses("thread_team", "reference", "text")
THREAD_PASSED = uses("thread_passed", "reference")
THREAD_LEFT = uses("thread_left", "reference")
THREAD_QUIET = uses("thread_quiet", "reference", "hours")
THREAD_CLOSED = uses("thread_closed", "reference")
THREAD_THANKS = uses("thread_thanks")
THREAD_SAFETY_TOLD = uses("thread_safety_told", "reference")
BACK_TO_BOT = label("thread_back")
RATE_GOOD = label("thread_good")
RATE_BAD = label("thread_bad")


def _back_row(convo: Conversation, reference: str) -> tuple[Option, ...]:
    return (option(convo.label(BACK_TO_BOT), LeaveThread(reference)),)


def team_message(convo: Conversation, reference: str, text: str) -> None:
    """The team wrote to the person: show it, and open the thread for their answer."""
    convo.state.thread = Thread(reference=reference, last=convo.ctx.now.isoformat())
    convo.say(
        convo.text(THREAD_TEAM, reference=reference, text=text), [_back_row(convo, reference)]
    )


def team_closed(convo: Conversation, reference: str) -> None:
    """The team closed the follow-up: tell the person in one line and ask how it went."""
    thread = convo.state.thread
    if thread is not None and thread.reference == reference:
        convo.state.thread = thread.model_copy(update={"open": False, "last": _now(convo)})
    else:
        convo.state.thread = Thread(reference=reference, last=_now(convo), open=False)
    rate = (
        option(convo.label(RATE_GOOD), RateThread(reference, True)),
        option(convo.label(RATE_BAD), RateThread(reference, False)),
    )
    convo.say(convo.text(THREAD_CLOSED, reference=reference), [rate, convo.menu_row()])


def safety_in_thread(
    convo: Conversation, text: str, to_team: str | None, result: MatchResult
) -> None:
    """A safety message (already answered with its signposts) typed where the person's words
    go to the team: the team is told too, and the person is told that they were."""
    reference = _thread_for(convo, to_team)
    if reference is None or result.route_id not in convo.kb.routes:
        return
    convo.state.thread = Thread(reference=reference, last=_now(convo))
    convo.record(SafetyInThread(reference, convo.kb.routes[result.route_id].title, text))
    convo.say(convo.text(THREAD_SAFETY_TOLD, reference=reference), [_back_row(convo, reference)])


def _thread_for(convo: Conversation, to_team: str | None) -> str | None:
    """The thread that typed text would go to now (as typed_in_thread decides), if any."""
    thread = convo.state.thread
    quiet = timedelta(hours=convo.settings.thread_quiet_hours)
    recent = thread is not None and convo.ctx.now - datetime.fromisoformat(thread.last) <= quiet
    if to_team is not None:
        same = thread is not None and thread.reference == to_team
        return None if same and not thread.open and not recent else to_team
    if thread is None or not thread.open or not recent:
        return None
    return thread.reference


def typed_in_thread(convo: Conversation, text: str, to_team: str | None) -> bool:
    """Pass typed text to the team if the person is in a thread (or replied to the team's
    message); True when it went to the team. A thread gone quiet ends here, saying so."""
    thread = convo.state.thread
    quiet = timedelta(hours=convo.settings.thread_quiet_hours)
    recent = thread is not None and convo.ctx.now - datetime.fromisoformat(thread.last) <= quiet
    if to_team is not None:
        same = thread is not None and thread.reference == to_team
        if same and not thread.open and not recent:
            return False  # closed long ago: answered by the bot like anything else
        _pass_on(convo, to_team, text, reopen=not same or not thread.open)
        return True
    if thread is None or not thread.open:
        return False
    if not recent:
        convo.state.thread = None
        convo.record(ThreadEnded(thread.reference, "quiet"))
        hours = convo.settings.thread_quiet_hours
        convo.say(convo.text(THREAD_QUIET, reference=thread.reference, hours=hours))
        return False
    _pass_on(convo, thread.reference, text, reopen=False)
    return True


def thread_button(convo: Conversation, action: LeaveThread | RateThread) -> None:
    """Back to the bot, or how the follow-up went."""
    if isinstance(action, LeaveThread):
        thread = convo.state.thread
        if thread is not None and thread.reference == action.reference and thread.open:
            convo.state.thread = None
            convo.record(ThreadEnded(action.reference, "person"))
        to_menu(convo, convo.text(THREAD_LEFT, reference=action.reference))
        return
    convo.record(ThreadRated(action.reference, action.helpful))
    convo.say(convo.text(THREAD_THANKS), [convo.menu_row()])


def heard(convo: Conversation, action: LeaveThread | RateThread) -> str:
    """A thread button in words, for the transcript."""
    if isinstance(action, LeaveThread):
        return f"[{convo.label(BACK_TO_BOT)}]"
    return f"[{convo.label(RATE_GOOD if action.helpful else RATE_BAD)}]"


def _pass_on(convo: Conversation, reference: str, text: str, *, reopen: bool) -> None:
    convo.state.thread = Thread(reference=reference, last=_now(convo))
    if reference not in convo.state.wrote_to_team:
        convo.state.wrote_to_team.append(reference)
    convo.record(ThreadMessage(reference, text, reopen))
    convo.say(convo.text(THREAD_PASSED, reference=reference), [_back_row(convo, reference)])


def _now(convo: Conversation) -> str:
    return convo.ctx.now.isoformat()
