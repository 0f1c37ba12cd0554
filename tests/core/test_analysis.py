"""The analyzer: the terms a question is reduced to before matching."""

from __future__ import annotations

import pytest

from bot.core.analysis import ROLE_MARK, Analyzer, Kind, Term, factual_kind, role_terms, which_thing, written_names


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("what is in it for putin", ["putin"]),
        ("how does being seen with xi help putin", ["putin"]),
        ("what does china get out of it", ["china"]),
        ("what does the kremlin want", ["kremlin"]),
        ("russia goals", ["russia"]),
        ("what are russia aims", ["russia"]),
        ("is it a real alliance like nato", []),
        ("do xi and putin get on", []),  # getting on is not gaining
        ("what is the hidden truth", []),
    ],
)
def test_role_terms_mark_who_gains_or_wants(text: str, roles: list[str]) -> None:
    """Only the side a question asks about is marked, so mirror-image questions differ."""
    assert role_terms(text.split()) == [ROLE_MARK + role for role in roles]


def analyzer_knowing(*texts: str) -> Analyzer:
    analyzer = Analyzer({})
    analyzer.learn(texts)
    return analyzer


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("uper", [Term("upper", Kind.CORRECTED)]),  # not "super": the first letter is rarely the typo
        ("actualy", []),  # filler, not the knowledge base's "actual"
        ("hnad", [Term("hand", Kind.CORRECTED)]),
    ],
)
def test_typo_correction_prefers_likely_words(word: str, expected: list[Term]) -> None:
    analyzer = analyzer_knowing("the upper hand", "a super power", "the actual deal")

    assert analyzer.question_terms(word, limit=10) == expected


def test_british_and_american_spellings_meet() -> None:
    analyzer = Analyzer({})

    assert analyzer.text("polarised favourable centre defence") == analyzer.text("polarized favorable center defense")
    assert analyzer.text("four hours of silence") == "four hours of silence"  # not British spellings of other words


def test_chat_spellings_of_function_words_are_the_words() -> None:
    """What a question asks hangs on its function words: "wat wud" asks what "what would" asks."""
    analyzer = Analyzer({})

    assert analyzer.text("wat wud make them split up") == analyzer.text("what would make them split up")
    assert factual_kind(analyzer.text("wat year did russia annex crimea")) == "when"
    assert factual_kind(analyzer.text("what yr did russia annex crimea")) == "when"
    assert analyzer.text("is it becoz of smth") == analyzer.text("is it because of something")


def test_dotted_abbreviations_are_one_word() -> None:
    """The essay's "Ph.D." is the "PhD" a member types; "ok.so" typed without a space stays two words."""
    analyzer = Analyzer({})

    assert analyzer.text("a Ph.D. in the U.K.") == analyzer.text("a PhD in the UK")
    assert analyzer.text("ok.so what") == "ok so what"


def test_names_and_years_the_knowledge_base_never_mentions_are_told_apart() -> None:
    analyzer = analyzer_knowing("xi and putin met in 2013")

    terms = analyzer.question_terms("xi met biden in 2013 or 2019 on a flight", limit=10)

    assert [(term.text, term.kind) for term in terms if term.kind is not Kind.KNOWN] == [
        ("biden", Kind.NAME),
        ("2019", Kind.NAME),
        ("flight", Kind.ENGLISH),
    ]


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("What role does BRICS play for China?", {"brics", "china"}),
        ("how has Zelensky's team reacted. Nobody knows", {"zelensky"}),  # "Nobody" starts a sentence
        ("WHAT ROLE DOES BRICS PLAY", set()),  # shouting: every word is capitalised
        ("what role does brics play", set()),
    ],
)
def test_written_names_are_capitalised_inside_a_sentence(question: str, names: set[str]) -> None:
    assert written_names(question) == names


def test_a_word_written_as_a_name_that_nothing_corrects_is_a_name() -> None:
    analyzer = analyzer_knowing("xi and putin met")

    written = analyzer.question_terms("did xi meet zelensky", limit=10, names=frozenset({"zelensky"}))
    typed = analyzer.question_terms("did xi meet zelensky", limit=10)
    misspelt = analyzer.question_terms("did xi meet putn", limit=10, names=frozenset({"putn"}))

    assert written[-1] == Term("zelenski", Kind.NAME)
    assert typed[-1] == Term("zelenski", Kind.UNKNOWN)
    assert misspelt[-1] == Term("putin", Kind.CORRECTED)


def test_adjectives_and_adverbs_the_knowledge_base_never_uses_are_filler() -> None:
    """They say how, not what: "an actual alliance, anywhere" asks about an alliance; a supervisor is a topic."""
    analyzer = analyzer_knowing("an alliance of convenience")

    terms = analyzer.question_terms("is it an actual alliance anywhere or a supervisor", limit=10)

    assert [(term.text, term.kind) for term in terms] == [
        ("allianc", Kind.KNOWN),
        ("supervisor", Kind.ENGLISH),
    ]


def test_chat_shorthand_carries_no_weight() -> None:
    """ "y r china n russia" asks what "why are China and Russia" asks."""
    analyzer = analyzer_knowing("china and russia")

    assert [term.text for term in analyzer.question_terms("y r china n russia w u", limit=10)] == ["china", "russia"]


@pytest.mark.parametrize("written", ["values-wise", "values wise", "value-wise"])
def test_the_wise_of_values_wise_asks_nothing(written: str) -> None:
    """ "On the same page values-wise?" asks about values; "wise" is no topic the essay never uses."""
    analyzer = analyzer_knowing("do they share the same values")

    terms = analyzer.question_terms(analyzer.text(f"same page {written}"), limit=10)

    assert [term.text for term in terms] == ["page", "valu"]


@pytest.mark.parametrize(
    "written",
    ["multipolar meaning?", "what is meant by multipolar", "multipolar means?", "what does he mean by multipolar"],
)
def test_asking_what_a_word_means_adds_no_topic_to_it(written: str) -> None:
    """ "multipolar meaning?" asks about "multipolar"; "meaning" is not a second topic, though the essay uses it."""
    analyzer = analyzer_knowing("a multipolar world, meaning several powers, is what was meant")

    terms = analyzer.question_terms(analyzer.text(written), limit=10)

    assert [term.text for term in terms] == ["multipolar"]


def test_question_terms_add_only_roles_the_knowledge_base_has() -> None:
    analyzer = analyzer_knowing("what does putin gain")

    assert Term("+putin", Kind.KNOWN) in analyzer.question_terms("what is in it for putin", limit=10)
    assert "+xi" not in {term.text for term in analyzer.question_terms("what is in it for xi", limit=10)}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("when did they meet", "when"),
        ("what year did they sign it", "when"),
        ("which decade was the split", "when"),  # answered by a decade the passage gives, "the 1960s"
        ("so how much did it cost", "how much"),
        ("how many times have they met", "how many"),
        ("which banks were cut off", "which"),
        ("what is the name of the pipeline", "name"),
        ("ok what were their joint exercises called", "name"),
        ("what is it called", "name"),
        ("ok what actually caused the split", "cause"),
        ("so what led to the sanctions", "cause"),
        ("what is called the new world order", None),  # "called" is not what the sentence asks
        ("who was leading china", "who"),
        ("why are they close", None),
        ("what do they do when they meet", None),
        ("so when exactly was the split", "when"),
        ("ok how can i get the moderator role", "how do i"),
        ("where does the author live", "where"),
        ("so where does central asia come in", None),  # which part it plays, not a place
        ("then where do they differ", None),  # in what respect
        ("how cheap is the oil", "how much"),
        ("so when xi and putin meet what do they talk about", None),  # a clause, not a question about a date
        ("since when", "when"),  # the whole question, asked of what was just said
        ("ok when then", "when"),
        ("what do they do when", None),
        ("which of the two is stronger", None),  # a choice between the sides
        ("in which way is china helping russia", None),  # how, not a thing to name
        ("in which respects do they differ", None),
        ("which way does the arms trade run", "which"),  # a direction, which the essay may not give
        ("so which one leads", None),
    ],
)
def test_factual_kind_of_a_question(text: str, kind: str | None) -> None:
    assert factual_kind(text) == kind


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("which university is he at", "university"),
        ("so which banks were cut off", "banks"),
        ("what university is the author at", "university"),
        ("what is the university", None),  # "what is" asks what a thing is
        ("what does he study", None),
    ],
)
def test_the_kind_of_thing_a_question_asks_which_one_of(text: str, thing: str | None) -> None:
    assert which_thing(text) == thing


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("what does xi actually get", {"+xi"}),
        ("do china and russia want the same", {"+china", "+russia"}),
        ("what does russia really gain", {"+russia"}),
    ],
)
def test_an_adverb_or_a_pair_keeps_who_gains(text: str, roles: set[str]) -> None:
    assert set(role_terms(text.split())) == roles
