"""Conversations: follow-ups read against the last answer, small talk, paragraph requests, and expiry."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.answer import Answer
from bot.core.conversation import CONTEXT_SECONDS, MAX_TURNS, Conversation, FollowUp, Turn, follow_up_kind
from bot.core.matcher import LINKED_LEAD_ALLOWANCE, RESTATED_LEAD_ALLOWANCE, Matcher
from bot.core.model import Entry, KnowledgeBase


@pytest.fixture(scope="module")
def matcher(knowledge: KnowledgeBase) -> Matcher:
    return Matcher(knowledge)


def talk(matcher: Matcher, *messages: str, gap: float = 5.0) -> list[tuple[str, str | None, str | None]]:
    """Each message in turn, ``gap`` seconds apart: (kind, entry id, the entry it followed up)."""
    conversation, now, results = Conversation(), 0.0, []
    for message in messages:
        explanation, conversation = matcher.reply(message, conversation, now)
        answer = explanation.answer
        results.append((answer.kind, answer.entry.id if answer.entry else None, answer.follow_up_of))
        now += gap
    return results


@pytest.mark.parametrize(
    ("first", "then", "previous"),
    [
        ("what role did the west play in pushing them together", "what kind of hostility", "western-hostility"),
        ("who wrote this", "what uni", "author"),
        ("what does russia want in the long run", "which regions especially?", "russia-goals"),
    ],
)
def test_asked_by_kind_after_an_answer_that_lists_the_instances_shows_it_again(
    matcher: Matcher, first: str, then: str, previous: str
) -> None:
    """ "What kind of hostility?" after "that hostility, in the form of sanctions, economic conflicts…":
    the answer just given names them, so it answers; it is not declined as asking more than the essay says."""
    conversation = Conversation()
    _, conversation = matcher.reply(first, conversation, 0.0)
    assert conversation.turns[-1].entry_id == previous
    without = Matcher(matcher.knowledge, without={"listed-instances"})

    assert without.reply(then, conversation, 5.0)[0].answer.reason in ("more-than-said", "follow-up-unexplained")
    answer = matcher.reply(then, conversation, 5.0)[0].answer
    assert (answer.kind, answer.entry.id if answer.entry else None) == ("answer", previous)


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("what does china get out of it", "and russia?", "what-russia-gets"),
        ("what does russia get from china", "what about china?", "what-china-gets"),
        ("what does xi gain from being seen with putin", "and putin?", "what-putin-gains"),
        ("who is the dominant partner?", "and militarily?", "dominant-partner"),
        ("what does russia get from china", "and the other way round?", "what-china-gets"),
        ("what does china get out of it", "vice versa?", "what-russia-gets"),
        # "The other one" is the other side, when that is all the reply asks.
        ("what does russia want in the long run", "what about the other one?", "china-goals"),
        ("what does xi gain from all this", "and the other guy?", "what-putin-gains"),
        # Not the counterpart named before (Putin's is Xi), but the other side: asked of him.
        ("what does russia want in the long run", "what about xi?", "china-goals"),
        ("what does china want in the long run", "and putin?", "russia-goals"),
    ],
)
def test_an_elliptical_reply_is_the_previous_question_with_the_new_part(
    matcher: Matcher, first: str, then: str, expected: str
) -> None:
    """ "and Russia?" after a question about China asks the same of Russia: the counterparts swap."""
    [_, (kind, entry, follow_up_of)] = talk(matcher, first, then)

    assert (kind, entry) == ("answer", expected)
    assert follow_up_of is not None


@pytest.mark.parametrize(
    "then",
    [
        "source?",
        "where does it say that",
        "quote pls",
        "which para is that from",
        "tell me more",
        "how so",
        "is that true tho",
        "i dont get it",  # about the asker, so small talk alone; after an answer it asks for more of it
        "im confused",
    ],
)
def test_asking_for_the_evidence_or_more_shows_the_last_answers_passages_in_full(matcher: Matcher, then: str) -> None:
    """ "source?" or "why?" after an answer: the same entry, its cited paragraphs in full."""
    conversation = Conversation()
    _, conversation = matcher.reply("who is the dominant partner?", conversation, 0.0)
    explanation, _ = matcher.reply(then, conversation, 5.0)

    answer = explanation.answer
    assert answer.entry is not None
    assert (answer.entry.id, answer.follow_up_of, answer.detail) == ("dominant-partner", "dominant-partner", True)


@pytest.mark.parametrize(
    "then", ["why?", "why tho", "how come", "why is that so", "so what is it based on then?", "what's really behind it"]
)
def test_why_is_answered_by_the_entry_that_gives_the_essays_reasons(
    matcher: Matcher, knowledge: KnowledgeBase, then: str
) -> None:
    """ "why?" after an answer: the entry its ``why`` names, as a follow-up of the first."""
    conversation = Conversation()
    _, conversation = matcher.reply("who is the dominant partner?", conversation, 0.0)
    answer = matcher.reply(then, conversation, 5.0)[0].answer

    assert answer.entry is not None
    assert answer.entry.id == knowledge.entry("dominant-partner").why[0]
    assert answer.follow_up_of == "dominant-partner"


def _with_not_answered(knowledge: KnowledgeBase, entry: Entry, line: str) -> tuple[Matcher, Entry]:
    """A matcher over ``knowledge`` with ``line`` as the only "not answered" line of ``entry``."""
    changed = replace(entry, not_answered=(line,))
    entries = tuple(changed if item is entry else item for item in knowledge.entries)
    return Matcher(replace(knowledge, entries=entries)), changed


def _why_after(matcher: Matcher, entry: Entry) -> Answer:
    conversation = Conversation()
    _, conversation = matcher.reply(entry.questions[0], conversation, 0.0)
    assert conversation.turns[-1].entry_id == entry.id
    return matcher.reply("why?", conversation, 5.0)[0].answer


def test_why_without_listed_reasons_shows_the_passages_in_full(knowledge: KnowledgeBase) -> None:
    """An entry with no ``why`` answers "why?" with its own cited paragraphs in full, even when a "not
    answered" line asks why of something it never mentions."""
    without = next(entry for entry in knowledge.entries if not entry.why)
    matcher, entry = _with_not_answered(knowledge, without, "why did zanzibar stay out of it")

    answer = _why_after(matcher, entry)

    assert (answer.entry, answer.detail) == (entry, True)


def test_why_of_a_point_whose_reasons_the_essay_omits_is_declined(knowledge: KnowledgeBase) -> None:
    """A "not answered" line asking why of the entry's own point, in its own words, says the essay gives no
    reasons: "why?" after the entry is declined, naming what the essay does say, not shown again as if it
    answered."""
    without = next(entry for entry in knowledge.entries if not entry.why)
    matcher, entry = _with_not_answered(knowledge, without, f"why is it that {without.title.lower()}")

    answer = _why_after(matcher, entry)

    assert (answer.entry, answer.reason, answer.follow_up_of) == (None, "more-than-said", entry.id)
    assert entry.answer in answer.note
    shown = _why_after(Matcher(matcher.knowledge, without={"reasons-left-open"}), entry)
    assert (shown.entry, shown.detail) == (entry, True)


@pytest.mark.parametrize("then", ["like what?", "examples?", "can you give an example", "such as what tho"])
def test_asking_for_examples_is_answered_by_the_entry_that_gives_the_essays_examples(
    matcher: Matcher, knowledge: KnowledgeBase, then: str
) -> None:
    """ "like what?" after an answer whose ``examples`` names an entry: that entry, as a follow-up of the first."""
    linked = next(entry for entry in knowledge.entries if entry.examples)
    conversation = Conversation()
    _, conversation = matcher.reply(linked.questions[0], conversation, 0.0)
    answer = matcher.reply(then, conversation, 5.0)[0].answer

    assert answer.entry is not None
    assert (answer.entry.id, answer.reason, answer.follow_up_of) == (
        linked.examples[0],
        "follow-up-examples",
        linked.id,
    )


def test_examples_asked_of_an_entry_without_listed_examples_are_not_taken_from_another(
    matcher: Matcher, knowledge: KnowledgeBase
) -> None:
    """With no ``examples`` to show, "like what?" is read as before: never the follow-up-examples answer."""
    without = next(entry for entry in knowledge.entries if not entry.examples and not entry.why)
    conversation = Conversation()
    _, conversation = matcher.reply(without.questions[0], conversation, 0.0)
    answer = matcher.reply("like what?", conversation, 5.0)[0].answer

    assert answer.reason != "follow-up-examples"
    assert answer.follow_up_of == without.id


def test_a_follow_up_the_essay_cannot_answer_is_declined_with_what_it_does_say(
    matcher: Matcher, knowledge: KnowledgeBase
) -> None:
    """ "how many billions?" after an answer: an honest decline that repeats what the essay says."""
    conversation = Conversation()
    _, conversation = matcher.reply("who is the dominant partner?", conversation, 0.0)
    answer = matcher.reply("how many billions?", conversation, 5.0)[0].answer

    assert answer.kind == "decline"
    assert answer.follow_up_of == "dominant-partner"
    assert knowledge.entry("dominant-partner").answer in answer.note


def test_whether_the_supposition_just_answered_happened_is_declined_with_what_the_essay_says(
    matcher: Matcher, knowledge: KnowledgeBase
) -> None:
    """ "What could end the partnership?" is answered with what would follow if the West offered China better
    trade terms; "did the West really offer them that?" is declined, and the decline repeats that answer."""
    conversation = Conversation()
    _, conversation = matcher.reply("what could end the partnership", conversation, 0.0)
    answer = matcher.reply("did the west really offer them that?", conversation, 5.0)[0].answer

    assert (answer.kind, answer.reason, answer.follow_up_of) == ("decline", "only-supposed", "what-could-end-it")
    assert knowledge.entry("what-could-end-it").answer in answer.note


def test_the_other_side_asked_beside_a_topic_of_its_own_is_not_read_as_the_other_side_of_the_question(
    matcher: Matcher,
) -> None:
    """ "And the other side? the public narrative" asks about the public narrative, not the same question of the
    other side: with a word of its own, "the other side" is not a swap."""
    [_, (_, entry, _)] = talk(matcher, "what does xi gain from all this", "and the other side? the public narrative")

    assert entry != "what-putin-gains"


def test_a_declined_follow_up_offers_the_last_answer_once(matcher: Matcher) -> None:
    """The point just answered leads the suggestions of a follow-up declined after it, and is not offered again
    below because the follow-up's own words also came close to it."""
    conversation = Conversation()
    _, conversation = matcher.reply("where do china and russia actually compete with each other", conversation, 0.0)
    answer = matcher.reply("why there specifically", conversation, 5.0)[0].answer

    offered = [item.id for item in answer.suggestions]
    assert (answer.kind, offered[0]) == ("decline", answer.follow_up_of)
    assert len(offered) == len(set(offered))


@pytest.mark.parametrize(
    "fresh",
    ["what is the capital of france", "whats the weather like in moscow rn", "how do I bake bread"],
)
def test_context_never_turns_a_fresh_off_topic_question_into_an_answer(matcher: Matcher, fresh: str) -> None:
    """After an answer, a question that stands on its own and the essay does not answer is still declined."""
    [_, (kind, entry, _)] = talk(matcher, "what does china get out of it", fresh)

    assert (kind, entry) == ("decline", None)


@pytest.mark.parametrize(
    ("fresh", "expected"),
    [("who wrote the essay", "author"), ("what about the sanctions?", "sanctions"), ("sino soviet split", None)],
)
def test_a_fresh_question_is_not_bent_towards_the_old_topic(matcher: Matcher, fresh: str, expected: str | None) -> None:
    """A new question is answered as it would be on its own, whatever came before."""
    alone = matcher.ask(fresh)
    [_, (_, entry, _)] = talk(matcher, "what does china get out of it", fresh)

    assert entry == (alone.entry.id if alone.entry else None)
    if expected is not None:
        assert entry == expected


def test_context_expires(matcher: Matcher) -> None:
    """An answer older than the context window is no longer what "and russia?" leans on."""
    [_, late] = talk(matcher, "what does china get out of it", "and russia?", gap=CONTEXT_SECONDS + 1)

    assert late[2] is None


def test_a_declined_question_expires_too(matcher: Matcher) -> None:
    """Past the context window, "and xi?" no longer asks the declined question about Putin of Xi."""
    [_, late] = talk(matcher, "putin, what is in it for him", "and xi?", gap=CONTEXT_SECONDS + 1)

    assert late[1] is None


def test_small_talk_and_paragraph_requests_keep_the_context(matcher: Matcher) -> None:
    """ "thanks!" or "¶4?" between a question and its follow-up change nothing."""
    results = talk(matcher, "what does china get out of it", "thanks!", "what does paragraph 4 say", "and russia?")

    assert [kind for kind, _, _ in results] == ["answer", "small_talk", "paragraph", "answer"]
    assert results[-1][1] == "what-russia-gets"


def test_a_follow_up_leans_on_the_last_answer_not_on_a_decline_after_it(matcher: Matcher) -> None:
    """ "source?" after a declined question shows the passages of the answer before it."""
    [_, declined, evidence] = talk(matcher, "who is the dominant partner?", "how do i bake bread", "source?")

    assert declined[0] == "decline"
    assert evidence == ("answer", "dominant-partner", "dominant-partner")


@pytest.mark.parametrize(
    ("first", "then", "previous"),
    [
        ("who leads the joint infrastructure projects", "which projects specifically?", "infrastructure-projects"),
        # Asked by kind after a word the answer only mentions, with no word like "exactly".
        ("who runs the joint infrastructure projects", "which projects", "infrastructure-projects"),
        ("is there military cooperation between them", "what exercises", "military-cooperation"),
        # "Sanctions" is one of the forms of hostility the answer lists; which sanctions it never says.
        ("what role did the west play in pushing them together", "which sanctions exactly?", "western-hostility"),
    ],
)
def test_a_request_for_specifics_the_answer_does_not_hold_is_declined_naming_that_answer(
    matcher: Matcher, first: str, then: str, previous: str
) -> None:
    """ "which projects specifically?" after the joint projects: the essay names none, and the decline says so."""
    conversation = Conversation()
    _, conversation = matcher.reply(first, conversation, 0.0)
    explanation, _ = matcher.reply(then, conversation, 5.0)

    answer = explanation.answer
    assert (answer.kind, answer.follow_up_of) == ("decline", previous)
    assert answer.note.startswith("About “")
    assert answer.suggestions[0].id == previous


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("why does the essay bring up the sino-soviet split", "what caused it back then", None),
        # A fact a cited passage states is not left open: the split is dated to the 1960s.
        ("why does the essay bring up the sino-soviet split", "when was that", "sino-soviet-split"),
    ],
)
def test_a_follow_up_the_answering_entry_leaves_open_is_declined(
    matcher: Matcher, first: str, then: str, expected: str | None
) -> None:
    """Its new part alone is closer to one of the entry's "not answered" lines than to the entry itself."""
    [_, (kind, entry, follow_up_of)] = talk(matcher, first, then)

    assert (kind, entry, follow_up_of) == ("decline" if expected is None else "answer", expected, "sino-soviet-split")


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        # "it" is the split, which a cited passage dates to the 1960s.
        ("what is the sino-soviet split", "when did it happen", "sino-soviet-split"),
        # "that" is the taking of Crimea, dated 2014, though the entry never says "year".
        ("what happened to russia after it took crimea", "what year was that", "crimea-and-ukraine"),
        # The invasion is a subject of its own; the passage dates the annexation, not it.
        ("when did russia annex crimea", "and when did the ukraine invasion start", None),
    ],
)
def test_a_fact_asked_of_what_it_points_back_at_is_answered_when_a_passage_states_it(
    matcher: Matcher, first: str, then: str, expected: str | None
) -> None:
    [_, (_, entry, _)] = talk(matcher, first, then)

    assert entry == expected


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("putin, what is in it for him", "what-xi-gains"),
        # Swapped, a question the essay does not answer is still one it does not answer.
        ("what does putin think of trump", None),
        ("how tall is putin", None),
    ],
)
def test_the_other_side_of_a_declined_question_is_asked_with_the_sides_swapped(
    matcher: Matcher, first: str, expected: str | None
) -> None:
    """ "and xi?" after a question about Putin declined for too little evidence: the question asked of Xi,
    whose words may say enough where neither message did alone. No answer of the first is borrowed."""
    without = Matcher(matcher.knowledge, without={"after-a-decline"})
    [(_, declined, _), (_, entry, follow_up_of)] = talk(matcher, first, "and xi?")

    assert declined is None
    assert (entry, follow_up_of) == (expected, None)
    assert talk(without, first, "and xi?")[1][1] is None


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("tell me about crimea", "what year was it", "crimea-and-ukraine"),
        ("explain the sino-soviet split", "when was this", "sino-soviet-split"),
        ("explain the sino-soviet split", "when?", "sino-soviet-split"),
        # The passage says "the 1960s": a decade, not the year asked.
        ("how does the 1960s split fit in", "what year was it", None),
        # No passage of the answer dates anything.
        ("what does putin get out of it", "when was that", None),
    ],
)
def test_a_follow_up_asking_only_a_date_is_answered_by_the_last_answer_when_a_passage_gives_it(
    matcher: Matcher, first: str, then: str, expected: str | None
) -> None:
    """ "When was this?" adds no word to the question before: it asks the date of what that named. Read
    together the two are declined as too little evidence; the last answer is the one to give, or none."""
    without = Matcher(matcher.knowledge, without={"follow-up-fact"})
    [_, (_, entry, _)] = talk(matcher, first, then)

    assert entry == expected
    if expected is not None:
        assert talk(without, first, then)[1][1] is None


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        # A passage gives the count of meetings as well as of visits.
        ("how many times has xi visited russia", "and the meetings overall?", "meeting-count"),
        # It dates the annexation, not the invasion, however closely "invasion of ukraine" is curated.
        ("when did russia annex crimea", "and the invasion of ukraine?", None),
        ("what year was crimea", "and the ukraine invasion?", None),
        # A question of its own ("does that mean…") is not asked for a count.
        ("how many meetings since 2013", "does that mean they're close", "personal-friendship"),
    ],
)
def test_an_elliptical_new_part_asks_the_fact_the_question_before_asked(
    matcher: Matcher, first: str, then: str, expected: str | None
) -> None:
    """After "when…" or "how many…", "and the invasion?" asks it of the invasion: answered only where a passage
    states it of that."""
    [_, (_, entry, _)] = talk(matcher, first, then)

    assert entry == expected


@pytest.mark.parametrize(
    ("first", "then", "expected", "follows_up"),
    [
        # A whole question after "but" or "and", answered alone: not bent towards the last answer.
        (
            "is china stronger militarily than russia now?",
            "but isnt russia a big military power",
            "russia-economy",
            False,
        ),
        ("what do they have in common then", "and where do they differ", "long-term-goals", False),
        ("do they share the same values", "and the building projects on the ground?", "infrastructure-projects", False),
        # One that points back at the answer ("is that…") is still read against it.
        ("how does the relationship look from the outside?", "and is that the real picture?", "public-image", True),
    ],
)
def test_a_whole_question_opening_with_and_or_but_is_answered_on_its_own(
    matcher: Matcher, first: str, then: str, expected: str, follows_up: bool
) -> None:
    [_, (_, entry, follow_up_of)] = talk(matcher, first, then)

    assert entry == expected
    assert (follow_up_of is not None) is follows_up


def test_the_new_part_of_a_follow_up_is_answered_by_the_entry_that_explains_it(matcher: Matcher) -> None:
    """ "and what separates them" after their common traits: the entry on their differing goals, not the traits."""
    [_, answer] = talk(
        matcher, "what authoritarian traits do china and russia have in common", "and what separates them"
    )

    assert answer == ("answer", "long-term-goals", "authoritarian-traits")


def test_a_longer_message_pointing_back_is_read_as_a_follow_up(matcher: Matcher) -> None:
    """Declined alone, "does that mean they're close friends" is read against the meetings just answered."""
    [_, (_, _, follow_up_of)] = talk(matcher, "how often do xi and putin meet", "does that mean they're close friends")

    assert follow_up_of == "meeting-count"


def test_a_follow_up_whose_new_part_asks_a_fact_the_entry_never_gives_is_declined(matcher: Matcher) -> None:
    """ "which pipeline?" still asks *which*: the guards of the new part hold against the entry it resolved to."""
    [_, (kind, entry, follow_up_of)] = talk(
        matcher, "who gets the better end of the oil and gas deals", "which pipeline?"
    )

    assert (kind, entry, follow_up_of) == ("decline", None, "energy-deals")


def test_a_conversation_is_bounded() -> None:
    """Only the last few turns are kept, however long the conversation."""
    conversation = Conversation()
    for number in range(50):
        conversation = conversation.then(Turn(f"question {number}", None, float(number)))

    assert len(conversation.turns) == MAX_TURNS
    assert conversation.turns[-1].question == "question 49"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("source?", FollowUp.EVIDENCE),
        ("which paragraph", FollowUp.EVIDENCE),
        ("quote the essay on that", FollowUp.EVIDENCE),
        ("where's that in the text", FollowUp.EVIDENCE),
        ("which paragraph says that", FollowUp.EVIDENCE),
        ("prove it, quote the text", FollowUp.EVIDENCE),
        ("which paragraph covers that?", FollowUp.EVIDENCE),
        ("any source for that claim", FollowUp.EVIDENCE),
        ("where's that in the text, para number?", FollowUp.EVIDENCE),
        ("which part discusses it", FollowUp.EVIDENCE),
        ("which paragraph talks about central asia", None),
        ("why tho", FollowUp.WHY),
        ("why is it so limited", FollowUp.WHY),
        ("then why do they keep meeting up", FollowUp.WHY),
        ("but why is that", FollowUp.WHY),
        ("what's it really based on", FollowUp.WHY),  # the grounds of what was just said: its reasons
        ("same story with energy?", FollowUp.ELLIPSIS),
        ("can you elaborate", FollowUp.MORE),
        ("and militarily?", FollowUp.ELLIPSIS),
        ("what about putin", FollowUp.ELLIPSIS),
        ("economically?", FollowUp.ELLIPSIS),
        ("who wrote the essay", None),
        ("what is the main argument of the essay", None),
    ],
)
def test_follow_up_kinds(message: str, kind: FollowUp | None) -> None:
    """What only makes sense after an answer is told apart from a question that stands on its own."""
    assert follow_up_kind(message) is kind


@pytest.mark.parametrize(
    ("message", "needle"),
    [("hi!", "Hi!"), ("thanks!", "welcome"), ("what can you do?", "/ask"), ("who made you", "cite")],
)
def test_small_talk_and_help_get_a_reply_and_never_a_citation(matcher: Matcher, message: str, needle: str) -> None:
    """Greetings, thanks and help requests are answered in words, with nothing cited."""
    answer = matcher.ask(message)

    assert answer.kind == "small_talk"
    assert needle in answer.reply
    assert answer.citations == ()


@pytest.mark.parametrize(
    ("message", "number"),
    [
        ("what does paragraph 4 say", 4),
        ("¶6?", 6),
        ("explain para 2", 2),
        ("paragraph two", 2),
        ("the last paragraph", 9),
    ],
)
def test_a_paragraph_asked_for_by_number_is_quoted_whole(
    matcher: Matcher, knowledge: KnowledgeBase, message: str, number: int
) -> None:
    """The paragraph comes verbatim with its number, and the entries citing it are offered next."""
    answer = matcher.ask(message)

    assert answer.kind == "paragraph"
    assert answer.citations[0].paragraph == number
    assert answer.citations[0].quote == knowledge.essay.paragraph(number)
    citing = {entry.id for entry in knowledge.entries if any(c.paragraph == number for c in entry.citations)}
    assert answer.suggestions
    assert {item.id for item in answer.suggestions} <= citing


def test_a_paragraph_number_the_essay_lacks_says_which_there_are(matcher: Matcher) -> None:
    """ "paragraph 42" is declined with the range of paragraphs."""
    answer = matcher.ask("what does paragraph 42 say")

    assert answer.kind == "decline"
    assert "¶1 to ¶10" in answer.note


def test_a_swapped_follow_up_is_not_answered_by_the_entry_about_the_other_side(matcher: Matcher) -> None:
    """After "what does Xi get out of hanging out with Putin", "and Putin?" asks what Putin gets."""
    [_, (_, entry, follow_up_of), (_, evidence, _)] = talk(
        matcher, "what does xi actually get out of hanging out with putin", "and putin?", "src?"
    )

    assert (entry, follow_up_of, evidence) == ("what-putin-gains", "what-xi-gains", "what-putin-gains")


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("what are the sanctions doing to russia", "and russia's economy overall?", "russia-economy"),
        ("how many times have xi and putin met", "and the money side of the deal for moscow?", "what-russia-gets"),
        # One word, but the point the answer just given links to: their goals.
        ("are both governments authoritarian", "and their goals?", "long-term-goals"),
    ],
)
def test_a_new_part_asking_a_question_of_its_own_is_not_answered_with_the_last_answer_again(
    matcher: Matcher, first: str, then: str, expected: str
) -> None:
    """Read after the question before, its words lose to that question's; alone, they point at another entry."""
    [(_, previous, _), (kind, entry, follow_up_of)] = talk(matcher, first, then)

    assert (kind, entry, follow_up_of) == ("answer", expected, previous)
    [_, (_, without_the_rule, _)] = talk(Matcher(matcher.knowledge, without={"new-question"}), first, then)
    assert without_the_rule == previous


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        # One thing named: the question before, asked of it.
        ("who is the dominant partner", "militarily too?", "dominant-partner"),
        # Asking by kind after what the answer mentions: the essay names no plans.
        ("do they have a backup plan if things go wrong", "what kind of plans", None),
    ],
)
def test_a_new_part_that_leans_on_the_last_answer_is_not_read_as_a_question_of_its_own(
    matcher: Matcher, first: str, then: str, expected: str | None
) -> None:
    [_, (_, entry, follow_up_of)] = talk(matcher, first, then)

    assert entry == expected
    assert follow_up_of is not None


def test_a_count_asked_of_something_the_answer_does_not_count_is_declined(matcher: Matcher) -> None:
    """ "And how many of those were in Beijing?": every "how many" phrasing shares "many", none asks of Beijing."""
    [_, (kind, entry, follow_up_of)] = talk(
        matcher, "how many times have xi and putin met", "and how many of those were in beijing"
    )

    assert (kind, entry, follow_up_of) == ("decline", None, "meeting-count")


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("what kind of world are they operating in", "what are the new power formations he mentions"),
        ("what kind of world are they operating in", "what new power formations tho, name them"),
        ("what kind of world are they operating in", "what new power formations does it mean"),
    ],
)
def test_naming_what_the_answer_only_mentions_is_declined_naming_that_answer(
    matcher: Matcher, first: str, then: str
) -> None:
    """ "what are the new power formations he mentions?": the essay names none, so the answer is not shown again."""
    [(_, previous, _), (kind, entry, follow_up_of)] = talk(matcher, first, then)

    assert previous is not None
    assert (kind, entry, follow_up_of) == ("decline", None, previous)


@pytest.mark.parametrize("then", ["name one?", "examples?", "which ones exactly"])
def test_a_bare_request_for_specifics_names_no_new_topic(matcher: Matcher, then: str) -> None:
    """ "name one?" after an answer that names none is declined with that answer, not matched to "name"."""
    conversation = Conversation()
    _, conversation = matcher.reply("who runs the joint infrastructure projects?", conversation, 0.0)
    explanation, _ = matcher.reply(then, conversation, 5.0)

    assert explanation.answer.entry is None
    assert explanation.answer.follow_up_of == "infrastructure-projects"


def test_the_new_part_is_read_without_its_opening(matcher: Matcher) -> None:
    """ "same story with oil?", declined alone, adds only "oil", which the energy entry explains."""
    [_, (kind, entry, follow_up_of)] = talk(
        matcher, "who is in charge of the building projects", "same story with oil?"
    )

    assert (kind, entry, follow_up_of) == ("answer", "energy-deals", "infrastructure-projects")


@pytest.mark.parametrize(
    "then",
    ["can you expand on xi's side", "tell me more about xi's side", "and xi's part?", "and for xi in particular?"],
)
def test_one_sides_part_of_a_point_about_both_is_the_entry_about_that_side(matcher: Matcher, then: str) -> None:
    """After an answer about what each leader gains at home, "Xi's side" asks what Xi gains."""
    [first, (kind, entry, follow_up_of)] = talk(matcher, "how does each leader use the relationship back home", then)

    assert first[1] == "domestic-image"
    assert (kind, entry, follow_up_of) == ("answer", "what-xi-gains", "domestic-image")


@pytest.mark.parametrize(
    "first", ["why does xi keep showing up next to putin", "what does xi actually get out of hanging out with putin"]
)
def test_and_the_other_side_is_never_answered_by_the_entry_about_the_first(matcher: Matcher, first: str) -> None:
    """With or without a word saying who gains, the side named first is who "and Putin?" replaces."""
    [(_, asked, _), (_, entry, _)] = talk(matcher, first, "and putin?")

    assert asked == "what-xi-gains"
    assert entry != "what-xi-gains"


@pytest.mark.parametrize(
    ("side", "other", "expected"), [("putin", "xi", "what-xi-gains"), ("xi", "putin", "what-putin-gains")]
)
def test_after_one_sides_part_the_other_side_gets_its_own_part(
    matcher: Matcher, side: str, other: str, expected: str
) -> None:
    """ "What image does each leader project at home?", "and what's in it for Putin?", then "and for Xi?":
    what Xi gains, the point about Putin's part mirrored, not the answer about both leaders again."""
    turns = talk(
        matcher,
        "What image does each leader try to project at home?",
        f"and what's in it for {side}?",
        f"and for {other}?",
    )

    assert [entry for _, entry, _ in turns] == ["domestic-image", f"what-{side}-gains", expected]


@pytest.mark.parametrize("then", ["and for putin?", "and putin?", "what about the other one"])
def test_the_other_side_of_a_point_reached_without_naming_a_side_is_the_point_it_links_to(
    matcher: Matcher, then: str
) -> None:
    """ "What does nationalism have to do with it?" names no side, and is answered by what Xi gains: only the
    title says whose gain it was, so "and Putin?" asks what Putin gains, the point it links to."""
    [(_, first, _), (kind, entry, follow_up_of)] = talk(matcher, "what does nationalism have to do with it?", then)

    assert first == "what-xi-gains"
    assert (kind, entry, follow_up_of) == ("answer", "what-putin-gains", "what-xi-gains")


def test_the_same_side_asked_again_is_not_the_other_sides_point(matcher: Matcher) -> None:
    """ "And for Xi?" after what Xi gains asks nothing of Putin."""
    [_, (_, entry, _)] = talk(matcher, "what does nationalism have to do with it?", "and for xi?")

    assert entry == "what-xi-gains"


def _linking(knowledge: KnowledgeBase, entry_id: str, related: tuple[str, ...], threshold: float) -> Matcher:
    """A matcher over ``knowledge`` where ``entry_id`` links to ``related`` only (no ``why``, no ``examples``),
    and the calibration answers from ``threshold``."""
    assert knowledge.calibration is not None
    entries = tuple(
        replace(entry, related=related, why=(), examples=()) if entry.id == entry_id else entry
        for entry in knowledge.entries
    )
    calibration = replace(knowledge.calibration, threshold=threshold)
    return Matcher(replace(knowledge, entries=entries, calibration=calibration))


def test_a_message_a_little_short_of_evidence_is_answered_by_a_point_the_last_answer_links_to(
    matcher: Matcher, knowledge: KnowledgeBase
) -> None:
    """A message judged a little less likely right than the calibration asks is declined alone, but answered
    after an answer linking to its best entry: the member was just reading about a point next to it. After an
    answer that does not link to it, it is not."""
    message = "so all the smiles and joint statements are basically for show?"
    alone = matcher.explain(message).decision
    assert alone is not None
    assert knowledge.calibration is not None
    # Just out of the calibration's reach alone, within the allowance in a conversation.
    threshold = knowledge.calibration.probability(alone.sample) + LINKED_LEAD_ALLOWANCE / 2
    lead = alone.candidates[0].id
    previous = next(entry for entry in knowledge.entries if entry.id != lead and entry.questions)

    for related, expected in (((lead,), lead), ((), None)):
        linking = _linking(knowledge, previous.id, related, threshold)
        assert linking.ask(message).reason == "too-little-evidence"
        _, conversation = linking.reply(previous.questions[0], Conversation(), 0.0)
        assert conversation.turns[-1].entry_id == previous.id
        answer = linking.reply(message, conversation, 5.0)[0].answer

        assert (answer.entry.id if answer.entry else None) == expected
        if expected:
            assert (answer.reason, answer.follow_up_of) == ("follow-up-linked", previous.id)
    without = Matcher(_linking(knowledge, previous.id, (lead,), threshold).knowledge, without={"follow-up-linked"})
    _, conversation = without.reply(previous.questions[0], Conversation(), 0.0)
    assert without.reply(message, conversation, 5.0)[0].answer.entry is None


def test_a_restatement_of_the_answer_may_be_further_short_of_evidence_for_a_point_it_links_to(
    matcher: Matcher, knowledge: KnowledgeBase
) -> None:
    """ "So it's all for show?" restates what the member takes from the answer just read: its best entry, a point
    that answer links to, is answered further short of the calibration's threshold than the same words asked
    without the "so"."""
    restated = "so all the smiles and joint statements are basically for show?"
    plain = "all the smiles and joint statements are basically for show?"
    alone = matcher.explain(plain).decision
    assert alone is not None
    assert knowledge.calibration is not None
    threshold = knowledge.calibration.probability(alone.sample) + (LINKED_LEAD_ALLOWANCE + RESTATED_LEAD_ALLOWANCE) / 2
    lead = alone.candidates[0].id
    previous = next(entry for entry in knowledge.entries if entry.id != lead and entry.questions)
    linking = _linking(knowledge, previous.id, (lead,), threshold)

    for message, expected in ((restated, lead), (plain, None)):
        _, conversation = linking.reply(previous.questions[0], Conversation(), 0.0)
        answer = linking.reply(message, conversation, 5.0)[0].answer

        assert (answer.entry.id if answer.entry else None) == expected


@pytest.mark.parametrize(
    ("reaction", "then"),
    [
        ("huh didnt know that.", "and militarily?"),
        ("interesting stuff.", "what about militarily?"),
        ("thats a reversal from the 50s lol.", "militarily too?"),
    ],
)
def test_a_reaction_before_a_follow_up_leaves_it_a_follow_up(matcher: Matcher, reaction: str, then: str) -> None:
    """A sentence reacting to the answer, then the follow-up: answered as the follow-up alone is."""
    first = "who is the dominant partner"

    [_, bare] = talk(matcher, first, then)
    [_, reacted] = talk(matcher, first, f"{reaction} {then}")

    assert reacted == bare
    assert bare[2] == "dominant-partner"
