"""Moving between steps and showing them: the part of the engine that knows the flow graph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dialogues._cards import show_list
from dialogues._content import StepSpec, label, uses
from dialogues._conversation import SKIP, Conversation, rows_of, started
from dialogues._markup import Markup, fill, plain, shorten
from dialogues._registry import Jump
from dialogues._state import BACK_LIMIT, Draft, Position, Result
from dialogues._types import Option
from dialogues.actions import Action, Answer, Listing, Open, Resume, option
from knowledge import KnowledgeBase

MENU_AT = Position(flow="menu", step="menu")
MORE = label("what_these_mean")
WELCOME_AT = Position(flow="welcome", step="consent")

EARLIER_SHOWN = 200  # characters of an earlier typed answer quoted back to them
PREVIOUS_SHOWN = 160  # ... of last time's answer, shown beside a question asked again
MENU_AGAIN = uses("menu_again")
PREVIOUS_ANSWER = uses("previous_answer", "answer")
EARLIER_ANSWER = uses("earlier_answer", "answer")
DRAFT_OFFER = uses("draft_offer", "title", "when", "done", "total")
CARRY_ON = label("carry_on")
CARRY_ON_DRAFT = label("carry_on_draft")  # on the menu, for a journey left half done
START_AGAIN = label("start_again")
KEEP = label("keep_answer")


@dataclass(frozen=True)
class Item:
    """One question of a series step: its id and the values its text can use."""

    id: str
    values: dict[str, object]


def series_items(
    kb: KnowledgeBase, convo: Conversation, step: StepSpec, flow_id: str | None = None
) -> list[Item]:
    """The questions a series step (of the current flow, or of `flow_id`) asks."""
    flow = convo.flow(flow_id)
    if step.items == "key-factors":
        return [
            Item(g.factors[0], {"title": g.title, "question": Markup(flow.questions[g.factors[0]])})
            for g in kb.key_factors
        ]
    if step.items == "nasss-domains":
        return [
            Item(
                d.id,
                {
                    "title": d.title,
                    "question": d.question,
                    "simple": d.anchors.simple,
                    "complicated": d.anchors.complicated,
                    "complex": d.anchors.complex,
                    # Said under anchors in the bot's own words, not the published rubric's.
                    "note": Markup(flow.texts["anchors_ours"]) if d.anchors.ours else "",
                },
            )
            for d in kb.frameworks["nasss"].domains
        ]
    items = []
    for section in kb.frameworks["sips"].sections:
        for n, question in enumerate(section.questions, start=1):
            items.append(Item(f"{section.id}-{n}", {"title": section.title, "question": question}))
    return items


def step_of(convo: Conversation) -> StepSpec | None:
    """The step the user is on, or None when the position no longer exists."""
    flow = convo.dialogues.flows.get(convo.state.at.flow)
    return flow.steps.get(convo.state.at.step) if flow else None


def position_is_valid(convo: Conversation) -> bool:
    """Whether the saved position still names a step (flows can change between versions)."""
    step = step_of(convo)
    if step is None:
        return False
    if step.kind == "series":
        return 0 <= convo.state.at.index < len(series_items(convo.kb, convo, step))
    return True


def is_waiting_for_answer(convo: Conversation) -> bool:
    """Whether the current step is a question in a journey (so an aside should resume it)."""
    return convo.waiting_for_answer()


def go(convo: Conversation, flow_id: str, step_id: str, index: int = 0) -> None:
    """Move to a step, remembering where we were for Back, and show it."""
    state = convo.state
    new = Position(flow=flow_id, step=step_id, index=index)
    if state.at != new:
        state.back.append(state.at)
        del state.back[:-BACK_LIMIT]
    state.at = new
    state.seq += 1
    _save_draft(convo)
    show(convo)


def go_to(convo: Conversation, jump: Jump) -> None:
    """Go where a journey's code says (a jump `check` has verified), keeping the answers."""
    go(convo, jump.flow, jump.step or convo.flow(jump.flow).start)


def start_flow(convo: Conversation, flow_id: str, step_id: str | None = None) -> None:
    """Begin a journey afresh, or offer to carry on where they left off if it is half done."""
    convo.state.answers = {}
    if step_id is None and _draft(convo, flow_id) is not None:
        _offer_draft(convo, flow_id)
        return
    go(convo, flow_id, step_id or convo.flow(flow_id).start)


def resume(convo: Conversation, flow_id: str, carry_on: bool) -> bool:
    """Carry on a half-done journey where they left it, or drop it and start again."""
    draft = _draft(convo, flow_id)
    if draft is None:
        return False
    if not carry_on:
        del convo.state.drafts[flow_id]
        start_flow(convo, flow_id)
        return True
    convo.state.answers = draft.answers
    go(convo, draft.at.flow, draft.at.step, draft.at.index)
    # Back leads through the questions they had answered, as if they had never left.
    convo.state.back += draft.back
    del convo.state.back[:-BACK_LIMIT]
    return True


def _draft(convo: Conversation, flow_id: str) -> Draft | None:
    """The flow's half-done answers, if it keeps them and they still fit its steps."""
    draft = convo.state.drafts.get(flow_id)
    flow = convo.dialogues.flows.get(flow_id)
    if draft is None or flow is None or not flow.saves_progress:
        return None
    step = flow.steps.get(draft.at.step)
    if step is None or (step.kind == "series" and draft.at.index >= _count(convo, step, flow_id)):
        del convo.state.drafts[flow_id]  # the flow changed since: nothing sensible to resume
        return None
    return draft


def _count(convo: Conversation, step: StepSpec, flow_id: str) -> int:
    return len(series_items(convo.kb, convo, step, flow_id))


def _save_draft(convo: Conversation) -> None:
    """Keep the answers so far of a journey that saves progress, with where they now are."""
    state = convo.state
    flow = convo.dialogues.flows.get(state.at.flow)
    step = flow.steps.get(state.at.step) if flow else None
    if not (flow and flow.saves_progress and step and step.kind in ("choose", "ask", "series")):
        return
    if not any(_answered(value) for value in state.answers.values()):
        return
    earlier = state.drafts.get(flow.id)
    started = earlier.started if earlier else convo.ctx.now.isoformat(timespec="minutes")
    answers = {k: dict(v) if isinstance(v, dict) else v for k, v in state.answers.items()}
    trail: list[Position] = []
    for earlier_at in reversed(state.back):  # the steps of this journey they came through
        if earlier_at.flow != flow.id:
            break
        trail.insert(0, earlier_at)
    state.drafts[flow.id] = Draft(at=state.at, answers=answers, started=started, back=trail)


def _answered(value: object) -> int:
    """How many answers a value holds (a series keeps a dict of them; Skip keeps nothing)."""
    if isinstance(value, dict):
        return sum(_answered(v) for v in value.values())
    return int(bool(value) and value != "skip")


def draft_progress(convo: Conversation, flow_id: str) -> tuple[int, int]:
    """(answered, asked in all) of a half-done journey's questions."""
    draft = convo.state.drafts[flow_id]
    flow = convo.flow(flow_id)
    series = [s for s in flow.steps.values() if s.kind == "series" and s.key in draft.answers]
    if series:
        step = series[0]
        return _answered(draft.answers[step.key]), _count(convo, step, flow_id)
    asked = [s for s in flow.steps.values() if s.kind in ("choose", "ask")]
    return _answered(draft.answers), len(asked)


def _offer_draft(convo: Conversation, flow_id: str) -> None:
    flow = convo.flow(flow_id)
    draft = convo.state.drafts[flow_id]
    done, total = draft_progress(convo, flow_id)
    begun = Result(date=draft.started[:10], answers={}, result={}, at=draft.started)
    text = convo.text(
        DRAFT_OFFER, title=flow.title, when=started(convo, begun), done=done, total=total
    )
    options = [
        option(convo.label(CARRY_ON), Resume(flow_id, True)),
        option(convo.label(START_AGAIN), Resume(flow_id, False)),
    ]
    convo.say(text, [*rows_of(options, 1), convo.menu_row()])


def to_menu(convo: Conversation, intro: Markup | None = None) -> None:
    """Show the main menu (the welcome, until they have chosen); Back from it goes nowhere."""
    state = convo.state
    state.at = MENU_AT if state.consent is not None else WELCOME_AT
    state.back = []
    state.answers = {}
    state.seq += 1
    show(convo, intro, _carry_on_buttons(convo) if state.consent is not None else ())


def _carry_on_buttons(convo: Conversation) -> list[Option]:
    """A button for each journey left half done, so coming back by /start or /menu finds it."""
    return [
        option(plain(fill(convo.label(CARRY_ON_DRAFT), title=flow.title)), Resume(flow_id, True))
        for flow_id in sorted(convo.state.drafts)
        if (flow := convo.dialogues.flows.get(flow_id)) and _draft(convo, flow_id)
    ]


def finish(convo: Conversation) -> None:
    """End a journey quietly: the user is at the menu, its result is the last thing shown."""
    convo.state.at = MENU_AT if convo.state.consent is not None else WELCOME_AT
    convo.state.back = []
    convo.state.answers = {}
    convo.state.seq += 1


def back(convo: Conversation) -> None:
    """Return to the previous step, or to the menu."""
    state = convo.state
    while state.back:
        previous = state.back.pop()
        flow = convo.dialogues.flows.get(previous.flow)
        if flow and previous.step in flow.steps and flow.steps[previous.step].kind != "result":
            state.at = previous
            state.seq += 1
            show(convo)
            return
    to_menu(convo)


def show(convo: Conversation, intro: Markup | None = None, extra: Sequence[Option] = ()) -> None:
    """Render the current step (run it, for a result step); `extra` buttons go above Back."""
    step = step_of(convo)
    assert step is not None, "position checked by the engine"
    if step.kind == "result":
        at = convo.state.at
        convo.dialogues.journeys.compute(step.compute)(convo)
        if convo.state.at == at:  # the journey is over: rest at the menu, results on screen
            finish(convo)
        return
    text, options = _prompt(convo, step)
    if intro:
        text = Markup(f"{intro}\n\n{text}")
    rows = rows_of(options, step.columns)
    if extra:
        rows.append(tuple(extra))
    # The menu is where Menu leads, so it offers neither Menu nor Back; the welcome has none.
    if convo.flow().navigation and convo.state.at != MENU_AT:
        rows.append(convo.nav_row())
    convo.say(text, rows)


def show_more(convo: Conversation) -> bool:
    """What a step's choices mean (the NASSS anchors), with the same choices to answer from."""
    step = step_of(convo)
    if step is None or not step.more:
        return False
    text, options = _prompt(convo, step, step.more)
    options = options[: len(step.options)]  # the choices themselves; not this button again
    convo.say(text, [*rows_of(options, step.columns), convo.nav_row()])
    return True


def _prompt(
    convo: Conversation, step: StepSpec, template: str | None = None
) -> tuple[Markup, list[Option]]:
    seq = convo.state.seq
    values: dict[str, object] = {"retention_days": convo.settings.retention_days}
    if step.kind == "series":
        items = series_items(convo.kb, convo, step)
        item = items[convo.state.at.index]
        values |= item.values | {"number": convo.state.at.index + 1, "total": len(items)}
        values["previous"] = _previous_answer(convo, item.id)
    elif step.kind == "ask":
        values["previous"] = _previous_answer(convo, step.key or "")
    text = fill(template or step.text or "", **values)
    options = [option(o.label, _option_action(o, seq, n)) for n, o in enumerate(step.options)]
    free_text = step.kind == "ask" or (step.kind == "series" and step.input == "ask")
    earlier = given_answer(convo, step) if free_text else ""
    if earlier:
        shown = shorten(earlier, EARLIER_SHOWN)  # all of it is kept if they tap Keep
        text = Markup(text + convo.text(EARLIER_ANSWER, answer=shown))
        options.insert(0, option(convo.label(KEEP), Answer(seq, "keep")))
    if free_text and step.skip and not earlier:  # Skip would wipe what they wrote, unasked
        options.append(option(convo.label(SKIP), Answer(seq, "skip")))
    if step.more:
        options.append(option(convo.label(MORE), Answer(seq, "more")))
    return text, options


def given_answer(convo: Conversation, step: StepSpec) -> str:
    """What they typed at this step before (they came Back to it, or carried on), if anything."""
    answers = convo.state.answers
    if step.kind == "series":
        item = series_items(convo.kb, convo, step)[convo.state.at.index]
        value = (answers.get(step.key) or {}).get(item.id)
    else:
        value = answers.get(step.key or "")
    return value if isinstance(value, str) and value != "skip" else ""


def _option_action(spec, seq: int, n: int) -> Action:
    if spec.flow and not spec.value:
        return Open(spec.flow)
    if spec.show:
        return Listing(spec.show)
    return Answer(seq, n)


def _previous_answer(convo: Conversation, item_id: str) -> Markup:
    """The answer given last time (SIPS revisits show it beside each question)."""
    records = convo.state.results.get(convo.state.at.flow) or []
    if not records:
        return Markup("")
    last = records[-1]
    # An update keeps only what changed as its answers; the whole record is in its result.
    answer = (last.result.get("record") or last.answers).get(item_id)
    if not answer:
        return Markup("")
    shown = shorten(answer, PREVIOUS_SHOWN)
    return fill(convo.dialogues.text(PREVIOUS_ANSWER), answer=shown)


def accept(convo: Conversation, choice: int | str | None, text: str | None = None) -> None:
    """Take the answer to the current step (an option index, 'skip', or typed text) and move on."""
    state = convo.state
    flow = convo.flow()
    step = step_of(convo)
    assert step is not None
    option = step.options[choice] if isinstance(choice, int) else None
    if option and option.show:
        show_list(convo, option.show)
        return
    answer = option.value if option else text
    if choice == "keep":
        answer = given_answer(convo, step)
    if step.kind == "series":
        items = series_items(convo.kb, convo, step)
        state.answers.setdefault(step.key, {})[items[state.at.index].id] = answer
        if state.at.index + 1 < len(items):
            go(convo, flow.id, state.at.step, state.at.index + 1)
            return
    elif step.key:
        state.answers[step.key] = answer
    if option and option.flow:
        start_flow(convo, option.flow)
    elif option and option.next:
        go(convo, flow.id, option.next)
    elif step.next:
        go(convo, flow.id, step.next)
    else:
        to_menu(convo, convo.text(MENU_AGAIN))
