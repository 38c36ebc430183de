"""The terminal chat: read a line, hand it to the advisor, print the replies (same engine).

Options are numbered; type the number or the label. Charts and documents are saved to a folder
and their paths printed. Works with piped input and ends at end of input.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from bot.service import Advisor, Sender
from dialogues import Button, Command, Event, Option, Reply, Text, fill, plain
from dialogues import edges as texts
from knowledge import normalise
from storage import PRIVATE_DIR_MODE, open_private

logger = logging.getLogger(__name__)

TERMINAL = "terminal"


class Console:
    """One terminal user talking to the advisor."""

    def __init__(
        self,
        advisor: Advisor,
        files_dir: Path,
        out: TextIO = sys.stdout,
        user: int = 0,
        render_chart: Callable | None = None,
        render_document: Callable | None = None,
    ):
        self.advisor = advisor
        self.files_dir = files_dir
        self.out = out
        self.sender = Sender(TERMINAL, user, None)
        self.options: list[Option] = []
        self._render_chart = render_chart
        self._render_document = render_document

    def run(self, lines: Iterable[str], echo: bool = False, prompt: str = "> ") -> None:
        """Greet, then answer each line until the input ends."""
        self.send(Command("start"))
        for line in lines:
            line = line.rstrip("\r\n")
            if echo:
                self.out.write(f"{prompt}{line}\n")
            self.send(self.event_for(line))
            self.out.flush()

    def event_for(self, line: str) -> Event:
        """A number or a label chooses an option; /word is a command; anything else is text."""
        stripped = line.strip()
        if stripped.isdecimal() and 1 <= int(stripped) <= len(self.options):
            return Button(self.options[int(stripped) - 1].data)
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, args = stripped[1:].partition(" ")
            return Command(name.split("@")[0], args)
        typed = normalise(stripped)
        for option in self.options:
            if typed and typed == normalise(_without_symbols(option.label)):
                return Button(option.data)
        return Text(line)

    def send(self, event: Event) -> None:
        """Hand one event to the advisor and print what comes back."""
        handled = self.advisor.handle(self.sender, event)
        self.show([outgoing.reply for outgoing in handled.replies])
        for outgoing in handled.replies:
            self.advisor.delivered(outgoing, "sent")

    def show(self, replies: Sequence[Reply]) -> None:
        """Print replies: text, saved files, then every option numbered from 1."""
        self.options = []
        for reply in replies:
            self.out.write(plain(reply.text).strip() + "\n")
            if reply.chart and self._render_chart:
                path = self._save(reply.chart.name + ".png", self._render_chart(reply.chart))
                self._say(texts.CHART_SAVED, path=path)
            if reply.document and self._render_document:
                path = self._save(reply.document.name, self._render_document(reply.document))
                self._say(texts.DOCUMENT_SAVED, path=path)
            for row in reply.options:
                for option in row:
                    self.options.append(option)
                    self.out.write(f"  {len(self.options)}. {option.label}\n")
            self.out.write("\n")

    def _say(self, name: str, **values: object) -> None:
        template = self.advisor.engine.dialogues.text(name)
        self.out.write(plain(fill(template, **values)) + "\n")

    def _save(self, name: str, data: bytes) -> Path:
        """Write a chart or plan where the database lives, owner-only like the database."""
        self.files_dir.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        path = self.files_dir / re.sub(r"[^\w.-]", "_", name)
        with open(open_private(path), "wb") as out:
            out.write(data)
        return path


def _without_symbols(label: str) -> str:
    """A button label without its emoji and arrows, as people would type it."""
    return re.sub(r"[^\w\s'’,-]", "", label)
