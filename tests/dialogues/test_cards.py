"""Cards and pages as a person on a phone meets them: the essence first, the rest a tap away."""

from __future__ import annotations

from dialogues import Button
from dialogues.screens import AIM_LINES, SCREEN_LINES, phone_lines

FACTOR_PARTS = ["Why it matters", "What to do", "Reading", "Frameworks"]


def test_a_factor_card_opens_on_what_it_means_and_the_first_things_to_do(user):
    for factor in user.engine.kb.factors.values():
        user.send(Button(f"t:{factor.id}"))
        (card,) = user.replies
        assert factor.summary in user.text and factor.actions[0] in user.text, factor.id
        assert factor.why_it_matters not in user.text and factor.actions[-1] not in user.text
        assert "our suggestions" in user.text  # the actions are the bot's, not the review's
        assert set(FACTOR_PARTS) <= set(user.labels), factor.id
        assert phone_lines(card.text) <= SCREEN_LINES, factor.id


def test_a_second_thing_to_do_is_on_the_first_screen_when_it_still_reads_in_twelve_lines(user):
    factor = user.engine.kb.factors["teams-not-champions"]
    user.send(Button("t:teams-not-champions"))
    assert factor.actions[1] in user.text
    assert phone_lines(user.replies[0].text) <= AIM_LINES


def test_each_part_of_a_factor_card_is_its_own_screen_with_a_way_back(user):
    factor = user.engine.kb.factors["workforce"]
    user.send(Button("t:workforce"))
    user("[Why it matters]")
    assert factor.why_it_matters in user.text
    assert f"« {factor.short_title}" in user.labels
    user("[What to do]")
    assert all(action in user.text for action in factor.actions)
    user("[What the review found]")
    assert "30.8 per cent" in user.text
    user(f"[« {factor.short_title}]")
    assert factor.summary in user.text


def test_every_verified_figure_is_reachable_through_more_figures(user):
    user.send(Button("t:workforce"))
    user("[Figures]")
    shown = user.text
    user("[More figures]")
    while True:
        shown += user.text
        if "Next ›" not in user.labels:
            break
        user("[Next ›]")
    for figure in user.engine.kb.figures.values():
        assert figure.value in shown and figure.text in shown
    assert "Skills for Care (2019)" in shown


def test_reading_entries_are_tappable_and_say_what_they_are_about(user):
    entry = user.engine.kb.reading["brown-2015-lasting-legacy"]
    user.send(Button("t:sips"))
    user("[Reading]")
    user.send(Button("r:brown-2015-lasting-legacy"))
    assert entry.title in user.text and "Brown L., 2015" in user.text
    assert entry.about in user.text and "It informs:" in user.text
    assert "SIPS" in user.labels  # the topics it informs are buttons
    assert "Further reading" in user.labels


def test_every_reading_entry_has_what_it_is_about_and_what_it_informs(engine):
    for entry in engine.kb.reading.values():
        assert entry.about and entry.informs, entry.id


def test_the_reading_list_pages_and_undated_entries_have_no_dangling_comma(user):
    user("/browse", "[Further reading]")
    assert "(1 of 6)" in user.text
    user.send(Button("r:age-uk-personalised-integrated-care"))
    lines = user.text.splitlines()
    assert lines[1] == "Age UK"  # no year in the seed, so no ", " after the name


def test_a_framework_card_says_what_it_is_and_when_it_fits_first(user):
    framework = user.engine.kb.frameworks["greenhalgh-model"]
    user.send(Button("t:greenhalgh-model"))
    assert framework.summary in user.text and framework.when in user.text
    assert framework.caveats[0] not in user.text
    for name in ("What it's for", "When it fits", "How to use it", "Caveats", "Its parts"):
        assert name in user.labels
    user("[Caveats]")
    assert all(caveat in user.text for caveat in framework.caveats)
    user("[Its parts]")
    first = framework.components[0]
    user(f"[{first.title}]")
    assert first.text in user.text and "Next ›" in user.labels


def test_nasss_parts_show_each_domains_description_nasss_cat_and_start_the_check(user):
    nasss = user.engine.kb.frameworks["nasss"]
    user.send(Button("p:nasss"))
    assert "Start the NASSS check" in user.labels
    for domain in nasss.domains:
        user.send(Button(f"p:nasss:{domain.id}"))
        assert domain.about in user.text and domain.question in user.text
    user.send(Button("p:nasss:nasss-cat"))
    assert "NASSS-CAT" in user.text and "35 items" in user.text
    user("[Start the NASSS check]")
    assert user.at == ("nasss", "intro")


def test_sips_parts_show_the_section_descriptions(user):
    for section in user.engine.kb.frameworks["sips"].sections:
        user.send(Button(f"p:sips:{section.id}"))
        assert section.about in user.text
    assert "Start a SIPS record" in user.labels


def test_about_the_evidence_gives_scope_limits_two_levels_and_why_four_frameworks(user):
    user("/browse", "[About the evidence]")
    assert "since 2015" in user.text
    user("[Its limits]")
    assert "few reports" in user.text and "children's social care" in user.text
    user("[Two levels of factors]")
    assert "Albury et al. (2015)" in user.text
    user("[Why these four frameworks]")
    assert "complexity and difficulty" in user.text
    user("/about", "[About the evidence]")
    assert "About the evidence" in user.text


def test_about_the_evidence_leads_back_to_the_page_it_was_opened_from(user):
    user("/about", "[About the evidence]", "[Its limits]", "[About the evidence]", "[« Back]")
    assert "About Scaling Advisor" in user.text
    user("/browse", "[About the evidence]", "[« Back]")
    assert user.at[0] == "browse" and user.text.startswith("Browse the evidence")


def test_the_main_menu_does_not_offer_its_own_menu_button(user):
    user("/menu")
    assert "☰ Menu" not in user.labels and "« Back" not in user.labels


def test_every_way_to_browse_has_one_name_and_leads_to_one_place(user):
    seen = set()
    user("/ask")
    seen |= {(o.label, o.data) for r in user.replies for row in r.options for o in row}
    user("football scores")  # nothing found
    seen |= {(o.label, o.data) for r in user.replies for row in r.options for o in row}
    user.send(Button("l:factors-innovation"))
    seen |= {(o.label, o.data) for r in user.replies for row in r.options for o in row}
    user("/menu")
    seen |= {(o.label, o.data) for r in user.replies for row in r.options for o in row}
    browse = {(label, data) for label, data in seen if "Browse" in label}
    assert {label for label, _ in browse} == {"📚 Browse the evidence"}
    assert {data for _, data in browse} == {"f:browse"}


def test_readiness_questions_ask_one_thing_each(engine):
    for factor, question in engine.dialogues.flows["readiness"].questions.items():
        assert question.count("?") == 1 and question.endswith("?"), factor
        assert phone_lines(question) <= 4, factor


def test_a_nasss_question_is_short_and_its_anchors_are_one_tap_away(user):
    user("/nasss", "[Start]", "[Simple]", "[Simple]")
    assert "3 of 7" in user.text and "Simple:" not in user.text
    user("[What do these mean?]")
    assert "Simple:" in user.text and "our own" in user.text  # not the published rubric's
    user("[Complicated]")
    assert "4 of 7" in user.text


def test_a_nasss_result_names_each_domain_one_way(user):
    user("/nasss", "[Start]", "[Complex]", "[Complex]", *["[Complicated]"] * 5)
    result = user.text
    for domain in user.engine.kb.frameworks["nasss"].domains:
        assert domain.short_title in result
        assert domain.title == domain.short_title or domain.title not in result
    assert "A suggestion:" in result  # the per-domain advice is the bot's own


def test_old_more_detail_buttons_still_open_the_reviews_explanation(user):
    user.send(Button("d:resources"))
    assert "what the review found" in user.text


def test_the_plans_reading_list_reads_as_the_seed_gives_it(user):
    user("/readiness", "[Start]", "[Yes]", "[No]", "[Yes]", "[Yes]", "[No]", "[Yes]", "[No]")
    user("/plan")
    (document,) = [r.document for r in user.replies if r.document]
    (reading,) = [s for s in document.sections if s.heading == "Further reading"]
    assert "create, improve and adapt? Nesta, 2014" in "\n".join(reading.bullets)
    assert "A Lasting Legacy? Sustaining Innovation in a social work context. Brown L., 2015" in (
        reading.bullets
    )
    for line in reading.bullets:
        assert "?." not in line and not line.rstrip().endswith(","), line


def test_the_plans_advice_on_a_complex_domain_is_labelled_a_suggestion(user):
    user("/nasss", "[Start]", "[Complex]", *["[Simple]"] * 6)
    user("/plan")
    (document,) = [r.document for r in user.replies if r.document]
    advice = [b for s in document.sections for b in s.bullets if "A suggestion:" in b]
    assert advice and user.engine.kb.frameworks["nasss"].domains[0].simplify in advice[0]


def test_a_card_opened_from_a_question_of_a_journey_leads_back_to_that_question(user):
    user("/sips", "[Start]", "Who pays for the scaling stage?", "[Read more]")
    assert "Funding to support scale and spread" in user.text
    assert "« Back to where I was" in user.labels and "☰ Menu" in user.labels
    user("[What to do]")
    assert "« Back to where I was" in user.labels  # and from each part of it
    user("[Back to where I was]")
    assert user.at == ("sips", "questions")
    assert "1 of 16" in user.text


def test_a_card_opened_from_the_menu_has_only_the_menu(user):
    user("/menu", "how do we fund scaling up")
    assert "« Back to where I was" not in user.labels and "☰ Menu" in user.labels
