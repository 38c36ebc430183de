"""The routes' rule kinds: words `together`, phrases silenced `unless` near work words, the
scaling bar; and a message of each kind of worry people write without the obvious words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import DATA_DIR, KnowledgeLoadError, Matcher, Problem, load_knowledge
from knowledge._matcher import _fires, _places, _Term

ROUTES = "knowledge/data/routes.yaml"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_knowledge())


def _term(matcher: Matcher, **rules) -> _Term:
    """One term as the matcher builds it from a routes.yaml entry's match block."""
    from knowledge._models import MatchRules

    [term] = matcher._terms_of("test", MatchRules.model_validate({"terms": [rules]}), True)
    return term


def _positions(matcher: Matcher, text: str) -> dict[str, list[int]]:
    return _places(matcher.read(text))


def test_a_together_term_needs_a_word_of_each_group_close_together(matcher):
    term = _term(matcher, together=["someone", "money", "taken-from"], weight=2)
    assert _fires(term, _positions(matcher, "her son has taken all her pension"))
    assert _fires(term, _positions(matcher, "the pension, her son has taken it"))  # any order
    assert not _fires(term, _positions(matcher, "her son has taken the car"))  # no money word
    far = "her son visits on sundays and we talk about the weather and then took the pension"
    assert not _fires(term, _positions(matcher, far))  # 15 words from son to pension
    wide = _term(matcher, together=["someone", "money", "taken-from"], within=16)
    assert _fires(wide, _positions(matcher, far))


def test_each_group_of_a_together_term_needs_words_of_its_own(matcher):
    term = _term(matcher, together=[["carers"], ["different carers"]])
    assert not _fires(term, _positions(matcher, "it makes a difference to the carers"))
    assert _fires(term, _positions(matcher, "the carers keep sending different carers"))


def test_a_together_term_is_shown_by_the_words_it_found(matcher):
    result = matcher.match("my stepson has taken over mum's pension")
    assert result.route == "safety"
    assert "stepson + pension + taken" in result.route_terms


def test_an_unless_word_near_a_phrase_silences_it_there_and_only_there(matcher):
    term = _term(matcher, text="breaking point", weight=2, unless="figures-of-speech")
    assert _fires(term, _positions(matcher, "im at breaking point"))
    assert not _fires(term, _positions(matcher, "at breaking point with the board"))
    later = "at breaking point with the board. and at home i am at breaking point too"
    assert _fires(term, _positions(matcher, later))  # the second time it is meant
    close = _term(matcher, text="emergency", unless=["falls"], within=1)
    assert not _fires(close, _positions(matcher, "our emergency falls service"))
    assert _fires(close, _positions(matcher, "its an emergency, she falls a lot"))


@pytest.mark.parametrize(
    "message",
    [
        "at breaking point with the board over the business case",
        "drowning in paperwork for the pilot",
        "this project is killing me",
        "I'm at my wits end with funders",
    ],
)
def test_a_hard_phrase_about_work_is_a_figure_of_speech(matcher, message):
    assert matcher.match(message).route != "safety"


@pytest.mark.parametrize(
    "message",
    [
        "I'm at breaking point",
        "I'm at my wits end and can't cope any more",
        "caring for mum is killing me, I can't do this any more",
        "she's drowning in the bath",
        "our team leader found him on the floor and he's not moving",
    ],
)
def test_the_same_phrases_about_a_life_are_a_crisis(matcher, message):
    assert matcher.match(message).route == "safety"


def test_against_a_scaling_word_weak_hints_need_to_add_up_to_more(matcher):
    weak = "we spread a tool for financial abuse to safeguarding teams"  # 1 + 1, and "spread"
    assert matcher.match(weak).route == "topic"
    assert matcher.match("tool for financial abuse for safeguarding teams").route == "safety"
    strong = "we spread our service but my mum is being abused by her carer"
    assert matcher.match(strong).route == "safety"


def test_a_route_phrase_is_found_within_one_sentence(matcher):
    assert matcher.match("he is not breathing").route == "safety"
    across = "We could not. Breathing space is what the pilot needs"  # "not" + "breathing"
    assert matcher.match(across).route != "safety"
    # and an `unless` word in the next sentence does not silence a phrase in this one
    assert matcher.match("I'm at breaking point. The board meets tomorrow").route == "safety"


def test_route_entries_that_tie_are_ordered_by_the_strongest_then_the_most_words():
    from knowledge._matcher import _route_rank

    def best(**fired):
        return min(fired, key=lambda r: _route_rank(r, sum(w for w, _ in fired[r]), fired[r]))

    assert best(a=[(1.0, "treats my")], b=[(1.0, "not happy with")]) == "b"  # more words
    assert best(a=[(0.5, "hitting"), (0.5, "right now")], b=[(1.0, "hits")]) == "b"  # stronger
    assert best(a=[(2.0, "knife")], b=[(2.0, "hurting her")]) == "b"
    assert best(b=[(1.0, "scream")], a=[(1.0, "fear")]) == "a"  # all equal: the id, not order


TIES = [
    "really not happy with how they treated my brother at the respite place last week",
    "theres a man hitting my dad in the hallway right now what do i do",
    "he's got a knife and says he'll hurt her if anyone comes in",
    "staff strap my dad into his chair with a belt so he can't get up",
]


def test_the_order_of_the_route_entries_in_the_file_never_decides(tmp_path):
    """Two safety entries with equal evidence: moving `danger` after the others in routes.yaml
    changes nothing."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    routes = data / "routes.yaml"
    text = routes.read_text(encoding="utf-8")
    start, end = text.index("- id: danger\n"), text.index("- id: safeguarding\n")
    moved = text[:start] + text[end:]
    at = moved.index("- id: own-care\n")
    routes.write_text(moved[:at] + text[start:end] + moved[at:], encoding="utf-8")
    reordered = Matcher(load_knowledge(data))
    assert [t.id for t in reordered.kb.routes.values()][:2] != ["danger", "safeguarding"]
    usual = Matcher(load_knowledge())
    for message in TIES:
        first, second = usual.match(message), reordered.match(message)
        assert first.route == second.route == "safety", message
        assert first.route_id == second.route_id, message
    assert usual.match(TIES[0]).route_id == "complaint"  # "not happy with", three words


def _broken(tmp_path: Path, old: str, new: str) -> list[Problem]:
    data = tmp_path / "knowledge" / "data"  # so that the file is named as staff see it
    shutil.copytree(DATA_DIR, data)
    routes = data / "routes.yaml"
    text = routes.read_text(encoding="utf-8")
    assert old in text
    routes.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeLoadError) as error:
        load_knowledge(data)
    return [p for p in error.value.problems if p.file.endswith("routes.yaml")]


@pytest.mark.parametrize(
    ("new", "field", "says"),
    [
        (
            "{together: [dementia, got-owt], within: 12, weight: 2}",
            ".together.2",
            "not a word group",
        ),
        ("{together: [dementia, Got Out], weight: 2}", ".together.2", "not a word group's name"),
        ("{together: [dementia, [yes]], weight: 2}", ".together.2", "put the word in quotes"),
        ("{together: [dementia], weight: 2}", ".together", "needs two word groups"),
        ("{together: [[the], [a, my]], weight: 2}", ".together", "only stop words"),
        ("{text: lost, together: [dementia, me]}", "", "one only"),
        ("{text: lost, within: 3}", ".within", "goes with together: or unless:"),
        ("{text: lost, unless: [the, a]}", ".unless", "only stop words"),
        ("{text: lost, unless: [+no-such-group, board]}", ".unless", "not a word group"),
        ("{text: lost, weight: 3, unless: [board]}", "", "cannot have unless"),
        # "cutting" beside "my arms" takes three words: within 2 would never find them
        ("{together: [[cutting], [my arms]], within: 2}", ".together.1", "cannot lie within 2"),
    ],
)
def test_check_names_the_entry_and_field_of_a_broken_rule(tmp_path, new, field, says):
    old = "{together: [dementia, got-out], within: 12, weight: 2}"
    [problem] = _broken(tmp_path, old, new)
    assert (problem.file, problem.entry) == (ROUTES, "danger")
    assert problem.field.startswith("match.terms.") and problem.field.endswith(field), problem
    assert says in problem.message, problem


# Written for these tests from the kinds of message seen missed, not copied from any set.
WORRIES = {
    "stroke signs": "my wife's mouth has dropped to one side and she can't speak properly",
    "heart attack signs": "he has a bad pain down his left arm and he's sweating",
    "too much insulin": "she took double her insulin and now she's confused and shaking",
    "down and not answering": "grandad is lying at the foot of the stairs",
    "on the floor for hours": "I've been lying on the kitchen floor all night, I can't get up",
    "left wet in bed": "the night staff leave him in a wet bed until the morning",
    "papers taken": "the man he works for has taken his passport and he isn't paid",
    "afraid of family": "my aunt is terrified of her son, he threatens to put her in a home",
    "self-harm again": "I've started cutting again",
    "not missed": "no one would notice if I wasn't here",
    "at the edge": "I'm on the bridge and I'm going to jump",
    "self-neglect": "my grandad's bungalow reeks, there's rubbish piled up and he's not eating",
    "money by a stranger": "a builder conned my gran into paying him thousands for a new drive",
    "money by family": "my brother keeps pressuring dad to sign over the house to him",
    "pension taken": "her nephew collects her pension and keeps the money",
    "dementia got out": "mum has dementia and has gone out in the night, we can't find her",
    "tablets put by": "i've been stockpiling my painkillers",
    "a way to do it": "i keep thinking about jumping in front of a lorry",
    "a burden": "my kids would be happier if i was gone",
    "not waking up": "i hope i never wake up",
    "restraint": "the night staff tie my uncle to the bed with a belt",
    "sedation": "they give the residents extra tablets so they are docile",
    "touching": "a carer keeps touching my sister when nobody is around",
}
COMPLAINTS = {
    "a bill to challenge": "we were charged for care we were told was free, can I dispute it",
    "let down again": "the review has been cancelled three times now and she never rings back",
    "lost belongings": "the home has lost mum's dentures and her clothes keep going missing",
    "unanswered": "I complained weeks ago and nobody gets back to me",
    "missed visits": "the carers never turned up this morning and dad was left waiting",
    "billed for calls not made": "they invoiced dad for calls that never happened",
    "charges not agreed": "the home added activity charges to nans bill that nobody agreed to",
    "cut without a review": "they cut mums hours without a review and nobody told us",
}
OWN_CARE = {
    "more hours for dad": "dad has 6 hours a week and it's not enough, how do we get more",
    "paying for a place": "who pays for my care when my savings run out",
    "washing and dressing": "is there someone to help me get washed and dressed",
    "home from hospital": "my wife is being discharged on friday, how will she manage at home",
    "supported living": "can my daughter move into supported living",
    "respite": "i need a break from caring for my dad",
    "more hours": "my support hours aren't enough, can i get more hours",
    "selling a home": "would mum have to sell her house to pay the care home fees",
    "someone to see what help": "can someone come out and see what help my dad needs",
    "the savings limit": "is there a savings limit before they pay for care",
    "own direct payments": "i get direct payments, can i pay my neighbour with them",
    "care after college": "what happens to his care when he leaves college at 19",
    "a place for a brother": "could my brother go to a day centre a few days a week",
    "a bill for her care": "why are they charging her care at that rate, can they do that",
    "a service ending": "her reablement finishes next week and what happens after that",
    "help with the bath": "i cant get in and out of the bath any more, can an ot come",
}


@pytest.mark.parametrize("kind", WORRIES)
def test_a_worry_said_without_the_obvious_words_is_a_safety_message(matcher, kind):
    result = matcher.match(WORRIES[kind])
    assert result.route == "safety", result
    assert result.route_id in {"danger", "safeguarding", "crisis", "harm-to-someone-close"}


@pytest.mark.parametrize("kind", COMPLAINTS)
def test_a_complaint_said_without_the_word_is_a_complaint(matcher, kind):
    result = matcher.match(COMPLAINTS[kind])
    assert (result.route, result.route_id) in {("safety", "complaint"), ("safety", "care-let-down")}


@pytest.mark.parametrize("kind", OWN_CARE)
def test_a_persons_own_care_need_is_personal_care(matcher, kind):
    assert matcher.match(OWN_CARE[kind]).route == "personal-care", OWN_CARE[kind]


@pytest.mark.parametrize(
    "message",
    [
        "our emergency response service is expanding to a new county, what should the plan be",
        "how do we get safeguarding teams in other councils to take up our checklist",
        "our crisis cafe wants to open in three more towns",
        "we run a hospital discharge service and want to grow it",
        "the respite service we piloted needs funding to scale",
        "our pilot is dying because the funders pulled out",
        "we're drowning in paperwork from commissioners",
        "our app helps care homes keep medication records, how do we spread it",
    ],
)
def test_a_scaling_question_with_those_words_gets_no_safety_or_own_care_route(matcher, message):
    assert matcher.match(message).route not in ("safety", "personal-care"), message


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ("she won't let me", "she will not let me"),
        ("she wont let me", "she will not let me"),
        ("she won t let me", "she will not let me"),
        ("she will not let me", "she will not let me"),
        ("I cannot go on", "i can not go on"),
        ("I can t go on", "i can not go on"),
        ("i cnt cope", "i can not cope"),
        ("i donʼt want to", "i do not want to"),  # a modifier letter apostrophe
        ("he isn't breathing", "he is not breathing"),
        ("i wanna die", "i want to die"),
    ],
)
def test_a_negative_or_text_speak_is_read_in_full_however_it_is_typed(matcher, typed, read_as):
    assert [t.stem for t in matcher.read(typed)] == matcher.reader.read(read_as)


def test_a_rule_written_with_a_contraction_hears_every_way_of_typing_it(matcher):
    for message in ("I cannot go on", "I can not go on", "I can t go on", "i cnt go on"):
        assert matcher.match(message).route_id == "crisis", message
    assert matcher.match("he isn't breathing").route_id == "danger"  # "not breathing"


def test_a_dropped_g_is_read_as_the_rule_word_it_was(matcher):
    assert matcher.match("sum1 is takin my dads pension every week").route == "safety"
    assert matcher.match("mums on the floor not breathin").route_id == "danger"


# Written for these tests by class (threats and fear in a family without a harm word, coercion
# and control, neglect told by what is seen, indirect suicidal wording, text-speak, a worker
# raising a concern about someone they support), not copied from any set.
CLASSES = {
    "a threat if she tells": "my daughter says she'll put me in a home if I tell the doctor",
    "a threat to have him put away": "he keeps saying he'll have me sectioned if I say anything",
    "not believed": "she told me nobody would believe me if I said anything",
    "told to keep quiet": "the carer warned her to keep her mouth shut or she'd be moved",
    "fear of his drinking": "im frightened of my husband when he's had a drink",
    "on eggshells": "I walk on eggshells around my daughter, she screams if I get it wrong",
    "hiding": "I hide in my room when my grandson comes round",
    "kept in": "my son checks my phone and wont let me go out on my own",
    "kept from the phone": "he doesnt let mum talk to anyone on the phone",
    "asking for her own money": "my wife has to ask her brother for her own pension every week",
    "made to sign": "they made him sign papers he didn't understand",
    "fed if she obeys": "she only gets fed if she does what she's told",
    "moved in": "some lads have moved into my brother's flat and he's scared",
    "two signs of neglect": "mums flat is freezing and the fridge is empty",
    "a soaked bed": "her bed is soaking and nobody has changed the sheets",
    "goodbye letters": "I've written goodbye letters to everyone",
    "how many it takes": "i've looked up how many sleeping pills it takes",
    "not missed": "no one would miss me if I was gone",
    "not around much longer": "I won't be around much longer so it doesnt matter",
    "the point of living": "what's the point in living like this",
    "not safe": "I'm not safe on my own tonight",
    "text-speak": "im gonna kill myself 2nite",
    "a worker's concern": "I run a charity and one of our volunteers has been self harming",
    "not seen for days": "a man in our sheltered housing scheme hasn't been seen for days",
    "too many tablets": "me da has took too many of his tablets",
    "punished": "the staff keep her in her room as punishment and one of them pulled her hair",
    "cut off from family": "he's cut me off from my family and friends",
    "loans in her name": "my son took out loans in my name",
    "no help to the toilet": "no one will help her to the toilet so she wets herself",
    "scared": "help im scared",
    "breathing": "my dad is having trouble breathing",
    "a weapon outside": "there's a man with a hammer outside my mums house",
    "broken into": "someone's broken into nan's house and she's still inside",
    "hanging by a thread": "i'm barely holding on",
    "rock bottom": "i've hit rock bottom",
    "a bad way": "i'm in a really bad way mentally",
    "how much longer": "i don't know how much longer i can do this",
    "too much": "everything is too much",
    "lonely, no help": "i'm exhausted and there's no one to help me",
    "just cant": "caring for mum 24/7 and i just can't anymore",
    "it to be over": "i just want it all to be over",
    "something stupid": "i'm scared i'll do something stupid tonight",
    "prize post": "dad keeps posting cheques to companies that say he's won a prize",
    "kept off the record": "the deputy told me not to record the bruises on her arm",
    "a marriage she cannot agree to": "taking my sister abroad to be married, she has no idea",
    "sex for rent": "her landlord says she can have the room for sex instead of rent",
    "food kept back": "she gets no dinner if she doesnt behave for the night staff",
    "a plan": "i've worked out how i would do it",
    "a rope": "there's a cord in the shed and i keep thinking about it",
    "in the way": "im just taking up space now",
    "by the throat": "my brother has got mum by the throat",
    "not back": "dad hasnt come back from the shops and its dark now",
    "money that never adds up": "my uncles money never adds up since his neighbour took over",
    "a road accident": "a van has just knocked down an old man outside the shop",
    "a goodbye, then silence": "my flatmate texted goodbye to me and now her phone is off",
    "a plan and a date": "i have a plan and a date now",
    "no point being here": "i see no point in being here anymore",
    "wages taken": "the boss collects their wages and the lads never see a penny",
    "made to work": "my brother is made to work in his carers shop for nothing",
    "calls signed as full": "they stay 5 minutes instead of an hour and sign for the full call",
}


@pytest.mark.parametrize("kind", CLASSES)
def test_each_class_of_worry_without_the_obvious_words_is_a_safety_message(matcher, kind):
    assert matcher.match(CLASSES[kind]).route == "safety", CLASSES[kind]


@pytest.mark.parametrize(
    "message",
    [
        "our team is hopeless at data, how do we build the evidence",
        "we are tied to the old contract, how do we commission differently",
        "our app just dies after the pilot, how do we sustain it",
        "it just dies when the grant ends",
        "the team can't keep going at this pace while we scale",
        "staff can't keep going with double running the old and new service",
        "we're drowning in referrals since the pilot started",
        "our befriending scheme is dying on its feet",
        "our pilot is bleeding money, how do we make the case to commissioners",
        "managers are frightened of failure, how do we build a learning culture",
        "we've trained staff to recognise neglect, how do we roll it out",
        "the tech detects when someone with dementia wanders off, how do we get councils to buy it",
        "we help people who feel suicidal, how do we get commissioned",
        "how do we spread our complaints handling approach to other providers",
        "I'm at breaking point with the board, they just won't back spreading the project",
        "how do we reduce 999 calls from care homes with our telecare service",
        "our falls service cuts ambulance callouts, how do we prove it to the ICB",
        "we want to spread our unconscious bias training across the workforce",
        "our seizure detection tech is ready to scale",
        "how do we reduce pressure sores across care homes with our app",
        "we run training to recognise exploitation of adults, how do we expand",
        "how do we cut inappropriate safeguarding referrals from providers",
        "the rollout is on fire, staff love it, how do we keep momentum",
        "people in danger of falling through the gaps between services, how do we join up",
        "reducing emergency admissions is what the ICB wants from our pilot",
        "staff morale has hit rock bottom, how do we keep the team on board",
        "we can't take much more change in the workforce, how do we pace the rollout",
        "our finances are in a bad way, can we still scale",
        "I'm scared the board won't fund the rollout",
        "our whole team is drowning in referrals since the rollout",
        "staff on the floor love it, how do we get managers on side",
        "can we break the rollout into phases",
        "the numbers are not moving yet, should we still spread it",
        "our rough sleepers discharge project wants to expand",
        "officers won't touch it, how do we get the council on board",
        "managers too scared to try anything new",
        "the founder is choking the growth of the whole programme",
        "it died in two councils, how do we find out why",
        "our memory cafes are on fire in two towns, how do we grow",
        "spread the know-how so the service doesnt collapse when one person leaves",
        "we cant carry on like this with one year contracts, how do others get longer ones",
        "the team who built the app is leaving, who should lead the rollout",
    ],
)
def test_a_figure_of_speech_beside_a_scaling_question_keeps_its_topic(matcher, message):
    assert matcher.match(message).route != "safety", message


def test_said_of_oneself_a_hard_phrase_is_strong_even_beside_a_scaling_word(matcher):
    assert matcher.match("the team can't keep going while we scale").route != "safety"
    assert matcher.match("I can't keep going, even though our pilot is scaling").route == "safety"


def test_fear_for_someone_close_is_a_safety_message(matcher):
    assert matcher.match("im scared for my dad").route == "safety"
    message = "please can someone ring me about my dad, im scared for him"
    assert matcher.match(message).route == "safety"


def test_an_idea_beside_a_relatives_care_is_not_their_own_care(matcher):
    idea = (
        "my mum goes to a day centre and the staff are lovely, i have an idea for a cafe for"
        " carers where people can drop in, how do i get it going"
    )
    assert matcher.match(idea).route != "personal-care"


def test_a_general_grievance_is_not_a_complaint_about_care(matcher):
    assert matcher.match("nobody listens to carers").route != "safety"
    assert matcher.match("nobody listens to me about mums care").route_id == "complaint"


def test_what_care_workers_are_paid_is_jobs_and_pay(matcher):
    found = matcher.match("how much do care workers get paid")
    assert (found.route, found.route_id) == ("off-topic", "jobs-and-pay")


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("strong gas smell at my nans and she wont open the door", "danger"),
        ("theres a man waving a knife at the staff in reception", "danger"),
        ("my son ran off towards the main road and hes autistic", "danger"),
        ("grandad drank bleach, he thought it was juice", "danger"),
        ("no answer from mum for two days and her curtains are still shut", "danger"),
        ("he said if i tell anyone he will stop my visits home", "safeguarding"),
        ("since the lodger came dads flat is in her name now", "safeguarding"),
        ("i burnt myself again last night", "crisis"),
        ("my head is a mess and its 3am", "crisis"),
        ("the wardrobe fell on my nan and shes pinned underneath it", "danger"),
        ("dads in the garage with the engine running and the door shut", "danger"),
        ("the urge to cut is really strong tonight", "crisis"),
        ("once the funeral is done im not planning on sticking around", "crisis"),
        ("my aunt has to ask her son before she can spend a penny", "safeguarding"),
        ("her husband speaks for her at every appointment, she never says a word", "safeguarding"),
        ("i know how much of her morphine it would take, ive thought about it", "crisis"),
        ("her nephew has power of attorney and has just booked himself a holiday", "safeguarding"),
        ("on my break i stood at the edge of the multi storey thinking of stepping off", "crisis"),
    ],
)
def test_worries_told_by_what_is_happening_get_their_signposts(matcher, message, entry):
    found = matcher.match(message)
    assert (found.route, found.route_id) == ("safety", entry)


@pytest.mark.parametrize(
    "message",
    [
        "our hoarding and self neglect project is hard to pin down, is it complex?",
        "neglect in care homes is what we are trying to fix but the partners cant agree",
        "we run overdose awareness sessions and want to take them to new towns",
        "our carbon monoxide alarm scheme for older tenants wants to grow",
        "managers keep asking what if someone gets hurt whenever we try to grow",
        "we built a short breaks offer in one borough, what should other areas keep the same?",
        "our cuckooing awareness campaign is spreading to three more towns, who should lead?",
        "the self neglect toolkit works here, how do we get other councils to use it",
        "the board like our falls idea but its not a priority right now, how do we tie it in",
        "our self neglect panel works here, how do we take it county wide",
        "the director behind our modern slavery awareness course has left",
        "our falls pick-up service means far fewer ambulances, how do we get it commissioned",
        "our group started after a member's son died by suicide, now the nhs wants it everywhere",
    ],
)
def test_a_service_named_after_a_harm_or_a_fear_of_one_is_a_scaling_question(matcher, message):
    assert matcher.match(message).route != "safety"


def test_equipment_named_with_a_verb_of_harm_is_not_that_harm(matcher):
    found = matcher.match("mum needs grab bars by the bath, who do i ask")
    assert found.route == "personal-care"


def test_what_care_costs_beside_savings_is_own_care_not_a_complaint(matcher):
    found = matcher.match("how much will the council charge for dads carers? he has 40k saved")
    assert found.route == "personal-care"
    wronged = matcher.match("the agency keeps charging mum for visits nobody made")
    assert (wronged.route, wronged.route_id) == ("safety", "complaint")


def test_a_story_asking_how_to_grow_is_a_topic_whatever_its_care_details(matcher):
    story = (
        "I'm a carer for my daughter, she has a learning disability and gets respite care "
        "two nights a month. "
        "Three of us mums set up a shared personal assistant scheme with the council. "
        "Now other boroughs want it too. How do we keep families in charge as it grows?"
    )
    assert matcher.match(story).route == "topic"
    asking = story.replace(
        "How do we keep families in charge as it grows?", "Can I get more respite for her?"
    )
    assert matcher.match(asking).route == "personal-care"


def test_loneliness_is_no_lone_champion(matcher):
    found = matcher.match("feeling so lonely since my husband passed in the spring")
    assert not any("lone" in m.terms for m in found.near)  # the rule word of lone champions
    # "died" stays the stem of dying: "I think he has died" is an emergency
    assert matcher.match("i think dad has just died, hes not moving").route_id == "danger"


def test_whether_to_take_a_job_is_jobs_and_pay(matcher):
    found = matcher.match("should i take the job at the other agency or stay where i am")
    assert (found.route, found.route_id) == ("off-topic", "jobs-and-pay")


def test_a_refund_refused_for_care_is_a_complaint(matcher):
    found = matcher.match("the agency billed dad for two weeks after he left and wont refund it")
    assert (found.route, found.route_id) == ("safety", "complaint")


def test_what_someone_pays_towards_their_care_is_own_care(matcher):
    found = matcher.match("dads contribution to his home care has gone up again, why?")
    assert found.route == "personal-care"


@pytest.mark.parametrize(
    "message",
    [
        "im 79 and really struggling with the washing and the shopping now",
        "i live alone and im struggling with meals, how do i ask the council for help",
        "me deaf, need interpreter for my care review, how get one",
    ],
)
def test_struggling_with_everyday_tasks_is_own_care_not_a_crisis(matcher, message):
    assert matcher.match(message).route == "personal-care"


def test_a_word_group_takes_in_another_named_with_a_plus(tmp_path):
    data = tmp_path / "knowledge" / "data"
    shutil.copytree(DATA_DIR, data)
    lists = data / "matching.yaml"
    text = lists.read_text(encoding="utf-8")
    old = "struggling-with: [+figures-of-speech, +everyday-tasks]"
    assert old in text
    lists.write_text(text.replace(old, "struggling-with: [+figures-of-speech, +chores]"))
    with pytest.raises(KnowledgeLoadError) as error:
        load_knowledge(data)
    [problem] = [p for p in error.value.problems if p.file.endswith("matching.yaml")]
    assert problem.entry == "struggling-with" and "no other word group 'chores'" in problem.message
    shipped = load_knowledge().matching
    assert set(shipped.group("struggling-with")) == {
        *shipped.group("figures-of-speech"),
        *shipped.group("everyday-tasks"),
    }


def test_hurting_oneself_in_other_words_is_a_crisis_but_kicking_oneself_is_not(matcher):
    for message in ("i keep hitting myself when it all gets too much", "been punching myself"):
        found = matcher.match(message)
        assert (found.route, found.route_id) == ("safety", "crisis"), message
    assert matcher.match("i could kick myself for missing the bid deadline").route != "safety"
    assert matcher.match("he kicked her in the stomach").route_id == "danger"


def test_what_the_review_says_about_a_topic_is_that_topic(matcher):
    found = matcher.match("what does the review say about recruitment")
    assert (found.route, found.best.id) == ("topic", "workforce")
    assert matcher.match("what does the review say").route_id == "about-review"
    assert matcher.match("which review is this").route_id == "about-review"


@pytest.mark.parametrize(
    "message",
    [
        # danger words said of the work, or of what might happen
        "our befriending project keeps choking on the data sharing, how do we spread it",
        "the whole care sector is on fire at the moment, should we still try to grow",
        "is a social investment loan a noose round our neck if we scale",
        "whenever we pitch it to a new council someone asks what if somebody dies",
        "we took advantage of them offering a pilot site",
        # work named after a harm
        "our safeguarding training is good but managers wont release staff for it",
        "the complaints handling redesign stalled once its lead left",
        "restraint reduction stuck in two homes and faded in the rest, why",
        "funding to grow our cuckooing work across the county",
        # a harm's word given as the reason to say no to an idea
        "the board hides behind safeguarding whenever we propose supported risk taking",
        "safeguarding is always the excuse managers give",
        # giving up said of a group and its work
        "after two slow years should we give up on it",
    ],
)
def test_a_harm_word_said_of_the_work_keeps_the_topic(matcher, message):
    assert matcher.match(message).route == "topic"


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("my dad is choking on his dinner", "danger"),
        ("i made a noose last night", "crisis"),
        ("she's dying, she's gone grey and cold", "danger"),
        ("some lads from the estate are taking advantage of him", "safeguarding"),
        ("i want to raise a safeguarding about the home my dad is in", "safeguarding"),
        ("they use restraint on him every day", "safeguarding"),
        ("how do i make a complaint about mums carers", "complaint"),
        ("she fainted in the lounge and hasnt come round", "danger"),
        ("i raised a safeguarding about my dad and the home says no one hurt him", "safeguarding"),
        ("the manager calls it red tape but i think my sister is being neglected", "safeguarding"),
        ("some days i just want to give up", "crisis"),
    ],
)
def test_the_same_words_about_a_person_still_get_their_signposts(matcher, message, entry):
    found = matcher.match(message)
    assert (found.route, found.route_id) == ("safety", entry)
