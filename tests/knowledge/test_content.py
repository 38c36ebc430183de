"""The shipped knowledge: complete, linked, in our own words and in plain British English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge import KnowledgeBase, load_knowledge

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = DATA / "seed-summary.txt"
REFERENCE_NOTES = DATA / "frameworks-reference.md"

# The published contract (design.md): these ids never change once published. Written out
# here on purpose, not imported from knowledge._ids, so that changing them there fails here.
INNOVATION_FACTORS = [
    "evidence",
    "adapting-to-context",
    "iterative-learning",
    "complexity",
    "scaling-leadership",
    "teams-not-champions",
    "time-and-commitment",
    "co-production",
    "planning",
    "shared-vision",
    "resources",
    "workforce",
    "risk-aversion",
    "partnership",
]
EXTERNAL_FACTORS = [
    "difficult-environment",
    "scale-funding",
    "networks",
    "leadership-support",
    "time-to-embed",
    "policy-levers",
    "priorities",
    "commissioning",
]
KEY_GROUPS = [
    ["complexity"],
    ["difficult-environment"],
    ["resources", "scale-funding"],
    ["workforce"],
    ["risk-aversion"],
    ["co-production"],
    ["evidence"],
]
FRAMEWORKS = ["greenhalgh-model", "sips", "nhs-large-scale-change", "nasss"]
NASSS_DOMAINS = [
    "condition",
    "technology",
    "value-proposition",
    "adopter-system",
    "organisations",
    "wider-system",
    "embedding-over-time",
]

RUN = 8  # words in a run that counts as copied
# Fields that hold ids or numbers, not words a user reads as prose.
ID_FIELDS = {
    "id",
    "level",
    "mode",
    "rank",
    "key",
    "year",
    "source",
    "figures",
    "frameworks",
    "reading",
    "related",
    "factors",
    "informs",
    "references",
}
# Names quoted as the sources give them: exempt from the copying and spelling checks.
NAME_FIELDS = {
    ("reading", "title"),
    ("reading", "by"),
    ("reading", "published_in"),
    ("references", "citation"),
    ("glossary", "term"),
}
US_SPELLINGS = re.compile(
    r"\b(organiz\w*|behavior\w*|colors?\b|center(s|ed)?\b|programs?\b|analyz\w*|"
    r"prioritiz\w*|recogniz\w*|realiz\w*|favor\w*|labor\b|modeling|traveling|judgment)",
    re.IGNORECASE,
)
# The NHS model's seven element names are unverified; none may be published.
UNVERIFIED_NHS_ELEMENTS = [
    "new paradigm",
    "leading across boundaries",
    "designing for large scale change",
    "transformational change",
    "spreading change",
    "measuring large scale change",
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def words(text: str, hyphens: str = "") -> list[str]:
    """Lower-case words, punctuation ignored; hyphens within a word become `hyphens`."""
    text = re.sub(r"(?<=\w)['\u2018\u2019](?=\w)", "", text.lower())
    text = re.sub(r"(?<=\w)[\u2010-](?=\w)", hyphens, text)
    return re.findall(r"[a-z0-9]+", text)


def runs(text: str, size: int = RUN) -> set[tuple[str, ...]]:
    """Every run of `size` words, reading 'non-adoption' both as one word and as two."""
    found: set[tuple[str, ...]] = set()
    for hyphens in ("", " "):
        seq = words(text, hyphens)
        found |= {tuple(seq[i : i + size]) for i in range(len(seq) - size + 1)}
    return found


def strings(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string in the JSON form of the knowledge, with the field names leading to it."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if not path or key not in ID_FIELDS:  # the top level names collections
                yield from strings(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            yield from strings(value, path)


def prose(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """The user-visible strings that are our own writing, labelled by where they are."""
    return [
        (".".join(path), text)
        for path, text in strings(kb.to_json())
        if (path[0], path[-1]) not in NAME_FIELDS and not is_match_rule(path)
    ]


def is_match_rule(path: tuple[str, ...]) -> bool:
    """Match rules and the matcher's word lists hold what people type, US spellings included."""
    return path[0] == "matching" or "match" in path


def test_shipped_knowledge_loads_with_every_collection(kb):
    data = kb.to_json()
    assert set(data) == {
        "factors",
        "key_factors",
        "frameworks",
        "figures",
        "reading",
        "references",
        "glossary",
        "network",
        "review",
        "matching",
        "routes",
    }
    assert all(data[key] for key in data)


def test_factor_ids_are_the_published_ones_in_order_and_level(kb):
    assert list(kb.factors) == INNOVATION_FACTORS + EXTERNAL_FACTORS
    assert [f.id for f in kb.factors.values() if f.level == "innovation"] == INNOVATION_FACTORS
    assert [f.id for f in kb.factors.values() if f.level == "external"] == EXTERNAL_FACTORS


def test_eight_key_ids_in_seven_ranked_groups_each_with_detail(kb):
    assert [group.rank for group in kb.key_factors] == list(range(1, 8))
    assert [group.factors for group in kb.key_factors] == KEY_GROUPS
    key_ids = [i for group in KEY_GROUPS for i in group]
    assert [i for i in kb.factors if kb.is_key(i)] == sorted(key_ids, key=list(kb.factors).index)
    for factor in kb.factors.values():
        assert bool(factor.detail) == kb.is_key(factor.id), factor.id


def test_four_frameworks_in_order_each_with_a_way_to_use_it(kb):
    assert list(kb.frameworks) == FRAMEWORKS
    for framework in kb.frameworks.values():
        assert framework.how_to_use and framework.fits and framework.caveats, framework.id


def test_nasss_rates_seven_domains_with_three_distinct_anchors(kb):
    nasss = kb.frameworks["nasss"]
    assert [d.id for d in nasss.domains] == NASSS_DOMAINS
    for domain in nasss.domains:
        anchors = domain.anchors
        assert len({anchors.simple, anchors.complicated, anchors.complex}) == 3, domain.id
        assert domain.question.endswith("?"), domain.id
        assert domain.simplify, domain.id
    assert "rarely, if ever" in nasss.finding
    assert {use.mode for use in nasss.how_to_use} == {"prospective", "real-time", "retrospective"}


def test_sips_has_four_sections_of_questions_and_is_used_before_and_after(kb):
    sips = kb.frameworks["sips"]
    assert len(sips.sections) == 4
    for section in sips.sections:
        assert 2 <= len(section.questions) <= 5, section.id
        assert all(q.endswith("?") for q in section.questions), section.id
    assert "theory of change" in sips.sections[0].about
    assert "before" in sips.summary and "again" in sips.summary
    assert {use.mode for use in sips.how_to_use} == {"prospective", "retrospective"}


def test_reading_has_all_35_seed_entries_in_the_seed_order(kb):
    assert len(kb.reading) == 35
    further = words(SEED.read_text(encoding="utf-8").split("Further reading", 1)[1])
    text = " ".join(further)
    position = -1
    for entry in kb.reading.values():
        opening = " ".join(words(entry.title)[:6])
        found = text.find(opening, position + 1)
        assert found > position, f"{entry.id}: title not found after the previous entry"
        position = found


def test_seed_figures_are_present_with_their_source(kb):
    seed = SEED.read_text(encoding="utf-8")
    values = {figure.value: figure for figure in kb.figures.values()}
    for value, in_seed in (("30.8%", "30.8 per cent"), ("7.8%", "7.8 per cent"), ("122,000", "")):
        assert value in values
        assert (in_seed or value) in seed
        assert values[value].source == "skills-for-care-2019"
    assert "turnover-2018-19" in kb.factors["workforce"].figures


def test_references_cover_the_works_the_seed_text_cites(kb):
    assert {
        "albury-2015",
        "fenge-2015",
        "skills-for-care-2019",
        "brown-2015",
        "greenhalgh-2004",
        "greenhalgh-2017",
        "nhs-england-2018",
    } <= set(kb.references)
    assert kb.frameworks["sips"].references == ["brown-2015"]
    assert kb.frameworks["nasss"].references == ["greenhalgh-2017"]


def test_every_factor_links_to_a_framework_and_a_reading_entry(kb):
    for factor in kb.factors.values():
        assert factor.frameworks, factor.id
        assert factor.reading, factor.id


def test_every_reading_entry_informs_something(kb):
    for entry in kb.reading.values():
        assert entry.informs, entry.id


@pytest.mark.parametrize("kind", ["factors", "frameworks"])
def test_topic_reading_lists_agree_with_what_each_entry_informs(kb, kind):
    for topic in getattr(kb, kind).values():
        informing = {r.id for r in kb.reading.values() if topic.id in r.informs}
        assert set(topic.reading) == informing, topic.id


def test_factor_and_framework_links_run_both_ways(kb):
    for framework in kb.frameworks.values():
        for factor_id in framework.factors:
            assert framework.id in kb.factors[factor_id].frameworks, (framework.id, factor_id)
    for factor in kb.factors.values():
        for framework_id in factor.frameworks:
            assert factor.id in kb.frameworks[framework_id].factors, (factor.id, framework_id)


def test_glossary_defines_the_core_terms(kb):
    terms = {term.term.lower() for term in kb.glossary.values()}
    assert {
        "simple",
        "complicated",
        "complex",
        "wicked problem",
        "scale",
        "spread",
        "adoption",
        "diffusion",
        "dissemination",
        "implementation",
        "sustainability",
        "co-production",
        "double running",
        "invest to save",
        "theory of change",
    } <= terms


def test_network_names_its_funder_and_three_partners(kb):
    network = kb.network
    assert network.funder == "Department of Health and Social Care"
    assert [p.short_name for p in network.partners] == ["SCIE", "TLAP", "Shared Lives Plus"]
    assert network.brings_together and network.offers


def test_no_run_of_eight_words_is_copied_from_the_seed_or_the_reference_notes(kb):
    sources = runs(SEED.read_text(encoding="utf-8")) | runs(
        REFERENCE_NOTES.read_text(encoding="utf-8")
    )
    copied = [
        f"{where}: ... {' '.join(sorted(runs(text) & sources)[0])} ..."
        for where, text in prose(kb)
        if runs(text) & sources
    ]
    assert not copied, "rewrite in your own words:\n" + "\n".join(copied)


def test_the_copy_check_notices_a_copied_sentence_despite_case_and_punctuation():
    sentence = "SOCIAL care is a highly-regulated sector, and has an association with being"
    seed = runs(SEED.read_text(encoding="utf-8"))
    assert runs(sentence) & seed
    # A straight apostrophe matches the seed's curly one.
    assert runs("If one aspect breaks down or doesn't accept or support it") & seed
    assert not runs("Social care is tightly regulated and often seen as cautious.") & seed


def test_every_string_is_plain_text(kb):
    markup = re.compile(r"<\s*/?\s*[a-z][^>]*>|\*|`|\]\(|^#", re.IGNORECASE | re.MULTILINE)
    offending = [
        ".".join(path)
        for path, text in strings(kb.to_json())
        if markup.search(text) or "  " in text
    ]
    assert not offending


def test_prose_uses_british_spelling(kb):
    american = [(where, m.group()) for where, text in prose(kb) if (m := US_SPELLINGS.search(text))]
    assert not american


def test_the_spelling_check_knows_british_from_american():
    assert US_SPELLINGS.search("a new program for the organization")
    assert US_SPELLINGS.search("changing behavior")
    assert not US_SPELLINGS.search("a new programme for the organisation, changing behaviour")


def test_the_unverified_nhs_element_names_are_not_published(kb):
    everything = " ".join(" ".join(words(text)) for _, text in strings(kb.to_json()))
    for name in UNVERIFIED_NHS_ELEMENTS:
        assert " ".join(words(name)) not in everything, name
