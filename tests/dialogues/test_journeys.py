"""Each journey of the design, end to end through the engine with the real YAML."""

from __future__ import annotations

from datetime import timedelta

from dialogues import AssessmentDone, Button, Feedback, FollowUpRequested, Matched
from dialogues.actions import Open, encode
from dialogues.screens import SCREEN_LINES, phone_lines

READINESS_ANSWERS = ["[Yes]", "[No]", "[No]", "[Partly]", "[Yes]", "[Not sure]", "[No]"]


def _triage(user, *, tech: str, stage: str, scope: str, hardest: str | None = None) -> None:
    user("/triage", "[Innovator]", f"[{stage}]", f"[{tech}]", f"[{scope}]")
    user(hardest if hardest else "[Skip]")


def test_triage_for_a_technology_supported_innovation_recommends_nasss(user):
    _triage(user, tech="technology is central", stage="Piloting", scope="One organisation")
    assert user.at == ("menu", "menu")
    (done,) = user.effects_of(AssessmentDone)
    assert done.kind == "triage"
    assert done.result["frameworks"][0] == "nasss"
    assert "NASSS" in user.text
    assert "technology is central" in user.text  # the reason is in terms of the answers
    assert "Watch first" in user.text
    assert len(done.result["watch"]) == 3


def test_triage_for_a_regional_way_of_working_recommends_large_scale_change(user):
    _triage(user, tech="No, it's a way of working", stage="Spreading", scope="Regional")
    (done,) = user.effects_of(AssessmentDone)
    assert "nhs-large-scale-change" in done.result["frameworks"]
    assert "nasss" not in done.result["frameworks"]
    assert "regional or national" in done.result["reasons"]["nhs-large-scale-change"][0]


def test_triage_uses_the_hardest_part_in_the_users_own_words(user):
    _triage(user, tech="Partly", stage="idea", scope="One team", hardest="Complexity")
    (done,) = user.effects_of(AssessmentDone)
    assert done.answers["hardest"] == "Complexity"
    assert "complexity" in done.result["watch"]
    assert list(user.effects_of(Matched))


def test_triage_result_offers_the_frameworks_the_factors_and_the_plan(user):
    _triage(user, tech="technology is central", stage="Piloting", scope="One team")
    assert "NASSS" in user.labels
    assert any("plan" in label.lower() for label in user.labels)
    user("[NASSS]")
    assert {"👍 Helpful", "👎 Not helpful"} <= set(user.labels)


def test_readiness_gives_a_profile_three_priorities_and_a_chart(user):
    user("/readiness", "[Start]", *READINESS_ANSWERS)
    chart_reply, *results = user.replies
    assert results and all(phone_lines(r.text) <= SCREEN_LINES for r in results)  # a screen each
    assert results[-1].options and not any(r.options for r in results[:-1])  # buttons last
    chart = chart_reply.chart
    assert chart is not None and chart.palette == "readiness"
    assert [row.level for row in chart.rows] == [
        "green", "red", "red", "amber", "green", "unknown", "red",
    ]  # fmt: skip
    assert chart.caption.startswith("Your readiness profile")
    (done,) = user.effects_of(AssessmentDone)
    # Reds first, in the seed's order, then "not sure".
    assert done.result["priorities"] == ["difficult-environment", "resources", "evidence"]
    assert "Your priorities" in user.text
    assert "Since" not in user.text  # nothing to compare with yet


def test_repeating_readiness_shows_what_changed_since_last_time(user):
    user("/readiness", "[Start]", *READINESS_ANSWERS)
    user.now += timedelta(days=30)
    user("/readiness", "[Start]", "[Yes]", "[Yes]", "[No]", "[Partly]", "[No]", "[Not sure]")
    user("[No]")
    assert "Since 3 March\n" in user.text
    assert "1 better, 1 worse, 5 the same" in user.text
    assert "A difficult environment: Not yet → Ready" in user.text
    chart = user.replies[0].chart
    assert chart.rows[1].previous == "red" and chart.rows[1].level == "green"
    assert chart.legend_previous == "Last time"
    assert len(user.state["results"]["readiness"]) == 2


def test_nasss_warns_when_several_domains_are_complex(user):
    user("/nasss", "[Start]")
    assert "1 of 7" in user.text and "Simple:" not in user.text
    user("[What do these mean?]")  # the anchors, with the same choices under them
    assert "1 of 7" in user.text and "Simple:" in user.text and "Complex:" in user.text
    assert "our own" not in user.text  # the condition's anchors are the published rubric's
    user("[Complex]")
    assert "2 of 7" in user.text
    user("[Complex]", "[Simple]", "[Complicated]", "[Complex]", "[Simple]")
    user("[Not sure]")
    (done,) = user.effects_of(AssessmentDone)
    assert done.kind == "nasss" and len(done.result["complex"]) == 3
    assert "rarely, if ever, became mainstream" in user.text
    assert user.replies[0].chart.palette == "complexity"


def test_nasss_with_nothing_complex_has_no_warning(user):
    user("/nasss", "[Start]", *["[Simple]"] * 6, "[Complicated]")
    assert "rarely, if ever" not in user.text
    assert "Complicated, but manageable" in user.text


def test_sips_asks_the_four_sections_saves_and_revisits(user):
    user("/sips", "[Start]")
    assert "1 of" in user.text
    total = int(user.text.split("1 of ")[1].split(" ")[0])
    user("A befriending scheme matching volunteers with older people")
    for _ in range(total - 1):
        user("[Skip]")
    (done,) = user.effects_of(AssessmentDone)
    assert done.kind == "sips"
    assert "befriending" in user.text
    assert "Come back after you implement" in user.text

    user.now += timedelta(days=90)
    user("/sips", "[Start]")
    assert "Record what changed" in user.labels
    user("[Record what changed]")
    assert "Last time you said" in user.text and "befriending" in user.text
    user("We now match by shared interests, because early matches fizzled out")
    for _ in range(total - 1):
        user("[Skip]")
    (update,) = user.effects_of(AssessmentDone)
    assert "Before: A befriending scheme" in user.text
    assert "Now: We now match by shared interests" in user.text
    assert update.result["changed"] == [f"{user.engine.kb.frameworks['sips'].sections[0].id}-1"]
    user("/sips", "[Start]", "[See my record]")
    assert "shared interests" in user.text


def test_no_sips_record_yet_still_has_back_and_menu(user):
    user("/start", "[OK, keep my messages]")
    user.send(Button(encode(Open("sips", "show"))))  # an old "See my record", after /forget
    assert "haven't started a SIPS record" in user.text
    assert {"Start a new record", "« Back", "☰ Menu"} <= set(user.labels)


def test_the_sips_record_is_a_section_a_screen_with_buttons_between_them(user):
    sections = user.engine.kb.frameworks["sips"].sections
    total = sum(len(s.questions) for s in sections)
    long = " ".join(["Our Shared Lives scheme is spreading to a second area"] * 18)
    user("/sips", "[Start]", *[f"Answer {n}: {long}" for n in range(1, total)], "Last answer")
    assert phone_lines(user.text) <= SCREEN_LINES
    assert sections[0].title in user.text and sections[1].title not in user.text
    assert "Cut short" in user.text  # the plan keeps them whole
    assert {"« Back", "☰ Menu"} <= set(user.labels)
    assert {s.short_title for s in sections[1:]} <= set(user.labels)
    user(f"[{sections[-1].short_title}]")
    assert sections[-1].title in user.text and "Last answer" in user.text
    assert phone_lines(user.text) <= SCREEN_LINES
    assert sections[0].short_title in user.labels and sections[-1].short_title not in user.labels

    user.now += timedelta(days=30)
    user("/sips", "[Start]", "[Record what changed]")
    assert phone_lines(user.text) <= SCREEN_LINES  # last time's long answer, shortened
    user(*[f"Changed {n}: {long}" for n in range(1, 5)], *["[Skip]"] * (total - 4))
    assert "Before: Answer 1" in user.text and "Now: Changed 1" in user.text
    assert phone_lines(user.text) <= SCREEN_LINES
    user.now += timedelta(days=30)
    user("/sips", "[Start]", "[Record what changed]", "[Skip]", "[Skip]", "[Skip]", "[Skip]")
    # Last time means the whole record, not just what the previous update changed.
    assert "Last time you said:</i> Answer 5" in user.replies[-1].text


def test_team_request_gives_a_reference_and_asks_for_a_follow_up(user):
    user("/team", "We'd like help planning a Shared Lives expansion")
    user("[By email]", "jo@example.org")
    (request,) = user.effects_of(FollowUpRequested)
    assert request.reference.startswith("SA-") and len(request.reference) == 9
    assert request.reference in user.text
    assert request.contact == "email: jo@example.org"
    assert "Shared Lives" in request.note


def test_not_sure_yet_is_not_taken_as_an_email_address(user):
    user("/team", "Help with commissioning", "[By email]")
    for typed in ("not sure yet", "jo at example dot org", "jo@example", "@example.org"):
        user(typed)
        assert not list(user.effects_of(FollowUpRequested)), typed
        assert "doesn't look like an email address" in user.text
        assert "What's your email address?" in user.text  # asked again, Back still there
        assert "« Back" in user.labels
    user("[Back]", "[By phone]", "ring me maybe")
    assert "doesn't look like a phone number" in user.text
    user("+44 (0)20 7946 0958")
    (request,) = user.effects_of(FollowUpRequested)
    assert request.contact == "phone: +44 (0)20 7946 0958"


def test_team_references_differ_between_requests(user):
    user("/team", "first", "[Message me here]")
    first = next(user.effects_of(FollowUpRequested)).reference
    user("/team", "second", "[Message me here]")
    assert next(user.effects_of(FollowUpRequested)).reference != first


def test_typed_note_to_team_is_not_sent_to_the_matcher(user):
    user("/team", "staff turnover is killing us")
    assert user.at == ("team", "contact")
    assert not list(user.effects_of(Matched))


def test_a_note_to_the_team_put_as_a_question_is_the_note_not_answered_by_the_bot(user):
    """People asking for a person often ask a question; it goes to the team as written."""
    user("/team", "Can someone call me about funding to scale our scheme?")
    assert user.at == ("team", "contact") and not list(user.effects_of(Matched))
    user("[Message me here]")
    (request,) = user.effects_of(FollowUpRequested)
    assert request.note == "Can someone call me about funding to scale our scheme?"
    # Elsewhere a question at a free-text step is still answered briefly, as before.
    user("/sips", "[Start]", "how can we evidence outcomes to get funding?")
    assert [e.ids for e in user.effects_of(Matched)] == [("evidence",)]


def test_browse_lists_and_cards(user):
    user("/browse", "[Seven of particular relevance]")
    seven = [group.short_title for group in user.engine.kb.key_factors]
    assert [
        label for label in user.labels if label not in ("☰ Menu", "📚 Browse the evidence")
    ] == seven
    user("/browse", "[Frameworks]")
    frameworks = [f.short_title for f in user.engine.kb.frameworks.values()]
    assert [label for label in user.labels if label in frameworks] == frameworks
    user("[NASSS]")
    assert "Its parts" in user.labels
    user("[Its parts]")
    assert "its parts" in user.text
    assert "Start the NASSS check" in user.labels  # the parts lead straight into the check
    user("[Technology]")
    assert "The question to ask" in user.text
    user("/browse", "[Further reading]")
    assert "(1 of 6)" in user.text
    user("[Next]")
    assert "(2 of 6)" in user.text
    user("/browse", "[Glossary]")
    user.send(Button(f"g:{next(iter(user.engine.kb.glossary))}"))
    assert user.text
    user("/browse", "[About the network]")
    assert "Shared Lives Plus" in user.text


def test_a_key_factor_card_has_the_figures_detail_and_feedback(user):
    user.send(Button("t:workforce"))
    assert "Of particular relevance" in user.text
    user("[Figures]")
    assert "30.8%" in user.text and "Skills for Care" in user.text
    user("[What the review found]")
    assert "what the review found" in user.text
    user.send(Button("t:workforce"))
    user("[Helpful]")
    assert list(user.effects_of(Feedback)) == [Feedback("workforce", True)]
    user.send(Button("t:workforce"))
    user("[Not helpful]")
    assert list(user.effects_of(Feedback)) == [Feedback("workforce", False)]
    assert "Talk to the network team" in user.labels


def test_plan_is_empty_at_first_then_holds_the_users_work(user):
    user("/plan")
    assert "nothing in your plan yet" in user.text
    assert all(r.document is None for r in user.replies)
    _triage(user, tech="technology is central", stage="Piloting", scope="One team")
    user("/readiness", "[Start]", *READINESS_ANSWERS)
    user("/plan")
    (document,) = [r.document for r in user.replies if r.document]
    headings = [s.heading for s in document.sections]
    assert headings[:2] == ["What fits your innovation", "Your readiness profile"]  # as in chat
    assert "Next steps" in headings and "Further reading" in headings
    triage = document.sections[0]
    assert triage.table[0] == ("Question", "Your answer")
    assert ("Technology", "Yes, technology is central") in triage.table
    assert any("NASSS" in b for b in triage.bullets)  # each framework that fits, a bullet
    assert document.sections[1].chart is not None


def test_ask_answers_with_a_card_and_records_what_matched(user):
    user("/ask")
    assert "Type it in your own words" in user.text
    user("how can we evidence our outcomes")
    (matched,) = user.effects_of(Matched)
    assert matched.ids[0] == "evidence"
    assert user.text.startswith("Evidence that it works") and "Why it matters" in user.labels
    assert user.at == ("ask", "question")  # the next question can follow straight away


def test_ask_offers_a_choice_when_unsure_and_says_so_when_nothing_fits(user):
    user("/ask", "we need leaders")  # two topics on leaders, as close as each other
    assert "Which is closest?" in user.text
    assert "None of these" in user.labels and len(user.labels) >= 4
    user("[None of these]")
    assert "couldn't find that" in user.text
    assert {"📚 Browse the evidence", "Talk to the network team"} <= set(user.labels)
    user("/ask", "pencil table window")  # words of no topic and no worry
    assert "couldn't find that" in user.text
    # a worry in words no rule knows still meets the signposts (reference/signposting.md)
    assert "call 999" in user.text and "Samaritans are free on 116 123" in user.text
    assert not list(user.effects_of(Matched))
    user("/ask", "football scores")
    assert "not something I can help with" in user.text
    assert not list(user.effects_of(Matched))
    user("hello")
    assert "Hello!" in user.text


def test_repeating_nasss_shows_what_changed(user):
    user("/nasss", "[Start]", "[Complex]", "[Complex]", *["[Simple]"] * 5)
    user.now += timedelta(days=60)
    user("/nasss", "[Start]", "[Complicated]", "[Complex]", *["[Simple]"] * 4, "[Complex]")
    assert "Since 3 March\n" in user.text
    assert "1 simpler, 1 more complex, 5 the same" in user.text
    assert user.replies[0].chart.rows[0].previous == "complex"
