"""Talk to the network team: a follow-up reference for the user, a notice for staff."""

from __future__ import annotations

from dialogues._conversation import Conversation
from dialogues._markup import plain
from dialogues._registry import Journey
from dialogues._types import FollowUpRequested

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O or U


def team(convo: Conversation) -> None:
    """Make a follow-up reference, tell the user, and ask the service to notify staff."""
    answers = convo.state.answers
    convo.state.followups += 1
    reference = make_reference(convo.ctx.nonce, convo.state.followups)
    contact = answers.get("contact") or ""
    detail = (answers.get("detail") or "").strip()
    how = f"{contact}: {detail}" if detail else plain(convo.flow_text("contact_here"))
    convo.record(FollowUpRequested(reference, answers.get("note") or "", how))
    convo.say(convo.flow_text("done", reference=reference), [convo.menu_row()])


def make_reference(nonce: str, count: int) -> str:
    """A short follow-up reference people can read out: SA- and six Crockford characters."""
    value = int.from_bytes(nonce.encode(), "big") * 31 + count
    chars = []
    for _ in range(6):
        value, digit = divmod(value, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[digit])
    return "SA-" + "".join(chars)


JOURNEY = Journey(
    name="team",
    computes={"team": team},
    texts={"done": ("reference",), "contact_here": ()},
)
