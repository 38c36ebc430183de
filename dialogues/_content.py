"""Schemas and loader for the dialogue YAML: the shared messages and one file per flow."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dialogues._markup import check_template
from knowledge import KnowledgeBase, Problem
from knowledge._problems import ContentError, display_name, read_yaml, validate_one

DIALOGUES_DIR = Path(__file__).parent
FLOWS_DIR = DIALOGUES_DIR / "flows"
MESSAGES_FILE = DIALOGUES_DIR / "messages.yaml"

StepId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=30)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+([_-][a-z0-9]+)*$", max_length=40)]
ButtonLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Html = Annotated[str, StringConstraints(min_length=1, max_length=3000)]

LISTS = (
    "topics",
    "factors-innovation",
    "factors-external",
    "key-factors",
    "frameworks",
    "reading",
    "glossary",
    "network",
)
SERIES = ("key-factors", "nasss-domains", "sips-questions")
COMPUTES = (
    "consent",
    "triage",
    "readiness",
    "nasss",
    "sips-start",
    "sips-show",
    "sips",
    "team",
    "forget",
    "plan",
)


class DialogueContentError(ContentError):
    """The dialogue YAML has problems; `problems` lists every one."""


class Strict(BaseModel):
    """Unknown fields are errors, so that a misspelt key is reported."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionSpec(Strict):
    """A button on a step: what it says and where it leads."""

    label: ButtonLabel
    value: StepId | None = Field(None, description="The answer stored when it is chosen.")
    next: StepId | None = Field(None, description="A step of this flow.")
    flow: StepId | None = Field(None, description="Start another flow.")
    show: Literal[LISTS] | None = Field(None, description="Show a list from the knowledge.")

    @model_validator(mode="after")
    def _one_destination(self) -> OptionSpec:
        if sum(x is not None for x in (self.next, self.flow, self.show)) > 1:
            raise ValueError("next: give at most one of next, flow and show")
        return self


class StepSpec(Strict):
    """One step of a flow."""

    kind: Literal["say", "choose", "ask", "series", "result"]
    text: Html | None = None
    options: list[OptionSpec] = Field(default_factory=list)
    columns: int = Field(1, ge=1, le=3)
    key: StepId | None = Field(None, description="Where the answer is kept.")
    next: StepId | None = None
    skip: bool = Field(False, description="Offer a Skip button on a free-text question.")
    items: Literal[SERIES] | None = None
    input: Literal["choose", "ask"] = "choose"
    compute: Literal[COMPUTES] | None = None
    entry: bool = Field(False, description="May be opened directly by a button (f:flow:step).")

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> StepSpec:
        need = {
            "say": ("text",),
            "choose": ("text", "key", "options"),
            "ask": ("text", "key"),
            "series": ("text", "key", "items"),
            "result": ("compute",),
        }[self.kind]
        for name in need:
            if not getattr(self, name):
                raise ValueError(f"{name}: required for a {self.kind} step")
        if self.kind == "series" and self.input == "choose" and not self.options:
            raise ValueError("options: a series of choices needs options")
        return self


class TriageRule(Strict):
    """If the answers match `when`, add `weight` to a framework and say why."""

    when: dict[StepId, list[StepId]] = Field(default_factory=dict, description="{} always fires")
    recommend: StepId | None = None
    weight: int = Field(1, ge=1, le=5)
    because: Html | None = None
    watch: list[StepId] = Field(default_factory=list)


class FlowSpec(Strict):
    """A journey: its steps, the command that starts it and the texts its results use."""

    id: StepId
    title: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    command: StepId | None = None
    command_help: Annotated[str, StringConstraints(min_length=3, max_length=80)] | None = None
    start: StepId
    steps: dict[StepId, StepSpec] = Field(min_length=1)
    texts: dict[Key, Html] = Field(default_factory=dict)
    labels: dict[Key, ButtonLabel] = Field(default_factory=dict)
    questions: dict[StepId, Html] = Field(default_factory=dict)
    rules: list[TriageRule] = Field(default_factory=list)
    levels: dict[StepId, StepId] = Field(default_factory=dict)
    priority_order: list[StepId] = Field(default_factory=list)


class Messages(Strict):
    """The texts every flow shares, by name; see dialogues/messages.yaml."""

    texts: dict[Key, Html]
    labels: dict[Key, ButtonLabel]
    unsupported: dict[Key, Html]


# The placeholders each shared text may use. Anything else is reported by `check`.
MESSAGE_VARS: dict[str, frozenset[str]] = {}
# The texts and labels the code uses; a missing one is reported by `check`.
REQUIRED_TEXTS: set[str] = set()
REQUIRED_LABELS: set[str] = set()


def uses(name: str, *variables: str) -> str:
    """Declare a shared text and its placeholders; returns the name, for use at the call site."""
    MESSAGE_VARS[name] = frozenset(variables)
    REQUIRED_TEXTS.add(name)
    return name


def label(name: str) -> str:
    """Declare a shared button label; returns the name."""
    REQUIRED_LABELS.add(name)
    return name


# Each compute's texts and their placeholders, declared by the module that renders them.
FLOW_TEXT_VARS: dict[str, dict[str, frozenset[str]]] = {}


def flow_texts(compute: str, **texts: tuple[str, ...]) -> None:
    """Declare the texts a compute needs in its flow's `texts`, with their placeholders."""
    FLOW_TEXT_VARS.setdefault(compute, {}).update({k: frozenset(v) for k, v in texts.items()})


# Each compute's button labels, declared by the module that uses them.
FLOW_LABELS: dict[str, set[str]] = {}


def flow_labels(compute: str, *names: str) -> None:
    """Declare the labels a compute needs in its flow's `labels`."""
    FLOW_LABELS.setdefault(compute, set()).update(names)


@dataclass(frozen=True)
class Dialogues:
    """The loaded dialogue content: shared messages and flows by id."""

    messages: Messages
    flows: Mapping[str, FlowSpec]

    def text(self, name: str) -> str:
        """A shared text by name."""
        return self.messages.texts[name]

    def label(self, name: str) -> str:
        """A shared button label by name."""
        return self.messages.labels[name]

    def flow_for_command(self, command: str) -> FlowSpec | None:
        """The flow a slash command starts, if any."""
        return next((f for f in self.flows.values() if f.command == command), None)


def load_dialogues(kb: KnowledgeBase | None, directory: Path | None = None) -> Dialogues:
    """Load and check every dialogue file; raise DialogueContentError listing every problem."""
    directory = directory or DIALOGUES_DIR
    root = directory.parent
    problems: list[Problem] = []

    messages_name = display_name(directory / "messages.yaml", root)
    data, found = read_yaml(directory / "messages.yaml", messages_name)
    problems += found
    messages = None
    if not found:
        messages, found = validate_one(data, Messages, messages_name, "messages")
        problems += found

    flows: dict[str, FlowSpec] = {}
    for path in sorted((directory / "flows").glob("*.yaml")):
        name = display_name(path, root)
        data, found = read_yaml(path, name)
        problems += found
        if found:
            continue
        entry = data.get("id", path.stem) if isinstance(data, dict) else path.stem
        flow, found = validate_one(data, FlowSpec, name, str(entry))
        problems += found
        if flow is None:
            continue
        if flow.id != path.stem:
            problems.append(Problem(name, flow.id, "id", "must match the file name"))
        flows[flow.id] = flow

    if messages is not None:
        problems += _check_messages(messages, messages_name)
    names = {fid: display_name(directory / "flows" / f"{fid}.yaml", root) for fid in flows}
    problems += _check_flows(flows, names, kb)
    if problems or messages is None:
        raise DialogueContentError(problems)
    return Dialogues(messages=messages, flows=flows)


def _check_messages(messages: Messages, file: str) -> Iterator[Problem]:
    for name in sorted(REQUIRED_TEXTS - messages.texts.keys()):
        yield Problem(file, "texts", name, "required text is missing")
    for name in sorted(REQUIRED_LABELS - messages.labels.keys()):
        yield Problem(file, "labels", name, "required label is missing")
    for name, template in messages.texts.items():
        allowed = MESSAGE_VARS.get(name, frozenset())
        for problem in check_template(template, allowed):
            yield Problem(file, "texts", name, problem)
    for name, template in messages.unsupported.items():
        for problem in check_template(template, frozenset()):
            yield Problem(file, "unsupported", name, problem)
    if "other" not in messages.unsupported:
        yield Problem(file, "unsupported", "other", "required text is missing")


def _check_flows(
    flows: Mapping[str, FlowSpec], names: Mapping[str, str], kb: KnowledgeBase | None
) -> Iterator[Problem]:
    """Every next exists, every step is reachable, every id named exists, texts are well formed."""
    for required in ("welcome", "menu"):
        if required not in flows and required not in names.values():
            yield Problem(f"dialogues/flows/{required}.yaml", "-", "-", "missing or not valid")
    commands: dict[str, str] = {}
    for flow in flows.values():
        file = names[flow.id]
        if flow.command:
            if flow.command in commands:
                yield Problem(file, flow.id, "command", f"also used by {commands[flow.command]}")
            commands[flow.command] = flow.id
            if not flow.command_help:
                yield Problem(file, flow.id, "command_help", "required with a command")
        if flow.start not in flow.steps:
            yield Problem(file, flow.id, "start", f"no step {flow.start!r}")
        yield from _check_steps(flow, flows, file)
        yield from _check_reachable(flow, file)
        yield from _check_flow_texts(flow, file)
        if kb is not None:
            yield from _check_knowledge_ids(flow, kb, file)


def _check_steps(flow: FlowSpec, flows: Mapping[str, FlowSpec], file: str) -> Iterator[Problem]:
    for step_id, step in flow.steps.items():
        where = f"steps.{step_id}"
        if step.text:
            for problem in check_template(step.text, STEP_VARS[step.kind]):
                yield Problem(file, flow.id, f"{where}.text", problem)
        if step.next and step.next not in flow.steps:
            yield Problem(file, flow.id, f"{where}.next", f"no step {step.next!r} in this flow")
        for n, option in enumerate(step.options, start=1):
            field = f"{where}.options.{n}"
            if option.next and option.next not in flow.steps:
                yield Problem(file, flow.id, f"{field}.next", f"no step {option.next!r}")
            if option.flow and option.flow not in flows:
                yield Problem(file, flow.id, f"{field}.flow", f"no flow {option.flow!r}")
            if step.kind == "choose" and not option.value:
                yield Problem(file, flow.id, f"{field}.value", "required on a choose step")
        if (
            step.kind in ("choose", "ask", "series")
            and not step.next
            and not all(o.next or o.flow for o in step.options)
        ):
            yield Problem(file, flow.id, f"{where}.next", "required: where to go after the answer")
        if step.kind == "series" and step.input == "ask" and step.options:
            yield Problem(file, flow.id, f"{where}.options", "a free-text series has no options")


def _check_reachable(flow: FlowSpec, file: str) -> Iterator[Problem]:
    reached: set[str] = set()
    todo = [flow.start, *(step_id for step_id, step in flow.steps.items() if step.entry)]
    while todo:
        step_id = todo.pop()
        if step_id in reached or step_id not in flow.steps:
            continue
        reached.add(step_id)
        step = flow.steps[step_id]
        todo += [s for s in (step.next, *(o.next for o in step.options)) if s]
    for step_id in flow.steps.keys() - reached:
        yield Problem(file, flow.id, f"steps.{step_id}", "cannot be reached from the start")


def _check_flow_texts(flow: FlowSpec, file: str) -> Iterator[Problem]:
    declared: dict[str, frozenset[str]] = {}
    labels: set[str] = set()
    for step in flow.steps.values():
        declared |= FLOW_TEXT_VARS.get(step.compute or "", {})
        labels |= FLOW_LABELS.get(step.compute or "", set())
    if flow.levels:
        labels |= {f"level-{level}" for level in (*flow.levels.values(), "unknown")}
    for name in sorted(labels - flow.labels.keys()):
        yield Problem(file, flow.id, f"labels.{name}", "required label is missing")
    for name in sorted(declared.keys() - flow.texts.keys()):
        yield Problem(file, flow.id, f"texts.{name}", "required text is missing")
    for name, template in flow.texts.items():
        if name not in declared:
            yield Problem(file, flow.id, f"texts.{name}", "not used by this flow (misspelt?)")
            continue
        for problem in check_template(template, declared[name]):
            yield Problem(file, flow.id, f"texts.{name}", problem)
    for n, rule in enumerate(flow.rules, start=1):
        if rule.because:
            for problem in check_template(rule.because, TRIAGE_RULE_VARS):
                yield Problem(file, flow.id, f"rules.{n}.because", problem)


def _check_knowledge_ids(flow: FlowSpec, kb: KnowledgeBase, file: str) -> Iterator[Problem]:
    computes = {s.compute for s in flow.steps.values()}
    series = {s.items for s in flow.steps.values()}
    answers = {
        s.key: {o.value for o in s.options} for s in flow.steps.values() if s.kind == "choose"
    }
    for n, rule in enumerate(flow.rules, start=1):
        where = f"rules.{n}"
        if rule.recommend and rule.recommend not in kb.frameworks:
            yield Problem(file, flow.id, f"{where}.recommend", f"no framework {rule.recommend!r}")
        for factor in rule.watch:
            if factor not in kb.factors:
                yield Problem(file, flow.id, f"{where}.watch", f"no factor {factor!r}")
        for key, accepted in rule.when.items():
            if key == "hardest":
                for topic in accepted:
                    if kb.topic(topic) is None:
                        yield Problem(file, flow.id, f"{where}.when.hardest", f"no topic {topic!r}")
            elif key not in answers:
                yield Problem(file, flow.id, f"{where}.when.{key}", "no choose step keeps this")
            else:
                for value in set(accepted) - answers[key]:
                    yield Problem(file, flow.id, f"{where}.when.{key}", f"no option {value!r}")
    if "key-factors" in series:
        for group in kb.key_factors:
            if group.factors[0] not in flow.questions:
                yield Problem(file, flow.id, f"questions.{group.factors[0]}", "missing question")
        for key in flow.questions.keys() - {g.factors[0] for g in kb.key_factors}:
            yield Problem(file, flow.id, f"questions.{key}", "not a key factor's first id")
    if computes & {"readiness", "nasss"}:
        values = {o.value for s in flow.steps.values() if s.kind == "series" for o in s.options}
        for value in sorted(values - flow.levels.keys()):
            yield Problem(file, flow.id, f"levels.{value}", "no level for this answer")


# Placeholders available to step texts, by kind.
STEP_VARS: dict[str, frozenset[str]] = {
    "say": frozenset({"retention_days"}),
    "choose": frozenset(),
    "ask": frozenset({"previous"}),
    "series": frozenset(
        {"number", "total", "title", "question", "simple", "complicated", "complex", "previous"}
    ),
    "result": frozenset(),
}
TRIAGE_RULE_VARS = frozenset({"role", "field", "stage", "kind", "scope", "hardest"})


def load_all(directory: Path | None = None) -> tuple[KnowledgeBase, Dialogues]:
    """Load the knowledge and the dialogues together, reporting every problem in both."""
    from knowledge import load_knowledge

    try:
        kb: KnowledgeBase | None = load_knowledge()
        knowledge_problems: list[Problem] = []
    except ContentError as error:
        kb, knowledge_problems = None, list(error.problems)
    try:
        dialogues = load_dialogues(kb, directory)
    except ContentError as error:
        raise DialogueContentError([*knowledge_problems, *error.problems]) from None
    if kb is None:
        raise DialogueContentError(knowledge_problems)
    return kb, dialogues
