"""The dialogue engine: state + event in, state + replies + effects out. Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz

from dialogues import _cards, _thread, edges  # noqa: F401  (they declare shared texts)
from dialogues._asking import answer_question, brief_answer, nothing_found
from dialogues._content import Dialogues, label, uses
from dialogues._conversation import HELP, RESUME, SKIP, Conversation, EngineSettings
from dialogues._load import load_all
from dialogues._markup import CAPTION_LIMIT, MESSAGE_LIMIT, shorten, split_text
from dialogues._navigation import (
    KEEP,
    MORE,
    WELCOME_AT,
    accept,
    back,
    given_answer,
    go,
    is_waiting_for_answer,
    position_is_valid,
    resume,
    show,
    show_more,
    start_flow,
    step_of,
    to_menu,
)
from dialogues._routing import answer_routed
from dialogues._state import State, restore
from dialogues._typed import reads_as_question, takes_typed_answer
from dialogues._types import (
    Button,
    Command,
    Context,
    Effect,
    Event,
    Option,
    Reply,
    Text,
    Unsupported,
)
from dialogues._unkept import drop_typed_text
from dialogues.actions import (
    Action,
    Answer,
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
    Term,
    Topic,
    decode,
    option,
)
from knowledge import KnowledgeBase, Matcher, MatchResult, normalise

ANSWER_LIMIT = 1000  # characters kept of a typed answer (a SIPS answer, a note to the team)
LABEL_MATCH = 90  # how close typed text must be to a button's label to count as pressing it
PART_MATCH = 85  # how close to one part of a label ("piloting": "Piloting or testing")
PART_WORDS = 3  # typed text of at most this many words may name one part of a label
_LABEL_PARTS = re.compile(r",|\bor\b|\band\b|\(|\)")

RESET = uses("reset")
EXPIRED = uses("expired")
UNKNOWN_COMMAND = uses("unknown_command", "command")
HELP_TEXT = uses("help")
WELCOME_BACK = uses("welcome_back")
RESTARTED = uses("restarted")
EMPTY = uses("empty")
KEEP_TYPED = label("keep_typed")
TRUNCATED = uses("truncated", "limit")
NOT_EMAIL = uses("not_email")
NOT_PHONE = uses("not_phone")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
PHONE = re.compile(r"\+?[\d\s().-]+(?:\s*(?:ext|x)\.?\s*\d+)?", re.IGNORECASE)

# Before the consent choice, only these still work (they say what the bot is and does).
BEFORE_CONSENT = {"help", "privacy", "about", "forget"}


@dataclass(frozen=True)
class Turn:
    """What one event produced: the new state, the replies to send, what to record.

    `heard` is the event as a person would write it in a transcript: the label of the button
    pressed rather than its callback id.
    """

    state: State
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...]
    heard: str = ""

    @property
    def step(self) -> str:
        """Where the user now is, as "flow.step", for logs and staff queries."""
        return f"{self.state.at.flow}.{self.state.at.step}"


class Engine:
    """Runs the journeys in dialogues/flows over the knowledge; one instance serves every user."""

    def __init__(
        self,
        kb: KnowledgeBase,
        dialogues: Dialogues,
        matcher: Matcher | None = None,
        settings: EngineSettings | None = None,
    ):
        self.kb = kb
        self.dialogues = dialogues
        self.matcher = matcher or Matcher(kb)
        self.settings = settings or EngineSettings()

    @classmethod
    def load(cls, settings: EngineSettings | None = None) -> Engine:
        """An engine over the shipped YAML (raises ContentError listing every problem)."""
        kb, dialogues = load_all()
        return cls(kb, dialogues, Matcher(kb), settings)

    def commands(self) -> list[tuple[str, str]]:
        """(command, description) for the slash-command menu, in flow order."""
        found = [(f.command, f.command_help) for f in self.dialogues.flows.values() if f.command]
        builtin = list(self.dialogues.messages.commands.items())
        return [(c, h) for c, h in found if c and h] + builtin

    def handle(self, state: dict[str, Any] | State | None, event: Event, ctx: Context) -> Turn:
        """Apply one event to a user's state; return the new state, replies and effects."""
        if isinstance(state, State):
            state, was_reset = state.model_copy(deep=True), False
        else:
            state, was_reset = restore(state)
        convo = Conversation(state, self.kb, self.dialogues, self.matcher, ctx, self.settings)
        heard = _heard(convo, event)
        if was_reset or not position_is_valid(convo):
            _reset(convo)
            if isinstance(event, Button):
                return _finish(convo, heard)
        _dispatch(convo, event)
        return _finish(convo, heard)

    def team_message(
        self, state: dict[str, Any] | None, reference: str, text: str, ctx: Context
    ) -> Turn:
        """The network team wrote to the person: the message for them, and the thread opened."""
        convo = self._conversation(state, ctx)
        _thread.team_message(convo, reference, text)
        return _finish(convo, "")

    def team_closed(self, state: dict[str, Any] | None, reference: str, ctx: Context) -> Turn:
        """The team closed the person's follow-up: the one line telling them, with 👍/👎."""
        convo = self._conversation(state, ctx)
        _thread.team_closed(convo, reference)
        return _finish(convo, "")

    def _conversation(self, state: dict[str, Any] | None, ctx: Context) -> Conversation:
        restored, _ = restore(state)
        return Conversation(restored, self.kb, self.dialogues, self.matcher, ctx, self.settings)


def _reset(convo: Conversation) -> None:
    """An old or unreadable state: apologise and start from the menu (or the welcome)."""
    state = convo.state
    state.back, state.answers = [], {}
    if state.consent is None:
        state.at = WELCOME_AT
        return
    to_menu(convo, convo.text(RESET))


def _finish(convo: Conversation, heard: str) -> Turn:
    if convo.state.consent is not True:
        drop_typed_text(convo.state, convo.dialogues)
    replies: list[Reply] = []
    for reply in convo.replies:
        replies += _fit(reply)
    if buttons := next((r.options for r in reversed(replies) if r.options), None):
        convo.state.shown = [(o.label, o.data) for row in buttons for o in row]
    return Turn(convo.state, tuple(replies), tuple(convo.effects), heard)


def _heard(convo: Conversation, event: Event) -> str:
    """The event in words for the transcript; a button by its label where that is known."""
    if isinstance(event, Text):
        return event.text
    if isinstance(event, Command):
        return f"/{event.name} {event.args}".strip()
    if isinstance(event, Unsupported):
        return f"[{event.what}]"
    action = decode(event.data)
    step = step_of(convo) if position_is_valid(convo) else None
    match action:
        case Answer(seq, choice) if step and seq == convo.state.seq:
            if choice in ("skip", "more", "keep"):
                return f"[{convo.label({'skip': SKIP, 'more': MORE, 'keep': KEEP}[choice])}]"
            if choice < len(step.options):
                return f"[{step.options[choice].label}]"
        case Navigate(to):
            return f"[{convo.label(to)}]"
        case Keep(_):
            return f"[{convo.label(KEEP_TYPED)}]"
        case Topic(id) | Detail(id) | Parts(id) | CardPart(id) if (
            topic := convo.kb.topic(id)
        ) is not None:
            return f"[{topic.short_title}]"
        case ReadingEntry(id) if id in convo.kb.reading:
            return f"[{shorten(convo.kb.reading[id].title, 60)}]"
        case Rate(id, helpful) if (topic := convo.kb.topic(id)) is not None:
            return f"{'👍' if helpful else '👎'} on {topic.short_title}"
        case LeaveThread() | RateThread():
            return _thread.heard(convo, action)
        case Open(flow) if flow in convo.dialogues.flows:
            return f"[{convo.dialogues.flows[flow].title}]"
        case RecordPage(flow, page) if flow in convo.dialogues.flows:
            return f"[{convo.dialogues.flows[flow].title}, page {page}]"
    return f"[button {event.data[:64]}]"


def _fit(reply: Reply) -> list[Reply]:
    """Keep within Telegram's limits: long texts split, media captions short."""
    reply = replace(reply, text=re.sub(r"\n{3,}", "\n\n", reply.text).strip())
    if reply.chart and len(reply.chart.caption) > CAPTION_LIMIT:
        caption = shorten(reply.chart.caption, CAPTION_LIMIT)
        reply = replace(reply, chart=replace(reply.chart, caption=caption))
    if (reply.chart or reply.document) and len(reply.text) > CAPTION_LIMIT:
        # A caption cannot hold it: send the picture or file bare, the words after it.
        media = replace(reply, text="", options=())
        return [media, *_fit(replace(reply, chart=None, document=None))]
    parts = split_text(reply.text, MESSAGE_LIMIT)
    if len(parts) == 1:
        return [reply]
    head = [Reply(part) for part in parts[:-1]]
    return [*head, replace(reply, text=parts[-1])]


def _dispatch(convo: Conversation, event: Event) -> None:
    offered = convo.state.typed
    if isinstance(event, Text) and event.text.strip():
        result = convo.matcher.match(event.text)
        if result.route == "safety":  # before anything else, consent included; never kept
            answer_routed(convo, result, _offer_to_keep(convo, event.text))
            _thread.safety_in_thread(convo, event.text, event.to_team, result)
            return
    _dispatch_event(convo, event)
    if convo.state.typed is offered:  # an offer to keep typed text lasts one turn only
        convo.state.typed = None


def _offer_to_keep(convo: Conversation, text: str) -> Option | None:
    """At a free-text step (a SIPS answer, the note to the team), the signposts come first and
    the words are not taken as the answer; a button takes them after all, so none are lost."""
    if convo.state.consent is None or not position_is_valid(convo):
        return None
    step = step_of(convo)
    if not takes_typed_answer(step) or step.expect or not text.strip():  # not an email/phone
        return None
    convo.state.typed = text[:ANSWER_LIMIT].strip()
    return option(convo.label(KEEP_TYPED), Keep(convo.state.seq))


def _dispatch_event(convo: Conversation, event: Event) -> None:
    state = convo.state
    if state.consent is None and not _allowed_before_consent(convo, event):
        # Kept until they have chosen, then done: the last question or journey they asked for.
        if isinstance(event, Text) and event.text.strip():
            state.pending, state.pending_command = event.text[:ANSWER_LIMIT], None
        elif isinstance(event, Command) and convo.dialogues.flow_for_command(event.name.lower()):
            state.pending, state.pending_command = None, event.name.lower()
        go(convo, WELCOME_AT.flow, WELCOME_AT.step)
        return
    _handle(convo, event)
    if state.consent is not None and state.pending_command:
        command, state.pending_command = state.pending_command, None
        _command(convo, Command(command))


def _handle(convo: Conversation, event: Event) -> None:
    if isinstance(event, Command):
        _command(convo, event)
    elif isinstance(event, Button):
        _button(convo, event.data)
    elif isinstance(event, Text):
        # Safety routes (danger, abuse, crisis, complaints) go before this, at every step.
        if not _thread.typed_in_thread(convo, event.text, event.to_team):
            _text(convo, event.text)
    elif isinstance(event, Unsupported):
        messages = convo.dialogues.messages.unsupported
        convo.say(messages.get(event.what, messages["other"]), [convo.menu_row()])
        _resume(convo)


def _allowed_before_consent(convo: Conversation, event: Event) -> bool:
    """Until the user has chosen, only the welcome's own buttons and a few commands work."""
    if isinstance(event, Command):
        return event.name.lower() in BEFORE_CONSENT
    if not _open_before_consent(convo, convo.state.at.flow):
        return False
    if isinstance(event, Button):
        action = decode(event.data)
        if isinstance(action, Open):  # e.g. "Erase everything" on the privacy page
            return _open_before_consent(convo, action.flow)
        return isinstance(action, Answer) or action == Navigate("back")
    if isinstance(event, Text):
        step = step_of(convo)
        return step is not None and _option_named(step.options, event.text) is not None
    return False


def _open_before_consent(convo: Conversation, flow_id: str) -> bool:
    """The welcome, and the flows of the commands that work before the choice (/forget…)."""
    flow = convo.dialogues.flows.get(flow_id)
    return flow_id == WELCOME_AT.flow or (flow is not None and flow.command in BEFORE_CONSENT)


def _command(convo: Conversation, command: Command) -> None:
    name = command.name.lower()
    if name == "start":
        if convo.state.consent is None:
            go(convo, WELCOME_AT.flow, WELCOME_AT.step)
        else:
            to_menu(convo, convo.text(WELCOME_BACK))
    elif name in ("menu", "cancel"):
        to_menu(convo)
    elif name == "back":
        back(convo)
    elif name == "help":
        convo.say(convo.text(HELP_TEXT), [convo.menu_row()])
    elif name == "restart":
        to_menu(convo, convo.text(RESTARTED))
    elif flow := convo.dialogues.flow_for_command(name):
        start_flow(convo, flow.id)
    else:
        help_button = (option(convo.label(HELP), Navigate("help")), *convo.menu_row())
        convo.say(convo.text(UNKNOWN_COMMAND, command=shorten(name, 40)), [help_button])


def _button(convo: Conversation, data: str) -> None:
    action = decode(data)
    if action is None or not _act(convo, action):
        _expired(convo)


def _act(convo: Conversation, action: Action) -> bool:
    """Do what a button says; False when it no longer applies (an old or forged button)."""
    match action:
        case Navigate("back"):
            back(convo)
        case Navigate("menu"):
            to_menu(convo)
        case Navigate("help"):
            convo.say(convo.text(HELP_TEXT), [convo.menu_row()])
        case Navigate("here"):  # back to the question the user was on before an aside
            if not is_waiting_for_answer(convo):
                return False
            show(convo, convo.text(RESUME, where=convo.flow().title))
        case Keep(seq):
            return _keep_typed(convo, seq)
        case Answer(seq, choice):
            return _step_button(convo, seq, choice)
        case Resume(flow_id, carry_on):
            return resume(convo, flow_id, carry_on)
        case Open(flow_id, step_id):
            flow = convo.dialogues.flows.get(flow_id)
            if not flow or (step_id and not (step_id in flow.steps and flow.steps[step_id].entry)):
                return False
            start_flow(convo, flow_id, step_id)
        case Topic(id):
            return _cards.topic_card(convo, id)
        case Detail(id):  # sent before cards had parts: the review's longer explanation
            return _cards.card_part(convo, id, "found")
        case CardPart(topic, part, page):
            return _cards.card_part(convo, topic, part, page or 1)
        case Parts(id, part):
            return _cards.parts(convo, id, part)
        case ReadingEntry(id):
            return _cards.reading_entry(convo, id)
        case Term(id, topic):
            return _cards.glossary_term(convo, id, topic)
        case Listing(name, page):
            return _cards.show_list(convo, name, page or 1)
        case RecordPage(flow_id, page):
            pager = convo.dialogues.journeys.pager(flow_id)
            return pager is not None and pager(convo, page)
        case Rate(topic, helpful):
            if not convo.kb.topic(topic):
                return False
            _cards.feedback(convo, topic, helpful)
        case NoneOfThese():
            nothing_found(convo)
        case LeaveThread() | RateThread():
            _thread.thread_button(convo, action)
        case _:
            return False  # a staff button in a private chat
    return True


def _keep_typed(convo: Conversation, seq: int) -> bool:
    """'Keep that as my answer': the text typed at a free-text step, taken as the answer."""
    typed = convo.state.typed
    if seq != convo.state.seq or not typed or not takes_typed_answer(step_of(convo)):
        return False
    accept(convo, None, typed)
    return True


def _step_button(convo: Conversation, seq: int, choice: int | str) -> bool:
    step = step_of(convo)
    if step is None or seq != convo.state.seq:
        return False
    if choice == "more":
        return show_more(convo)
    if choice in ("skip", "keep"):
        free_text = step.kind == "ask" or (step.kind == "series" and step.input == "ask")
        allowed = step.skip if choice == "skip" else bool(given_answer(convo, step))
        if not (free_text and allowed):
            return False
        accept(convo, choice)
        return True
    if choice >= len(step.options):
        return False
    accept(convo, choice)
    return True


def _expired(convo: Conversation) -> None:
    """A button from an old message, or one that was never ours: say so, show where they are."""
    show(convo, convo.text(EXPIRED))


def _text(convo: Conversation, text: str) -> None:
    step = step_of(convo)
    if not text.strip():
        convo.say(convo.text(EMPTY), [convo.menu_row()])
        return
    assert step is not None
    if takes_typed_answer(step):
        if step.expect and not _looks_like(step.expect, text):
            show(convo, convo.text(NOT_EMAIL if step.expect == "email" else NOT_PHONE))
            return
        result = convo.matcher.match(text)
        if step.answers_questions and _asks_a_question(text, result):
            _answer_then_ask_again(convo, text, result)
            return
        if len(text) > ANSWER_LIMIT:
            convo.say(convo.text(TRUNCATED, limit=f"{ANSWER_LIMIT:,}"))
        accept(convo, None, text[:ANSWER_LIMIT].strip())
        return
    shown = [Option(label, data) for label, data in convo.state.shown]
    chosen = _option_named(shown or step.options, text, convo.kb.matching.answer_words)
    if chosen is not None and shown:
        _button(convo, shown[chosen].data)  # e.g. "2" on a card: its second button
        return
    if chosen is not None:
        accept(convo, chosen)
        return
    answer_question(convo, text, convo.matcher.match(text))
    _resume(convo)


def _looks_like(kind: str, text: str) -> bool:
    """Whether typed contact details could be an email address or a phone number."""
    text = text.strip()
    if kind == "email":
        return EMAIL.fullmatch(text) is not None
    digits = re.sub(r"\D", "", text)
    return PHONE.fullmatch(text) is not None and 7 <= len(digits) <= 15


def _asks_a_question(text: str, result: MatchResult) -> bool:
    """Whether text typed at a free-text step is a question the bot can answer, not an answer.

    Only a message that reads as a question (a question mark, or a question word first) and
    that the matcher places (a word, the bot, a clear topic found by its rules, not only by
    being like an example) counts; anything else is the answer, as typed.
    """
    if len(text) > 200 or not reads_as_question(text):
        return False
    if result.route in ("glossary", "about"):
        return True
    return result.route == "topic" and not result.ambiguous and result.matches[0].by_rules


def _answer_then_ask_again(convo: Conversation, text: str, result: MatchResult) -> None:
    """A question at a free-text step: answer it briefly, ask the step again, offer to keep it."""
    if not answer_routed(convo, result):
        brief_answer(convo, result)
    convo.state.typed = text[:ANSWER_LIMIT].strip()
    keep = (option(convo.label(KEEP_TYPED), Keep(convo.state.seq)),)
    show(convo, convo.text(RESUME, where=convo.flow().title), extra=keep)


def _option_named(options, text: str, answer_words=None) -> int | None:
    """The option the user typed: its number, its label, a near spelling, or one part of it.

    "2" is the second option; "adult socal care" is "Adult social care"; "piloting" is
    "Piloting or testing"; "dont know" is "Not sure" (matching.yaml answer_words).
    """
    typed = normalise(text)
    if not typed or len(typed) > 60:
        return None
    if typed.isdecimal():  # "➂" is a digit to isdigit() but not to int()
        number = int(typed)
        return number - 1 if 1 <= number <= len(options) else None
    for canonical, others in (answer_words or {}).items():
        if typed in {normalise(o) for o in others}:
            typed = normalise(canonical)
    names = [normalise(re.sub(r"[^\w\s'’-]", "", option.label)) for option in options]
    scores = [fuzz.ratio(typed, name) if name else 0 for name in names]
    best = max(range(len(options)), key=lambda n: scores[n], default=None)
    if best is not None and scores[best] >= LABEL_MATCH:
        return best
    if len(typed.split()) > PART_WORDS:
        return None
    fits = set()
    for n, name in enumerate(names):
        parts = [p.strip() for p in _LABEL_PARTS.split(name) if p.strip()]
        if any(fuzz.ratio(typed, part) >= PART_MATCH for part in parts):
            fits.add(n)
    return fits.pop() if len(fits) == 1 else None


def _resume(convo: Conversation) -> None:
    """After an aside in the middle of a journey, show the question the user was on again."""
    if is_waiting_for_answer(convo):
        where = convo.flow().title
        show(convo, convo.text(RESUME, where=where))


__all__ = ["Engine", "EngineSettings", "Turn"]
