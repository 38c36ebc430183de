"""The sample charts and plan in samples.yaml, built as the engine's plain-data objects."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dialogues._types import Chart, ChartLevel, ChartRow, DocSection, Document

SAMPLES = Path(__file__).with_name("samples.yaml")


@cache
def _raw() -> dict[str, Any]:
    return yaml.safe_load(SAMPLES.read_text(encoding="utf-8"))


def chart(name: str) -> Chart:
    """A sample chart by name: "readiness" or "nasss"."""
    raw = dict(_raw()["charts"][name])
    raw["levels"] = tuple(ChartLevel(**level) for level in raw["levels"])
    raw["rows"] = tuple(ChartRow(**row) for row in raw["rows"])
    return Chart(**raw)


def plan() -> Document:
    """The sample plan: six sections, two of them with a chart."""
    raw = dict(_raw()["document"])
    sections = []
    for section in raw["sections"]:
        section = dict(section)
        for key in ("paragraphs", "bullets"):
            section[key] = tuple(section.get(key, ()))
        section["table"] = tuple(tuple(row) for row in section.get("table", ()))
        if "chart" in section:
            section["chart"] = chart(section["chart"])
        sections.append(DocSection(**section))
    raw["sections"] = tuple(sections)
    return Document(**raw)
