"""The examples (knowledge/data/examples.yaml): checked in plain words, and how they match."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import Matcher, load_knowledge
from knowledge._examples import ExampleModel, word_pairs
from tests.content_copy import ContentCopy
from tests.eval_matcher import SHARED_EVAL, same

EXAMPLES = "knowledge/data/examples.yaml"
DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


@pytest.fixture(scope="module")
def matcher(kb):
    return Matcher(kb)


def test_mistakes_in_the_examples_name_file_topic_and_question(tmp_path, capsys):
    copy = ContentCopy.make(tmp_path)
    copy.edit(EXAMPLES, "\nevidence:\n", '\nevidense:\n  - "how do we prove it works"\nevidence:\n')
    copy.edit(EXAMPLES, "\nsips:\n", '\nsips:\n  - ""\n  - "what is sips"\n  - "WHAT is  sips"\n')
    copy.edit(EXAMPLES, "\nnone:\n", '\nnone:\n  - "what is sips"\n  - 42\n')
    code, problems = copy.check(capsys)
    assert code == 1
    assert f"{EXAMPLES}: evidense: -: no factor or framework with id 'evidense'" in problems
    assert f"{EXAMPLES}: sips: question 1: expected the words of a question, in quotes" in problems
    assert f"{EXAMPLES}: sips: question 3: 'WHAT is  sips' is listed twice" in problems
    assert f"{EXAMPLES}: none: question 1: 'what is sips' is also listed under 'sips'" in problems
    assert f"{EXAMPLES}: none: question 2: expected the words of a question, in quotes" in problems


def test_a_topic_that_is_not_a_list_is_named(tmp_path, capsys):
    copy = ContentCopy.make(tmp_path)
    copy.edit(EXAMPLES, "\nnone:\n", "\nnone: just one question\nunused:\n")
    code, problems = copy.check(capsys)
    assert code == 1
    assert f"{EXAMPLES}: none: -: expected a list of questions, one per line" in problems


def test_the_fresh_sets_are_never_copied_into_the_examples(kb):
    """A fresh question may be an example (of a topic or of a worry) only as a question of the
    development material too.

    Counted, never printed: the fresh sets stay unread by whoever edits the examples.
    """
    paths = [*DATA.glob("*.tsv"), *SHARED_EVAL.glob("*.tsv")]
    development = {
        same(line.partition("\t")[0])
        for path in paths
        if not path.name.startswith("fresh-")
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    listed = {
        same(q)
        for source in (kb.examples, kb.route_examples)
        for questions in source.values()
        for q in questions
    }
    copied = 0
    for path in DATA.glob("fresh-*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            query = same(line.partition("\t")[0])
            copied += query in listed and query not in development
    assert copied == 0


def test_a_question_in_other_words_finds_the_topic_of_a_like_example(matcher):
    question = "our befriending scheme wants to start up in the next town"
    assert rules_only(matcher).match(question).best is None  # no rule word in it
    assert matcher.match(question).best is not None
    model = ExampleModel([("a", ("grow", "town")), ("b", ("staff", "rota")), ("none", ("cake",))])
    weighed = model.weigh(["town", "grow", "lorry"])
    assert weighed.stems == ("town", "grow")  # a word no example holds says nothing
    odds = weighed.likelihood
    assert odds["a"] > odds["b"] and odds["a"] > odds["none"]
    assert model.telling(weighed, "a", "none")[0] in ("grow", "town")
    assert model.telling(weighed, "b", "none") == ()


def test_words_in_the_same_order_count_for_more_than_the_same_words_apart():
    labelled = [("a", ("staff", "turnov", "team")), ("b", ("team", "staff", "site", "turnov"))]
    alone, paired = ExampleModel(labelled), ExampleModel(labelled, pairs=0.5)
    assert word_pairs(("staff", "turnov", "high")) == ("staff turnov", "turnov high")
    question = ("staff", "turnov")
    lead_alone = alone.weigh(question).likelihood["a"] - alone.weigh(question).likelihood["b"]
    lead_paired = paired.weigh(question).likelihood["a"] - paired.weigh(question).likelihood["b"]
    assert lead_paired > lead_alone  # only a's example has "staff turnov" side by side
    assert paired.weigh(question).stems == question  # the words shown are still single words
    assert paired.telling(paired.weigh(question), "a", "b") == alone.telling(
        alone.weigh(question), "a", "b"
    )


def rules_only(matcher):
    return Matcher(matcher.kb, use_examples=False)


def test_a_listed_question_gets_its_own_topic(kb):
    model = ExampleModel([("a", ("grow", "town")), ("b", ("grow", "town", "staff"))])
    assert model.listed_as(["town", "grow"]) == {"a"}
    assert model.listed_as(["town", "grow", "grow"]) == {"a"}
    assert model.listed_as(["grow"]) == frozenset()
    matcher = Matcher(kb)
    for topic in ("sips", "workforce", "none"):
        for question in kb.examples[topic][:20]:
            found = matcher.match(question)
            if found.route not in ("topic", "none"):  # routes come first
                continue
            if topic == "none":
                assert found.matches == (), question
            else:  # the first of the topics it is listed under, which all lead the others
                listed = {t for t, questions in kb.examples.items() if question in questions}
                assert found.best.id in listed, question


def test_a_listed_question_gets_its_topic_before_any_route_but_safety(kb, matcher):
    question = "outcomes based contracts?"  # an about route's words: outside the review
    assert question in kb.examples["commissioning"]
    listed = matcher.match(question)
    assert listed.route == "topic" and listed.best.id == "commissioning"
    unlisted = matcher.leaving_out([question]).match(question)
    assert (unlisted.route, unlisted.route_id) == ("about", "outside-review")
    assert rules_only(matcher).match(question).route == "about"  # the rules alone: no list
    # the same stems are not the same question: "what r we even for" is listed, not "who r u"
    assert matcher.match("who r u").route == "about"


def test_a_question_listed_under_several_topics_ties_them(kb, matcher):
    question = "which framework should i use??"
    under = {t for t, questions in kb.examples.items() if question in questions}
    assert len(under) == 4  # one per framework: staff do not say which
    found = matcher.match(question)
    assert found.ambiguous
    assert {m.id for m in found.matches[:4]} == under
    assert len({m.score for m in found.matches[:4]}) == 1


def test_a_listed_question_in_words_of_danger_is_still_safety(kb, matcher):
    rules = Matcher(kb, use_examples=False)
    listed = [q for q in kb.examples["teams-not-champions"] if rules.match(q).route == "safety"]
    assert listed  # "it'll die without her": listed, and safety still comes first
    assert all(matcher.match(q).route == "safety" for q in listed)


def test_the_words_shared_with_an_example_are_reported_as_a_term(matcher):
    found = matcher.match("how do i prove our befriending service actually works")
    assert found.best.id == "evidence"
    # the rules fire too; the example adds its shared words as one more term
    assert any(t.startswith("like an example: ") for t in found.best.terms)


def test_leaving_a_question_out_removes_its_example(kb, matcher):
    question = next(q for q in kb.examples["sips"] if len(q.split()) > 4)
    with_it = matcher.match(question)
    without = matcher.leaving_out([question.upper()]).match(question)
    near_with = [t for m in with_it.matches for t in m.terms if t.startswith("like")]
    assert near_with
    assert with_it.matches != without.matches or with_it.best.score >= without.best.score


def test_generic_words_alone_never_match_through_the_examples(matcher):
    for text in ("team", "plan", "the project", "our service"):
        assert matcher.match(text).matches == (), text


def test_a_question_listed_under_none_matches_nothing(kb, matcher):
    # Listed under none, it matches nothing, even where a rule term fires clearly ("network
    # rail strike dates" has "network"): staff listed it there to say so.
    rules = Matcher(kb, use_examples=False)
    matched_by_rules = [q for q in kb.examples["none"] if rules.match(q).route == "topic"]
    assert matched_by_rules
    assert all(matcher.match(q).route != "topic" for q in matched_by_rules)


def test_a_question_like_the_none_questions_matches_nothing_even_with_a_rule_term(kb, matcher):
    # Not listed: the model of the none questions' words outweighs one weak rule term.
    rules = Matcher(kb, use_examples=False)
    none = list(kb.examples["none"])
    without = matcher.leaving_out(none)
    weak = [q for q in none if rules.match(q).route == "topic" and rules.match(q).best.score < 70]
    rejected = [q for q in weak if without.match(q).route != "topic"]
    assert len(rejected) >= len(weak) / 2


ROUTE_EXAMPLES = "knowledge/data/route-examples.yaml"


def test_mistakes_in_the_route_examples_name_file_entry_and_message(tmp_path, capsys):
    copy = ContentCopy.make(tmp_path)
    copy.edit(
        ROUTE_EXAMPLES, "\ndanger:\n", '\njobs-and-pay:\n  - "what do carers earn"\ndanger:\n'
    )
    copy.edit(ROUTE_EXAMPLES, "\ncrisis:\n", '\ncrisis:\n  - ""\n  - "i cant go on"\n')
    code, problems = copy.check(capsys)
    assert code == 1
    wrong = "no safety or personal-care entry of routes.yaml with id 'jobs-and-pay'"
    assert f"{ROUTE_EXAMPLES}: jobs-and-pay: -: {wrong}" in problems
    assert (
        f"{ROUTE_EXAMPLES}: crisis: question 1: expected the words of a question, in quotes"
        in problems
    )
    assert f"{ROUTE_EXAMPLES}: crisis: question 2: 'i cant go on' has only common words" in problems


def test_a_worry_no_rule_names_gets_the_signposts_of_the_worries_it_is_like(matcher):
    worry = "my uncle keeps going quiet when his new friend is around and his cards have gone"
    assert rules_only(matcher).match(worry).route != "safety"
    found = matcher.match(worry)
    assert (found.route, found.route_id) == ("safety", "safeguarding")
    assert found.route_terms[0].startswith("like an example: ")
    assert found.matches == ()  # never counted as a topic


def test_a_scaling_question_in_a_worrys_words_stays_a_question(matcher):
    for question in (
        "our befriending scheme for lonely people who feel hopeless wants to grow",
        "how do we spread our falls prevention service to two more councils",
        "we want to scale our gas safety checks for older people across the county",
    ):
        assert matcher.match(question).route != "safety", question


def test_one_rare_word_is_not_a_worry(matcher):
    assert matcher.match("bananas in pyjamas").route != "safety"


def test_a_persons_own_care_in_other_words_goes_to_their_council(matcher):
    asked = "can dad get money from the council to pay his own carer"
    assert rules_only(matcher).match(asked).route != "personal-care"
    found = matcher.match(asked)
    assert (found.route, found.route_id) == ("personal-care", "own-care")
    question = "our reablement service wants to expand to two more councils"
    assert matcher.match(question).route == "topic"


def test_in_a_story_a_clear_topic_outweighs_one_sentences_route_words(matcher):
    story = (  # from tests/data/blind6-questions.tsv: "coming out of hospital" is own care
        "We're a Shared Lives scheme in a rural county and we've developed a way of "
        "supporting people coming out of hospital that other schemes keep asking us "
        "about. We don't have time to run training for everybody and we're not a "
        "consultancy. How do other organisations pass on know-how through informal "
        "connections and membership bodies?"
    )
    assert matcher.match(story).route == "topic"
    assert matcher.match("mum is coming out of hospital, who will support her").route == (
        "personal-care"
    )
    asked = "as a social worker what should i be asking my managers for"
    assert matcher.match(asked).route != "about"
    assert matcher.match("what should i ask you").route == "about"
