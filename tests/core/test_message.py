"""Reading a message in parts: chat manners are set aside, the question is kept as written."""

from __future__ import annotations

import pytest

from bot.core.message import PartKind, about_the_asker, read_message


def kinds(text: str) -> list[tuple[str, str]]:
    return [(part.kind.value, part.text) for part in read_message(text).parts]


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("hi. What is the capital of Australia?", "What is the capital of Australia?"),
        ("hey what does China get", "what does China get"),
        ("hello everyone! who is the dominant partner", "who is the dominant partner"),
        ("who is the dominant partner? thanks!", "who is the dominant partner?"),
        ("who is the dominant partner thx in advance 🙏", "who is the dominant partner"),
        ("quick question: who wrote the essay", "who wrote the essay"),
        ("sorry if this is a dumb question but why are they close", "why are they close"),
        ("who wrote it lol", "who wrote it"),
        ("<@123456789012345678> who wrote it", "who wrote it"),
        ("@everyone who wrote it @here", "who wrote it"),
        ("who wrote it 🤔 :thinking: xD", "who wrote it"),
        ("**who wrote it**", "who wrote it"),
        ("> who wrote it", "who wrote it"),
        ("hi!\nwho wrote it\nthanks in advance", "who wrote it"),
        ("Hello there. Who wrote it? Thank you!", "Who wrote it?"),
        ("yo bot, quick q - hey, who wrote it?? ty :)", "who wrote it??"),
        ("they share a worldview right? or am i wrong here", "they share a worldview"),
        ("diff topic: who wrote the essay?", "who wrote the essay?"),
        ("ok different question, who wrote the essay", "who wrote the essay"),
    ],
)
def test_chat_manners_around_a_question_are_set_aside(message: str, question: str) -> None:
    """Greetings, thanks, filler, tags, mentions, emoji and markdown, at either end or on their own, leave the question."""
    assert read_message(message).question == question


def test_each_part_is_named() -> None:
    """A greeting first, a filler sentence, the question, and thanks last are told apart."""
    assert kinds("hi! random thought but. who wrote it? thanks") == [
        ("greeting", "hi!"),
        ("filler", "random thought but."),
        ("question", "who wrote it?"),
        ("thanks", "thanks"),
    ]


def test_thanks_in_another_language_is_set_aside_from_the_question() -> None:
    """ "olá! … obrigado": the Portuguese thanks is chat, not a word of the question (it let a near miss answer)."""
    assert kinds("olá! Will Xi visit Moscow again next year? obrigado") == [
        ("greeting", "olá!"),
        ("question", "Will Xi visit Moscow again next year?"),
        ("thanks", "obrigado"),
    ]


@pytest.mark.parametrize(
    "message",
    [
        "hi",
        "hey everyone 👋",
        "thanks!",
        "thank you so much",
        "lol",
        "ok cool",
        "👍",
        ":)",
        "<@123> hi",
        "bye!",
        "gm all",
        "obrigado!",  # thanks in other languages, as greetings are
        "xie xie",
        "appreciate any help!",
        "any pointers appreciated.",
    ],
)
def test_a_message_of_chat_manners_only_is_small_talk(message: str) -> None:
    """Nothing is asked: the message is small talk."""
    assert read_message(message).small_talk


@pytest.mark.parametrize(
    "message", ["are you a bot or a real person?", "are you real?", "is this a bot", "r u human or ai lol"]
)
def test_asking_what_the_bot_is_is_a_help_request(message: str) -> None:
    """ "Are you a bot or a real person?" asks about the bot, in any order of the alternatives."""
    read = read_message(message)
    assert read.small_talk
    assert read.has(PartKind.HELP)


@pytest.mark.parametrize("message", ["is it real?", "are they real friends?", "is the friendship real or fake"])
def test_asking_whether_something_else_is_real_is_a_question(message: str) -> None:
    """Only "you" or "this" make it a question about the bot: "is it real?" follows up an answer."""
    assert not read_message(message).small_talk


@pytest.mark.parametrize(
    "message",
    [
        "who is right",  # a tag needs a statement before it
        "people online keep saying they are brothers",  # "people" is chat only on its own
        "how does it help Xi",  # "help" is not filler inside a question
        "what's up with China and Russia",  # "what's up" is a greeting only on its own
        "does it help them at home, thanks to the summits",
    ],
)
def test_words_that_are_chat_only_at_the_edges_stay_inside_a_question(message: str) -> None:
    """Words chat and questions share are set aside only where they cannot be part of the question."""
    assert read_message(message).question == message


def test_a_title_is_not_the_end_of_a_sentence() -> None:
    """ "Dr. Saleem" stays in one sentence."""
    assert read_message("What else has Dr. Muhammad Saleem written?").questions == (
        "What else has Dr. Muhammad Saleem written?",
    )


def test_the_question_keeps_its_capitals() -> None:
    """Names written with capitals stay as written: the matcher reads them as names."""
    assert read_message("hey, what does BRICS think").question == "what does BRICS think"


@pytest.mark.parametrize("message", ["", "   ", "\n\n", "\u200b", "```\n```"])
def test_empty_messages_have_no_question(message: str) -> None:
    """Nothing in, nothing asked."""
    assert not [part for part in read_message(message).parts if part.kind is PartKind.QUESTION]


def _common_word(word: str) -> bool:
    """A stand-in for the matcher's test: any word but the names of these examples may start a sentence."""
    return word.lower() not in {"china", "belt", "road", "sea", "route", "northern"}


@pytest.mark.parametrize(
    ("message", "questions"),
    [
        (
            "who is the senior partner here My dad says the opposite",
            ["who is the senior partner here", "My dad says the opposite"],
        ),
        ("is it a real alliance I'm new to this", ["is it a real alliance", "I'm new to this"]),
        ("what does China get", ["what does China get"]),  # a name
        ("what is the Belt and Road", ["what is the Belt and Road"]),  # no sentence ends on "the"
        ("is the Northern Sea Route in it", ["is the Northern Sea Route in it"]),  # one name of several words
        ("WHO IS THE SENIOR PARTNER HERE MY DAD SAYS", ["WHO IS THE SENIOR PARTNER HERE MY DAD SAYS"]),  # shouting
    ],
)
def test_a_sentence_run_on_without_a_full_stop_is_read_apart(message: str, questions: list[str]) -> None:
    assert list(read_message(message, _common_word).questions) == questions
    assert len(read_message(message).questions) == 1


@pytest.mark.parametrize(
    "sentence", ["I'm reading this for class.", "my book club starts it tonight", "We have a quiz"]
)
def test_a_statement_about_the_asker(sentence: str) -> None:
    assert about_the_asker(sentence)


@pytest.mark.parametrize(
    "sentence", ["should i buy bitcoin or eth", "am I right about this", "do we need to read it all"]
)
def test_a_verb_before_the_asker_asks_even_without_a_question_mark(sentence: str) -> None:
    """ "Should I buy bitcoin" is a question about something else, not a statement to set aside."""
    assert not about_the_asker(sentence)
