"""Checks on matching.yaml and the match blocks: each problem names file, entry and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge import DATA_DIR, KnowledgeLoadError, MatchingLists, Problem, load_knowledge
from knowledge._match_checks import check_lists, check_rules, validate_lists

FILE = "knowledge/data/matching.yaml"
SMALLTALK = {"greeting": ["hi"], "thanks": ["thanks"], "help": ["help"]}


def lists(**sections) -> MatchingLists:
    return MatchingLists.model_validate({"smalltalk": SMALLTALK, **sections})


def problems_in(text: str) -> list[Problem]:
    found = validate_lists(yaml.safe_load(text), FILE)[1]
    assert found, "expected a problem"
    return found


def test_shipped_lists_have_no_problems():
    kb = load_knowledge()
    assert list(check_lists(kb.matching, FILE)) == []
    topics = [*kb.factors.values(), *kb.frameworks.values()]
    assert list(check_rules(topics, kb.matching, lambda entry: "x", FILE)) == []


def test_every_factor_and_framework_has_match_terms():
    kb = load_knowledge()
    for topic_id in (*kb.factors, *kb.frameworks):
        assert kb.topic(topic_id).match.terms, topic_id


def test_a_wrong_item_in_a_group_names_the_group_word_and_the_position():
    text = (
        "sector_words:\n  council: [la, 5]\nsmalltalk: {greeting: [hi], thanks: [ta], help: [help]}"
    )
    assert problems_in(text) == [
        Problem(FILE, "council", "sector_words.2", "should be text, found a number")
    ]


def test_an_unquoted_yes_or_no_is_explained():
    text = "stop_words: [the, no]\nsmalltalk: {greeting: [hi], thanks: [ta], help: [help]}"
    [problem] = problems_in(text)
    assert (problem.file, problem.entry, problem.field) == (FILE, "item 2", "stop_words")
    assert "put the word in quotes" in problem.message


def test_a_misspelt_section_and_a_missing_one_are_reported():
    found = problems_in("synonyms: {council: [la]}")
    assert Problem(FILE, "-", "synonyms", "unknown field (misspelt?)") in found
    assert Problem(FILE, "-", "smalltalk", "required field is missing") in found


def test_a_smalltalk_phrase_too_long_is_named_by_its_text():
    long = "hello " * 20
    text = f"smalltalk: {{greeting: [hi, '{long}'], thanks: [ta], help: [help]}}"
    [problem] = problems_in(text)
    assert (problem.entry, problem.field) == ("item 2", "smalltalk.greeting")


def test_a_file_that_is_not_a_mapping_is_reported():
    assert validate_lists(["a", "b"], FILE)[1] == [
        Problem(FILE, "-", "-", "expected a mapping of lists, found list")
    ]


def test_an_alternative_listed_under_two_words_is_reported():
    found = list(check_lists(lists(sector_words={"council": ["la"], "nhs": ["la"]}), FILE))
    assert found == [
        Problem(FILE, "nhs", "sector_words", "'la' is also listed under 'council' in sector_words")
    ]


def test_a_word_that_is_itself_an_alternative_is_reported():
    found = list(
        check_lists(
            lists(
                spellings={"incentivise": ["incentivize"]},
                word_forms={"incentive": ["incentivise"]},
            ),
            FILE,
        )
    )
    assert (
        Problem(
            FILE,
            "incentivise",
            "spellings",
            "is itself listed as another way to write 'incentive'; use that word here",
        )
        in found
    )


def test_stop_words_clashing_with_the_other_lists_are_reported():
    found = list(
        check_lists(
            lists(
                stop_words=["the", "at"], sector_words={"assistive technology": ["at"], "the": []}
            ),
            FILE,
        )
    )
    assert (
        Problem(FILE, "assistive technology", "sector_words", "'at' is also a stop word") in found
    )
    assert Problem(FILE, "the", "sector_words", "is a stop word, so it would never count") in found


def test_hyphenated_words_need_their_hyphen():
    found = list(check_lists(lists(hyphenated=["coproduction", "co-"]), FILE))
    assert (
        Problem(FILE, "coproduction", "hyphenated", "has no hyphen; list it with its hyphen")
        in found
    )
    assert Problem(FILE, "co-", "hyphenated", "needs letters on both sides of the hyphen") in found


def test_match_blocks_with_dead_duplicate_or_clashing_terms_are_reported():
    kb = load_knowledge()
    workforce = kb.factors["workforce"].model_copy(
        update={
            "match": kb.factors["workforce"].match.model_validate(
                {
                    "terms": [
                        "recruitment",
                        "recruiting",
                        "how do we",
                        {"text": "help", "weight": 2},
                    ],
                    "not": ["recruitment", "the"],
                }
            )
        }
    )
    empty = kb.factors["resources"].model_copy(
        update={"match": kb.factors["resources"].match.model_validate({})}
    )
    found = set(check_rules([workforce, empty], kb.matching, lambda entry: "factors.yaml", FILE))
    assert found == {
        Problem(
            "factors.yaml",
            "workforce",
            "match.terms.2",
            "'recruiting' reads the same as 'recruitment'",
        ),
        Problem(
            "factors.yaml",
            "workforce",
            "match.terms.3",
            "'how do we' is only stop words, so it never counts",
        ),
        Problem(
            "factors.yaml", "workforce", "match.not.1", "'recruitment' is also one of its terms"
        ),
        Problem("factors.yaml", "workforce", "match.not.2", "'the' is only stop words"),
        Problem(
            FILE,
            "help",
            "smalltalk.help",
            "is a match term of 'workforce', so it would never be smalltalk",
        ),
        Problem(
            "factors.yaml", "resources", "match.terms", "no terms: the matcher can never find it"
        ),
    }


def test_a_bad_weight_in_factors_yaml_is_reported_with_entry_and_field(tmp_path):
    data = copy_data(tmp_path)
    factors = data / "factors.yaml"
    factors.write_text(
        factors.read_text(encoding="utf-8").replace(
            "{text: turnover, weight: 2.5}", "{text: turnover, weight: 5}", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeLoadError) as error:
        load_knowledge(data)
    problem = Problem(
        "knowledge/data/factors.yaml",
        "workforce",
        "match.terms.3.weight",
        "should be at most 3",
    )
    assert problem in error.value.problems


def test_loading_reports_a_broken_matching_yaml_with_file_entry_and_field(tmp_path):
    data = copy_data(tmp_path)
    matching = data / "matching.yaml"
    text = matching.read_text(encoding="utf-8")
    matching.write_text(
        text.replace("  council: [la,", "  council: [[la], la,", 1), encoding="utf-8"
    )
    with pytest.raises(KnowledgeLoadError) as error:
        load_knowledge(data)
    assert [(p.file, p.entry, p.field) for p in error.value.problems] == [
        (FILE, "council", "sector_words.1")
    ]


def test_a_missing_matching_yaml_is_reported(tmp_path):
    data = copy_data(tmp_path)
    (data / "matching.yaml").unlink()
    with pytest.raises(KnowledgeLoadError) as error:
        load_knowledge(data)
    assert error.value.problems == [Problem(FILE, "-", "-", "file is missing")]


def copy_data(tmp_path: Path) -> Path:
    """A copy of the shipped knowledge YAML at tmp/knowledge/data, so that names read the same."""
    data = tmp_path / "knowledge" / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def test_a_not_term_inside_a_term_and_a_not_term_on_a_safety_route_are_reported():
    kb = load_knowledge()

    def with_match(entry, rules):
        return entry.model_copy(update={"match": entry.match.model_validate(rules)})

    network = with_match(
        kb.routes["about-network"], {"terms": ["the network"], "not": ["networks"]}
    )
    crisis = with_match(kb.routes["crisis"], {"terms": ["suicidal"], "not": ["suicide prevention"]})
    found = set(check_rules([network, crisis], kb.matching, lambda entry: "routes.yaml", FILE))
    assert found == {
        Problem(
            "routes.yaml",
            "about-network",
            "match.not.1",
            "'networks' is inside its term 'the network' (the same words once stemmed),"
            " so that term can never count",
        ),
        Problem(
            "routes.yaml",
            "crisis",
            "match.not",
            "a safety route cannot have `not` terms: one would silence an alarm in the same"
            " message; list the service's name in matching.yaml sector_words instead",
        ),
    }


def test_a_with_word_of_stop_words_alone_is_reported():
    kb = load_knowledge()
    entry = kb.routes["harm-to-someone-close"]
    rules = entry.match.model_dump(by_alias=True) | {"with": ["mum", "her"]}
    broken = entry.model_copy(update={"match": entry.match.model_validate(rules)})
    found = set(check_rules([broken], kb.matching, lambda entry: "routes.yaml", FILE))
    assert (
        Problem("routes.yaml", "harm-to-someone-close", "match.with.2", "'her' is only stop words")
        in found
    )
