"""The journey registry: one value per journey, and `check` knows every jump its code makes."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from dialogues import load_all
from dialogues._registry import Journey, Jump, Registry
from dialogues.journeys import JOURNEYS
from tests.content_copy import ContentCopy

SIPS = "dialogues/flows/sips.yaml"
JOURNEY_DIR = Path(__file__).resolve().parents[2] / "dialogues" / "journeys"
MODULES = sorted(p.stem for p in JOURNEY_DIR.glob("*.py") if not p.name.startswith("_"))


@pytest.fixture
def copy(tmp_path) -> ContentCopy:
    return ContentCopy.make(tmp_path)


def test_renaming_a_step_the_sips_code_jumps_to_fails_check(copy, capsys):
    """The YAML alone stays consistent; only the code's jump to sips.update breaks."""
    copy.edit(SIPS, "  update:\n", "  revisit:\n")
    code, problems = copy.check(capsys)
    assert code == 1
    assert f"{SIPS}: sips: steps.update: no such step (the sips code goes to sips.update)" in (
        problems
    )


def test_a_jump_to_a_step_not_marked_as_an_entry_fails_check(copy, capsys):
    copy.edit(SIPS, "    entry: true\n    compute: sips-show\n", "    compute: sips-show\n")
    code, problems = copy.check(capsys)
    assert code == 1
    assert f"{SIPS}: sips: steps.show.entry: must be true (the sips code goes to sips.show)" in (
        problems
    )


def test_a_flow_file_the_code_opens_must_exist(copy, capsys):
    (copy.root / "dialogues/flows/team.yaml").unlink()
    code, problems = copy.check(capsys)
    assert code == 1
    missing = "dialogues/flows/team.yaml: -: -: file is missing (the"
    assert any(p.startswith(missing) for p in problems)


def test_a_compute_no_journey_has_fails_check(copy, capsys):
    copy.edit(SIPS, "compute: sips-show", "compute: sips-view")
    code, problems = copy.check(capsys)
    assert code == 1
    assert any(
        p.startswith(f"{SIPS}: sips: steps.show.compute: no journey has code called 'sips-view'")
        for p in problems
    )


def test_the_loader_checks_against_the_registry_it_is_given_and_the_engine_gets_that_one():
    _, dialogues = load_all()
    assert dialogues.journeys is JOURNEYS
    fewer = Registry(j for j in JOURNEYS.journeys if j.name != "team")
    with pytest.raises(Exception) as raised:
        load_all(journeys=fewer)
    assert "no journey has code called 'team'" in str(raised.value)


def test_one_compute_name_belongs_to_one_journey():
    first = Journey("a", {"x": lambda convo: None})
    second = Journey("b", {"x": lambda convo: None})
    with pytest.raises(ValueError, match="compute 'x' is in both a and b"):
        Registry([first, second])


def test_every_journey_module_is_registered_once():
    registered = [j.name for j in JOURNEYS.journeys]
    assert sorted(registered) == MODULES
    for name in MODULES:
        module = importlib.import_module(f"dialogues.journeys.{name}")
        assert module.JOURNEY in JOURNEYS.journeys


@pytest.mark.parametrize("name", MODULES)
def test_every_jump_a_journey_module_defines_is_declared(name):
    """A Jump the code can use but the journey does not list would escape `check`."""
    module = importlib.import_module(f"dialogues.journeys.{name}")
    defined = {v for v in vars(module).values() if isinstance(v, Jump)}
    assert defined <= set(module.JOURNEY.jumps)


@pytest.mark.parametrize("name", MODULES)
def test_journey_code_moves_only_through_declared_jumps(name):
    """go() and start_flow() with literal flow names would be jumps `check` cannot see."""
    tree = ast.parse(inspect.getsource(importlib.import_module(f"dialogues.journeys.{name}")))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("go", "start_flow"):
            raise AssertionError(f"{name}: line {node.lineno} jumps without a declared Jump")
