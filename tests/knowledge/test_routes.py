"""Routes before topics, the typo guard, phrases in order, generic words, ties, long messages."""

from __future__ import annotations

import json
import time

import pytest

from knowledge import Matcher, load_knowledge
from knowledge._words import english_words


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_knowledge())


@pytest.mark.parametrize(
    ("message", "route", "entry"),
    [
        ("my mum is being hurt by a care worker, what do I do?", "safety", "safeguarding"),
        ("I am worried about a safeguarding issue", "safety", "safeguarding"),
        ("I feel suicidal", "safety", "crisis"),
        ("someone is being abused", "safety", "safeguarding"),
        ("my dad has collapsed and is not breathing", "safety", "danger"),
        ("I want to complain about my mums care home", "safety", "complaint"),
        ("how do i cancel my telecare pendant", "personal-care", "own-care"),
        ("can you help me find a care home near Leeds", "personal-care", "own-care"),
        ("how much do care workers earn", "off-topic", "jobs-and-pay"),
        ("can i get carers allowance", "off-topic", "benefits"),
        ("tell me a joke", "off-topic", "everyday"),
        ("who made this bot", "about", "about-bot"),
        ("how do i delete my data", "about", "about-privacy"),
        ("what are the seven factors", "about", "about-seven"),
        ("what is double running", "glossary", "double-running"),
        ("what does invest to save mean", "glossary", "invest-to-save"),
        ("whats a wicked problem", "glossary", "wicked-problem"),
        ("what is a value proposition", "glossary", "value-proposition"),
        ("what is a theory of change?", "glossary", "theory-of-change"),
    ],
)
def test_messages_that_are_not_scaling_questions_are_routed(matcher, message, route, entry):
    result = matcher.match(message)
    assert (result.route, result.route_id) == (route, entry), result
    assert result.matches == ()
    assert result.route_terms  # explainable: the terms that sent it there


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("how do we scale a safeguarding training programme", None),
        ("our suicide-prevention service wants to spread", None),
        (
            "survivors of domestic abuse co-designed our service, how do we keep them involved as "
            "we scale",
            "co-production",
        ),
        ("staff turnover is killing us", "workforce"),
        ("double running", "scale-funding"),  # the term alone is a topic question
        ("what is NASSS", "nasss"),
        ("the greenhalgh model", "greenhalgh-model"),
    ],
)
def test_scaling_questions_that_use_those_words_still_get_a_topic(matcher, message, topic):
    result = matcher.match(message)
    assert result.route == "topic", result
    if topic:
        assert topic in [m.id for m in result.matches[:3]]


def test_the_route_contract_in_json(matcher):
    assert matcher.match("I feel suicidal").to_json() == {
        "query": "I feel suicidal",
        "matches": [],
        "route": "safety",
    }
    assert matcher.match("what is double running").to_json()["answer"] == "double-running"
    assert matcher.match("who runs this bot").to_json()["answer"] == "about-bot"
    topic = matcher.match("staff turnover").to_json()
    assert topic["route"] == "topic" and "answer" not in topic and topic["matches"]
    assert matcher.match("hello").to_json()["route"] == "smalltalk"
    assert matcher.match("qwertyuiop").to_json()["route"] == "none"
    json.dumps(matcher.match("x").to_json())


def test_a_word_that_is_already_english_is_never_corrected(matcher):
    assert "mobile" in english_words() and "river" in english_words()
    for word in ("mobile", "river", "lonely", "plane", "note"):
        tokens = matcher.read(word)
        assert all(t.quality == 1.0 for t in tokens), (word, tokens)
    corrected = matcher.read("recuitment")  # not English: still corrected
    assert corrected[0].quality < 1.0
    assert matcher.match("recuitment problems").best.id == "workforce"


def test_a_lone_generic_word_is_only_a_hint(matcher):
    assert matcher.match("team").matches == ()
    assert matcher.match("plan").matches == ()
    assert matcher.match("planning").best.id == "planning"  # not the everyday word itself


def test_phrases_count_only_in_order_and_close_together(matcher):
    assert "staff turnover" in matcher.match("staff turnover").best.terms
    assert "staff turnover" not in (matcher.match("turnover of staff").best or ()).terms


def test_exact_ties_are_ambiguous_and_not_decided_by_file_order_alone(matcher):
    result = matcher.match("which framework should i use")
    assert result.ambiguous
    assert {m.id for m in result.matches[:3]} <= {
        "sips", "nasss", "greenhalgh-model", "nhs-large-scale-change"
    }  # fmt: skip


def test_a_question_after_a_long_story_is_read(matcher):
    story = (
        "We are a small charity in the north east. We started eight years ago with two "
        "volunteers and a kettle. Our members are older people who live alone, and most of "
        "them have been with us for years. The trustees meet monthly and we have a great "
        "relationship with the local church, who lend us the hall. " * 4
    )
    assert len(story) > 900
    result = matcher.match(
        story + " Our question: how do we stop losing care staff to "
        "supermarkets, recruitment and retention is awful?"
    )
    assert result.best is not None and result.best.id == "workforce"
    assert not result.truncated


def test_a_safety_sentence_anywhere_in_a_long_message_is_found(matcher):
    story = "We run a befriending scheme for older people in three towns. " * 12
    assert matcher.match(story + "Honestly I just want to end my life.").route == "safety"
    assert matcher.match("I want to end my life. " + story).route == "safety"


def _naive_best_window(matcher, sentences):
    """Every window of one or two sentences ranked in full: what _best_window must equal."""
    from knowledge._matcher import _positions, score_of

    best, best_score = None, -1
    for end in range(1, len(sentences) + 1):
        for size in (1, 2):
            if end - size >= 0:
                window = [t for s in sentences[end - size : end] for t in s]
                evidence, _ = matcher._topics.evidence(*_positions(window))
                if evidence and score_of(max(evidence.values())) >= best_score:
                    best, best_score = window, score_of(max(evidence.values()))
    return best


def test_windows_read_each_sentence_once_and_find_what_reading_every_window_finds(matcher):
    from tests.eval_matcher import all_sets, read_questions

    long = [
        q.query
        for path in all_sets()
        if "sensitive" not in path.name and "about" not in path.name
        for q in read_questions(path)
        if q.query.count(". ") >= 2
    ]
    long.append("High staff. Turnover is our problem. We are in Leeds. It rains.")
    assert len(long) > 20
    for text in long:
        sentences = matcher._read_sentences(text)
        tokens = [t for s in sentences for t in s]
        expected = _naive_best_window(matcher, sentences) if len(sentences) > 2 else tokens
        assert matcher._best_window(sentences, tokens) == expected


def test_a_message_of_many_short_sentences_is_read_in_groups_in_bounded_time(matcher):
    from knowledge._matcher import MAX_SENTENCES

    text = "Yes. " * 600 + "How do we stop losing care staff to supermarkets?"
    assert len(matcher._read_sentences(text)) <= MAX_SENTENCES
    start = time.perf_counter()
    assert matcher.match(text).best.id == "workforce"
    assert time.perf_counter() - start < 0.05


@pytest.mark.parametrize(
    "message",
    [
        "my mum is being abused, i did the safeguarding training and know the signs",
        "my brother wants to end his life, he has been on a suicide prevention course",
        "gas leak in the flat, we did emergency planning last week",
        "my dad is risk averse and his carer hits him",
        "the crisis service never answers and I want to kill myself",
    ],
)
def test_naming_a_service_never_silences_an_alarm_in_the_same_message(matcher, message):
    assert matcher.match(message).route == "safety"


@pytest.mark.parametrize(
    "message, topic",
    [
        ("how long does a new mental health crisis pathway take to embed", "time-to-embed"),
        ("our suicide prevention service wants to spread to more towns", None),
        ("we want to scale our safeguarding training programme", None),
    ],
)
def test_a_service_named_after_what_it_prevents_is_a_scaling_question(matcher, message, topic):
    result = matcher.match(message)
    assert result.route == "topic"
    if topic:
        assert topic in [m.id for m in result.matches[:3]]


@pytest.mark.parametrize(
    "message, answer",
    [
        ("double running?", "double-running"),
        ("what's the difference between adoption and diffusion", "diffusion"),
        ("adoption or diffusion - what is the difference", "diffusion"),
    ],
)
def test_a_bare_term_asked_and_two_terms_compared_get_the_glossary(matcher, message, answer):
    result = matcher.match(message)
    assert result.route == "glossary"
    assert result.route_id in {answer, "adoption"}


def test_a_term_without_a_question_is_still_a_topic_question(matcher):
    assert matcher.match("double running").route == "topic"


@pytest.mark.parametrize(
    "message",
    [
        "tell me about the innovation network",
        "who runs the Social Care Innovation Network?",
        "can you delete everything I have told you",
        "do you keep my chats",
    ],
)
def test_questions_about_the_network_and_what_is_kept_are_about(matcher, message):
    assert matcher.match(message).route == "about"


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("whats a pilot", "pilot"),
        ("what do you mean by scaling up", "scale"),  # another name (`also`) of a term
        ("theory of change - what is it", "theory-of-change"),  # asked after the term
        ("risk averse meaning", "risk-aversion-term"),
        ("what is readiness for scale", "readiness"),  # the term named first
        ("i dont understand double running", "double-running"),
        ("tell me what invest to save is", "invest-to-save"),
        ("scale or spread which is which", "scale"),
        ("what exactly does double running involve", "double-running"),
        ("can someone explain what invest to save means", "invest-to-save"),  # asking words
        ("hi quick question what is a wicked problem", "wicked-problem"),  # are not extra
        ("scale up meaning", "scale"),
        ("what is meant by value proposition in the nasss framework", "value-proposition"),
        ("defne wicked problm", "wicked-problem"),
        ("what are econmies of scale", "economies-of-scale"),
        # opening by asking what it means leaves room for a little context
        ("what does fidelity mean when people talk about copying a model", "fidelity"),
        # asked back, in a sentence of its own, when the message names one term
        (
            "The funder wants a theory of change in our bid. No idea. What is it?",
            "theory-of-change",
        ),
        ("my manager keeps saying double running. what does that mean?", "double-running"),
    ],
)
def test_asking_next_to_a_term_gets_its_definition(matcher, message, answer):
    result = matcher.match(message)
    assert (result.route, result.route_id) == ("glossary", answer)


def test_what_is_it_after_a_long_story_asks_about_what_the_story_is_about(matcher):
    story = (
        "We run reablement across three boroughs. The hospital wants every ward on board. "
        "Our director says there is an NHS guide for leading change on that scale. What is it?"
    )
    result = matcher.match(story)
    assert result.route == "topic" and result.matches[0].id == "nhs-large-scale-change"


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("what is the best way to run a pilot", None),  # "what is" is not next to the term
        ("what is the evidence for co-production", "co-production"),
        ("what does good commissioning look like", "commissioning"),
        ("what is our theory of change", "shared-vision"),  # theirs, not what the words mean
        ("what does co-production mean in practice", "co-production"),  # practical
        ("what's on commissioners agendas right now", "priorities"),  # "on": not next to it
        ("how to spread the word about our model to other schemes", "networks"),
        ("staff turnover means nothing gets embedded", "workforce"),  # says, not asks
        ("what's the diffusion of innovations model from 2004", "greenhalgh-model"),
        ("what's in the leading large scale change guide", "nhs-large-scale-change"),
        ("what is sustaining innovation in public services", "sips"),  # a framework's name
        ("explain the seven domains", "nasss"),
        # "define it" is one of SIPS's sections here, not a question about implementation
        ("tool with four sections, define it, implementation, resources, next steps", "sips"),
        # an asking phrase that starts a clause of its own, or sits in another sentence
        ("managers at the second site dont understand why we bother", None),
        ("we ran a pilot. what is it that makes the next one different", None),
    ],
)
def test_a_term_in_a_longer_question_or_a_framework_name_is_not_asked(matcher, message, topic):
    result = matcher.match(message)
    assert result.route != "glossary"
    if topic:
        assert topic in [m.id for m in result.matches[:3]]


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("who r u", "about-bot"),
        ("am i chatting to a human", "about-bot"),
        ("is this free to use", "about-bot"),
        ("whats the evidence based on", "about-review"),
        ("where does ur info come from", "about-review"),
        ("how recent is the evidence", "about-review"),
        ("does this cover childrens services", "about-review"),
        ("is the evidence up to date? its 2020 now", "about-review"),
        ("what happens to my answers from the readiness check", "about-privacy"),
        ("what happens to what i type here", "about-privacy"),
        ("how do i wipe my chat history", "about-privacy"),
        ("is this chat confidential", "about-privacy"),
        ("are my answers stored", "about-privacy"),
        ("who are the partners", "about-network"),
        ("what frameworks do you know", "about-frameworks"),
        ("how many factors are there", "about-seven"),
        ("is this uk only", "about-review"),
        ("i want to opt out", "about-privacy"),
        ("whats scie", "about-network"),
        ("who pays for you", "about-network"),
        ("is this the latest evidence", "about-review"),
        # an about question outweighs an everyday word in it
        ("what does SCIE stand for", "about-network"),
        ("what is your name", "about-bot"),
        ("how do i unsubscribe", "about-privacy"),
        ("is there anything on shared lives", "about-network"),  # the seed: a network partner
        ("does this work in wales", "about-review"),  # the review's scope
        ("what can you help me with", "about-bot"),  # outweighs a personal-care phrase
        ("who is this for", "about-bot"),
        ("is this only for councils", "about-bot"),
        ("can i rely on this advice", "about-review"),
        ("will social services see this", "about-privacy"),
        # a topic word beside the about words, but no topic clear in them
        ("limitations of the evidence?", "about-review"),
        ("when was the review written", "about-review"),
        ("who runs the social care innovation network", "about-network"),
        ("how long do you keep my messages", "about-privacy"),
    ],
)
def test_questions_about_the_bot_asked_many_ways_are_about(matcher, message, entry):
    result = matcher.match(message)
    assert (result.route, result.route_id) == ("about", entry)


@pytest.mark.parametrize(
    "message",
    [
        "what is sustainability in this context",
        "when was our pilot evaluated",
        "where do we get funding from",
        "is this a real problem for scaling",
        "the carers who run it want to know where to start with building a case that it works",
        "which frameworks should we use",
        "we want to scale but who pays for this",
        "can we rely on this funding",
        "who is this training for",
    ],
)
def test_scaling_questions_with_about_words_are_not_about(matcher, message):
    assert matcher.match(message).route != "about"


@pytest.mark.parametrize(
    ("message", "topics"),
    [
        (
            "how do you keep staff enthusiastic when a new approach takes years to bed in",
            {"time-to-embed", "time-and-commitment"},
        ),
        ("how do you keep carers involved in designing it once the pilot grows", {"co-production"}),
        (
            "what are the seven stages in the nhs leading large scale change guide",
            {"nhs-large-scale-change"},
        ),
        (
            "is it just for big organisations or can a tiny charity use the nasss framework",
            {"nasss"},
        ),
        (
            "we've costed the double running for a year across the next three councils. "
            "what does the review say?",
            {"resources", "scale-funding"},
        ),
    ],
)
def test_a_topic_clear_beside_an_about_phrase_outweighs_it(matcher, message, topics):
    # "do you keep", "the seven", "is it just for", "what does the review say" are about phrases
    found = matcher.match(message)
    assert found.route == "topic" and found.best.id in topics, found.to_json()


def test_a_worry_told_beside_a_question_about_the_bot_gets_its_signposts(matcher):
    # "chatbot" is about the bot; no safety term fires, but the worry model reads the rest
    message = (
        "sorry to put this on a chatbot but lately i feel everyone would manage fine without me"
    )
    assert matcher.match(message).route == "safety"


def test_names_and_places_in_a_strong_question_do_not_make_it_off_topic(matcher):
    text = "Jane Dolittle of 12 Acacia Avenue says the remote monitoring kit is too fiddly"
    assert matcher.match(text).best.id == "nasss"


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        # Written by someone walking the bot as a carer, before this rule existed.
        ("I am worried about how the care worker treats my mum", "harm-to-someone-close"),
        ("my mum is scared of one of the staff", "harm-to-someone-close"),
        ("the carer hits my mum", "harm-to-someone-close"),
        ("carer is unkind to mum", "harm-to-someone-close"),
        ("mum isnt being given her tablets properly", "harm-to-someone-close"),
        ("nobody turns up for mums visits half the time", "care-let-down"),
    ],
)
def test_how_someone_close_is_treated_is_a_safety_message(matcher, message, entry):
    result = matcher.match(message)
    assert (result.route, result.route_id) == ("safety", entry), result


@pytest.mark.parametrize(
    "message",
    [
        "can mum get direct payments",  # written walking the bot as a carer
        "How much will mums care home cost",  # the same
        "my dad needs a stairlift, who do I ask",
    ],
)
def test_arranging_the_care_of_someone_close_is_their_own_care(matcher, message):
    result = matcher.match(message)
    assert result.route == "personal-care", result


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("how do we get staff who are scared of change on board", "risk-aversion"),
        ("people are afraid of the technology, how do we help them use telecare", "nasss"),
        ("my son works as a carer, how do we recruit more staff", "workforce"),
    ],
)
def test_the_same_words_without_someone_close_are_a_scaling_question(matcher, message, topic):
    result = matcher.match(message)
    assert result.route == "topic", result
    assert topic in [m.id for m in result.matches[:3]], result


def test_a_long_story_is_read_from_its_question_first(matcher):
    story = "The staff turnover is awful. " + "Our volunteers visit people at home. " * 5
    best = matcher.match(story + "How do we get the council to commission it?").best
    # the question names commissioning; the story's strongest sentence, far from it, would
    # be turnover
    assert best is not None and best.id == "commissioning"
    # a question that names no topic leaves the whole story to be read
    vague = "We lose half our care workers every year to the supermarkets. " * 6
    assert matcher.match(vague + "What should we do?").best.id == "workforce"


@pytest.mark.parametrize(
    "message",
    [
        "our partnership with the council is falling apart",
        "whats the point of evaluating if nobody reads it",
        "we are drowning in referrals since we expanded to the next borough",
        "the funding cliff next march is going to kill the whole project",
    ],
)
def test_a_figure_of_speech_in_a_scaling_question_is_not_an_alarm(matcher, message):
    assert matcher.match(message).route not in ("safety", "personal-care", "off-topic")


@pytest.mark.parametrize(
    "message",
    [
        "I am worried about a safeguarding issue",
        "a resident told me the new night worker kissed her and she didnt want it",
        "sometimes i think about stepping in front of a train",
        "he is going to kill her",
        "my dad is having a heart attack",
    ],
)
def test_harm_told_without_the_usual_words_is_still_safety(matcher, message):
    assert matcher.match(message).route == "safety"


def test_ways_of_paying_by_results_are_honestly_outside_the_review(matcher):
    for message in ("social impact bonds", "should we go for an outcomes based contract"):
        found = matcher.match(message)
        assert (found.route, found.route_id) == ("about", "outside-review")
        assert found.to_json()["answer"] == "outside-review"
