"""Load ``knowledge/`` into a KnowledgeBase, or report every problem in it at once."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rapidfuzz import fuzz

from bot.core.calibration import FEATURES, PAIRED, PAIRS, WORD_SIGNALS, Calibration
from bot.core.checks import FileChecks, Limit, Problem, describe_type
from bot.core.matcher import Matcher
from bot.core.model import Citation, Entry, Essay, KnowledgeBase, Summaries, SummaryPoint
from bot.core.text import normalise, quote_key
from bot.core.yamlio import YamlList, YamlMap, YamlProblem, parse_yaml, read_limited
from bot.limits import BUTTON_LABEL_LIMIT, DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT, TITLE_LIMIT

ESSAY_FILE = "essay.yaml"
SUMMARIES_FILE = "summaries.yaml"
SYNONYMS_FILE = "synonyms.yaml"
COUNTERPARTS_FILE = "counterparts.yaml"
CALIBRATION_FILE = "calibration.yaml"
EVAL_FILE = "eval.yaml"
ENTRIES_DIR = "entries"

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MIN_QUESTIONS = 3
MAX_RELATED = 5  # read-next links are one row of Discord buttons, which holds 5
# An answer opening with a verdict this short ("Yes.", "China.") reads right after one shape of question only.
SHORT_VERDICT_WORDS = 4
_YES_NO_VERDICT = re.compile(r"(?:yes|no|not|only|partly|mostly|hardly|sort of|kind of)\b")
_YES_NO_QUESTION = re.compile(r"(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|had)\b")
_NAME_QUESTION = re.compile(r"(?:who|whom|whose|which)\b")
_FIRST_SENTENCE = re.compile(r"(?:\b(?:dr|mr|mrs|ms|prof|st|e\.g|i\.e|ph\.d)\.|[^.!?])+[.!?]?", re.IGNORECASE)
MAX_SHORT_SUMMARY = 5

# "suggest:", a 20-digit id, ":" and the entry's id fit in a button's custom id (CUSTOM_ID_LIMIT).
ID = Limit(64, "ids travel inside Discord button ids, which hold 100 characters")
TITLE = Limit(BUTTON_LABEL_LIMIT, "titles label Discord buttons, which hold 80 characters")
THEME = Limit(80, "themes are short headings")
QUESTION = Limit(200, "a phrasing is one short question")
ANSWER = Limit(FIELD_VALUE_LIMIT, "an embed field holds 1,024 characters")
QUOTE = Limit(FIELD_VALUE_LIMIT, "an embed field holds 1,024 characters")
KEYWORD = Limit(50, "a keyword is a word or a short name")
SUMMARY_POINT = Limit(FIELD_VALUE_LIMIT, "an embed field holds 1,024 characters")
ESSAY_TITLE = Limit(TITLE_LIMIT, "an embed title holds 256 characters")
PARAGRAPH = Limit(DESCRIPTION_LIMIT, "an embed description holds 4,096 characters")


# What to do about a phrasing used twice, by (where it is now, where it was first).
_ONE_PLACE = {
    ("questions", "questions"): "each phrasing must lead to one entry",
    ("not_answered", "not_answered"): "list it once",
    ("questions", "not_answered"): "a question is either answered or not",
    ("not_answered", "questions"): "a question is either answered or not",
}


class KnowledgeError(Exception):
    """The knowledge folder has problems; ``problems`` lists them all.

    Files that could not be read at all come first, since what they hold is
    what the rest of the checks could not see; then every problem in file order.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda problem: (not problem.unreadable, problem)))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the knowledge base")


def load_knowledge(directory: Path, *, with_calibration: bool = True) -> KnowledgeBase:
    """Read, validate and build the knowledge base in ``directory``.

    Raises KnowledgeError listing every problem when anything is wrong. Without
    ``with_calibration`` its calibration file is not read: what `calibrate` replaces.
    """
    reader = _KnowledgeReader(directory, with_calibration)
    knowledge = reader.build()
    if reader.problems or knowledge is None:
        raise KnowledgeError(reader.problems)
    return knowledge


def validate_knowledge(directory: Path) -> list[Problem]:
    """Every problem in ``directory``, as `python -m bot validate` lists them; empty when it is clean.

    Besides what loading checks, each ``not_answered`` question is asked of the matcher, word for
    word: one that is answered all the same sits too close to a phrasing and declines nothing. And a
    phrasing of an entry about one side may not name the other side as the one who gains. These need
    the whole index, so they are left to validation rather than done on every load and reload.
    """
    reader = _KnowledgeReader(directory)
    knowledge = reader.build()
    if knowledge is not None and not reader.problems:
        matcher = Matcher(knowledge)
        for item in reader.placed:
            _check_not_answered_declined(matcher, item)
            _check_other_side_asked(matcher, item)
    return list(KnowledgeError(reader.problems).problems)


def _check_not_answered_declined(matcher: Matcher, item: _Placed) -> None:
    declined = item.data.get("not_answered")
    if not isinstance(declined, YamlList):
        return
    for question, line in zip(declined, declined.item_lines, strict=True):
        answer = matcher.ask(str(question))
        if answer.entry is not None:
            item.checks.add(
                line,
                f'entry "{item.entry.id}": the not_answered question "{question}" is answered all the same '
                f'(by "{answer.entry.id}"): a phrasing is closer to it; reword it, or drop it',
            )


def _check_other_side_asked(matcher: Matcher, item: _Placed) -> None:
    questions = item.data.get("questions")
    if not isinstance(questions, YamlList):
        return
    for index in matcher.other_side_asked(item.entry):
        item.checks.add(
            questions.item_lines[index],
            f'entry "{item.entry.id}": the question "{questions[index]}" names the side the title does not name as '
            "the one who gains or wants; say the other side's part without naming who gains (\"I get the "
            'Russian side, but…"), so that questions about that side are not drawn here',
        )


def display_path(path: Path) -> Path:
    """``path`` relative to the working directory when it lies inside it."""
    relative = os.path.relpath(path)
    return Path(relative) if not relative.startswith("..") else path


def _every_bullet_read(data: YamlMap, full: tuple[SummaryPoint, ...]) -> bool:
    """Whether each bullet of the full summary was read; a broken one is reported already, its paragraph unknown."""
    return isinstance(data["full"], YamlList) and len(full) == len(data["full"])


@dataclass(frozen=True, slots=True)
class _Placed:
    """A valid entry and where it was written, for checks across entries."""

    entry: Entry
    checks: FileChecks
    data: YamlMap


class _KnowledgeReader:
    def __init__(self, directory: Path, with_calibration: bool = True) -> None:
        self.directory = directory
        self.with_calibration = with_calibration
        self.problems: list[Problem] = []
        self._digest = hashlib.sha256()
        self._quote_keys: dict[int, str] = {}
        self._paragraph_lines: dict[int, int] = {}
        # Ids of every entry, valid or not, so that one broken entry does not
        # also make every "related" link to it look wrong.
        self._declared_ids: set[str] = set()
        # Entries files whose entries could not be reached (a YAML syntax error,
        # no "entries" list): while there is one, the ids above are incomplete.
        self._unread_entry_files: list[Path] = []
        self.placed: list[_Placed] = []  # the valid entries, where they were written

    def build(self) -> KnowledgeBase | None:
        if not self.directory.is_dir():
            self._checks_for(self.directory).unreadable(0, "not a folder: point this at the knowledge folder")
            return None
        self._check_stray_files()
        essay = self._essay()
        placed = self.placed = self._entries(essay)
        summaries = self._summaries(essay)
        synonyms = self._synonyms()
        counterparts = self._counterparts()
        calibration = self._calibration()
        self._check_across_entries(placed)
        if essay is not None and not self.problems:
            self._check_coverage(essay, placed)
        if self.problems or essay is None or summaries is None:
            return None
        return KnowledgeBase(
            essay=essay,
            entries=tuple(item.entry for item in placed),
            summaries=summaries,
            synonyms=synonyms,
            counterparts=counterparts,
            calibration=calibration,
            version=self._digest.hexdigest()[:12],
        )

    def _checks_for(self, path: Path) -> FileChecks:
        return FileChecks(path, display_path(path), self.problems)

    def _read(self, path: Path) -> tuple[FileChecks, Any] | None:
        checks = self._checks_for(path)
        try:
            data = read_limited(path)
            self._digest.update(path.name.encode() + b"\0" + data)
            return checks, parse_yaml(data)
        except YamlProblem as problem:
            checks.unreadable(problem.line, problem.message)
        except FileNotFoundError:
            checks.unreadable(0, "file not found")
        except OSError as error:
            checks.unreadable(0, f"cannot read the file ({error.strerror or error})")
        return None

    def _check_stray_files(self) -> None:
        known = {ESSAY_FILE, SUMMARIES_FILE, SYNONYMS_FILE, COUNTERPARTS_FILE, CALIBRATION_FILE, EVAL_FILE}
        expected = f"entries belong in {ENTRIES_DIR}/, and the other files are {', '.join(sorted(known))}"
        for path in sorted(self.directory.glob("*.y*ml")):
            if path.name not in known:
                self._checks_for(path).add(0, f"not a knowledge file; {expected}")
        for path in sorted((self.directory / ENTRIES_DIR).glob("*.yml")):
            self._checks_for(path).add(0, "entry files end in .yaml; rename it so it is loaded")

    # -- the essay -------------------------------------------------------------

    def _essay(self) -> Essay | None:
        read = self._read(self.directory / ESSAY_FILE)
        if read is None:
            return None
        checks, raw = read
        data = checks.mapping(raw, 1, "the essay file")
        if data is None or not checks.fields(data, "the essay", ("title", "author", "author_note", "paragraphs")):
            return None
        before = len(self.problems)
        title = checks.text(data, "title", "the essay", ESSAY_TITLE)
        author = checks.text(data, "author", "the essay", ESSAY_TITLE)
        paragraphs = self._paragraphs(checks, data)
        author_note = checks.integer(data, "author_note", "the essay")
        if author_note is not None and paragraphs and not 1 <= author_note <= len(paragraphs):
            checks.add(
                data.line_of("author_note"),
                f'the essay: "author_note" must be the number of a paragraph (1–{len(paragraphs)}), not {author_note}',
            )
        if len(self.problems) > before or title is None or author is None or author_note is None:
            return None
        self._quote_keys = {number: quote_key(text) for number, text in enumerate(paragraphs, 1)}
        return Essay(title=title, author=author, paragraphs=paragraphs, author_note=author_note)

    def _paragraphs(self, checks: FileChecks, data: YamlMap) -> tuple[str, ...]:
        numbered = checks.mapping(data["paragraphs"], data.line_of("paragraphs"), 'the essay: "paragraphs"')
        if numbered is None:
            return ()
        texts: list[str] = []
        for expected, (number, value) in enumerate(numbered.items(), 1):
            line = numbered.key_lines[number]
            if number != expected:
                checks.add(
                    line, f"paragraph numbers must run 1, 2, 3… in order; expected {expected} here, found {number!r}"
                )
                return ()
            text = checks.text_value(value, line, f"the essay: ¶{number}", PARAGRAPH)
            texts.append(text or "")
            self._paragraph_lines[number] = line
        if not texts:
            checks.add(numbered.line, 'the essay: "paragraphs" is empty')
        return tuple(texts)

    # -- entries ---------------------------------------------------------------

    def _entries(self, essay: Essay | None) -> list[_Placed]:
        folder = self.directory / ENTRIES_DIR
        files = sorted(folder.glob("*.yaml"))
        if not files:
            self._checks_for(folder).add(
                0, f"no entry files: the knowledge base needs at least one {ENTRIES_DIR}/*.yaml"
            )
        placed: list[_Placed] = []
        for path in files:
            found = self._entries_file(path, essay)
            if found is None:
                self._unread_entry_files.append(path)
            placed.extend(found or ())
        return placed

    def _entries_file(self, path: Path, essay: Essay | None) -> list[_Placed] | None:
        """The valid entries of one file; None when its list of entries could not be reached at all."""
        read = self._read(path)
        if read is None:
            return None
        checks, raw = read
        data = checks.mapping(raw, 1, "an entries file")
        if data is None or not checks.fields(data, "the file", ("theme", "entries")):
            return None
        theme = checks.text(data, "theme", "the file", THEME) or ""
        listed = checks.list_of(data, "entries", "the file", minimum=1)
        if not isinstance(data["entries"], YamlList):
            return None
        entries = (self._entry(checks, item, line, theme, essay) for item, line in listed)
        return [entry for entry in entries if entry is not None]

    def _entry(self, checks: FileChecks, raw: Any, line: int, theme: str, essay: Essay | None) -> _Placed | None:
        data = checks.mapping(raw, line, "an entry")
        if data is None:
            return None
        raw_id = data.get("id")
        what = f'entry "{raw_id}"' if isinstance(raw_id, str) and raw_id.strip() else f"the entry on line {line}"
        before = len(self.problems)
        optional = ("keywords", "related", "why", "examples", "not_answered")
        checks.fields(data, what, ("id", "title", "questions", "answer", "citations"), optional)
        entry_id = self._entry_id(checks, data, what)
        if entry_id is not None:
            self._declared_ids.add(entry_id)
        title = checks.text(data, "title", what, TITLE)
        questions = checks.texts(data, "questions", what, QUESTION, minimum=MIN_QUESTIONS)
        answer = checks.text(data, "answer", what, ANSWER)
        citations = self._citations(checks, data, what, essay)
        keywords = checks.texts(data, "keywords", what, KEYWORD)
        related = checks.texts(data, "related", what, ID)
        why = checks.texts(data, "why", what, ID)
        examples = checks.texts(data, "examples", what, ID)
        not_answered = checks.texts(data, "not_answered", what, QUESTION)
        if len(self.problems) > before or entry_id is None or title is None or answer is None:
            return None
        entry = Entry(
            entry_id, title, questions, answer, citations, keywords, related, theme, not_answered, why, examples
        )
        self._check_opening(checks, data, entry)
        return _Placed(entry, checks, data)

    @staticmethod
    def _check_opening(checks: FileChecks, data: YamlMap, entry: Entry) -> None:
        """An answer is shown after every phrasing, so a bare "Yes." or "China." must fit all of them."""
        found = _FIRST_SENTENCE.match(entry.answer)
        opening = found.group().strip() if found else entry.answer
        if len(normalise(opening).split()) > SHORT_VERDICT_WORDS:
            return
        fits = _YES_NO_QUESTION if _YES_NO_VERDICT.match(normalise(opening)) else _NAME_QUESTION
        misfit = next((question for question in entry.questions if not fits.match(normalise(question))), None)
        if misfit is not None:
            checks.add(
                data.line_of("answer"),
                f'entry "{entry.id}": the answer opens with "{opening}", which reads wrong after some of its '
                f'phrasings, e.g. "{misfit}"; open with a sentence that states the point in full',
            )

    def _entry_id(self, checks: FileChecks, data: YamlMap, what: str) -> str | None:
        if "id" not in data:
            return None
        entry_id = checks.text(data, "id", what, ID)
        if entry_id is not None and not ID_PATTERN.fullmatch(entry_id):
            checks.add(
                data.line_of("id"), f'{what}: "id" must be lower-case words joined by hyphens, like "dominant-partner"'
            )
            return None
        return entry_id

    def _citations(self, checks: FileChecks, data: YamlMap, what: str, essay: Essay | None) -> tuple[Citation, ...]:
        if "citations" not in data:
            return ()
        citations: list[Citation] = []
        for raw, line in checks.list_of(data, "citations", what, minimum=1):
            item = checks.mapping(raw, line, f"{what}: a citation")
            if item is None or not checks.fields(item, f"{what}: a citation", ("paragraph", "quote")):
                continue
            paragraph = checks.integer(item, "paragraph", f"{what}: a citation")
            quote = checks.text(item, "quote", f"{what}: a citation", QUOTE)
            if paragraph is None or quote is None:
                continue
            if essay is not None and not self._citation_holds(checks, item, what, paragraph, quote):
                continue
            citations.append(Citation(paragraph, quote))
        return tuple(citations)

    def _citation_holds(self, checks: FileChecks, item: YamlMap, what: str, paragraph: int, quote: str) -> bool:
        if paragraph not in self._quote_keys:
            checks.add(
                item.line_of("paragraph"),
                f"{what}: paragraph {paragraph} does not exist; the essay has ¶1–¶{len(self._quote_keys)}",
            )
            return False
        wanted = quote_key(quote)
        if wanted in self._quote_keys[paragraph]:
            return True
        elsewhere = [number for number, text in self._quote_keys.items() if wanted in text]
        if elsewhere:
            hint = f"it is in ¶{elsewhere[0]}; fix the paragraph number"
        else:
            hint = self._closest_passage(paragraph, wanted)
        checks.add(item.line_of("quote"), f"{what}: the quote is not word for word in ¶{paragraph}; {hint}")
        return False

    def _closest_passage(self, paragraph: int, wanted: str) -> str:
        text = self._quote_keys[paragraph]
        alignment = fuzz.partial_ratio_alignment(wanted, text)
        if alignment is None or alignment.score < 60:
            return "no passage there is close to it"
        start = text.rfind(" ", 0, alignment.dest_start) + 1
        end = text.find(" ", alignment.dest_end)
        return f'closest there: "{text[start : end if end != -1 else len(text)]}"'

    # -- checks across entries ---------------------------------------------------

    def _check_across_entries(self, placed: list[_Placed]) -> None:
        # Two readable entries sharing an id or a phrasing clash whatever an unreadable file
        # holds; whether a linked id exists cannot be told until every entries file is read.
        self._check_ids_unique(placed)
        self._check_questions_unique(placed)
        known = None if self._unread_entry_files else self._declared_ids
        for item in placed:
            self._check_related(item, known)

    def _check_ids_unique(self, placed: list[_Placed]) -> None:
        first_use: dict[str, str] = {}
        for item in placed:
            line = item.data.line_of("id")
            if item.entry.id in first_use:
                item.checks.add(line, f'duplicate id "{item.entry.id}": already used at {first_use[item.entry.id]}')
            else:
                first_use[item.entry.id] = f"{item.checks.shown_as}:{line}"

    def _check_questions_unique(self, placed: list[_Placed]) -> None:
        """Each phrasing leads to one entry, and none is both answered and declined."""
        first_use: dict[str, tuple[str, str, str]] = {}
        for item in placed:
            for field, phrasings in (("questions", item.entry.questions), ("not_answered", item.entry.not_answered)):
                if field not in item.data:
                    continue
                for question, line in zip(phrasings, item.data[field].item_lines, strict=True):
                    key = normalise(question)
                    if key not in first_use:
                        first_use[key] = (item.entry.id, field, f"{item.checks.shown_as}:{line}")
                        continue
                    owner, owner_field, where = first_use[key]
                    place = "earlier in this entry" if owner == item.entry.id else f'in entry "{owner}"'
                    listed = "asked" if owner_field == "questions" else "listed as not answered"
                    message = f'the question "{question}" is already {listed} {place} ({where})'
                    item.checks.add(line, f'entry "{item.entry.id}": {message}; {_ONE_PLACE[field, owner_field]}')

    def _check_related(self, item: _Placed, known: set[str] | None) -> None:
        """Links to the entry itself, too many links, and (when ``known`` is complete) links to no entry."""
        links = (("related", item.entry.related), ("why", item.entry.why), ("examples", item.entry.examples))
        for key, ids in links:
            if key not in item.data:
                continue
            if key == "related" and len(ids) > MAX_RELATED:
                item.checks.add(
                    item.data.line_of_key(key),
                    f'entry "{item.entry.id}": "related" lists {len(ids)} entries; at most {MAX_RELATED} are shown '
                    "as read-next buttons, so keep the best ones",
                )
            for linked, line in zip(ids, item.data[key].item_lines, strict=True):
                if linked == item.entry.id:
                    item.checks.add(line, f'entry "{item.entry.id}" lists itself under "{key}"')
                elif known is not None and linked not in known:
                    item.checks.add(line, f'entry "{item.entry.id}": {key} id "{linked}" does not exist')

    def _check_coverage(self, essay: Essay, placed: list[_Placed]) -> None:
        primaries = {item.entry.primary.paragraph for item in placed if item.entry.citations}
        checks = self._checks_for(self.directory / ESSAY_FILE)
        for number in range(1, len(essay.paragraphs) + 1):
            if number not in primaries:
                checks.add(
                    self._paragraph_lines[number],
                    f"¶{number} is not the primary (first) citation of any entry; every paragraph needs one",
                )

    # -- summaries and synonyms ----------------------------------------------------

    def _summaries(self, essay: Essay | None) -> Summaries | None:
        read = self._read(self.directory / SUMMARIES_FILE)
        if read is None:
            return None
        checks, raw = read
        data = checks.mapping(raw, 1, "the summaries file")
        if data is None or not checks.fields(data, "the summaries", ("short", "full")):
            return None
        short = self._summary(checks, data, "short", essay)
        if len(short) > MAX_SHORT_SUMMARY:
            checks.add(
                data.line_of_key("short"),
                f"the short summary has {len(short)} bullets; it holds at most {MAX_SHORT_SUMMARY}",
            )
        full = self._summary(checks, data, "full", essay)
        self._check_essay_order(checks, data, full)
        if essay is not None:
            self._check_full_covers_body(checks, data, full, essay)
        return Summaries(short=short, full=full)

    def _summary(self, checks: FileChecks, data: YamlMap, key: str, essay: Essay | None) -> tuple[SummaryPoint, ...]:
        points: list[SummaryPoint] = []
        for raw, line in checks.list_of(data, key, f"the {key} summary", minimum=1):
            what = f"the {key} summary: the bullet on line {line}"
            item = checks.mapping(raw, line, what)
            if item is None or not checks.fields(item, what, ("text", "citations")):
                continue
            text = checks.text(item, "text", what, SUMMARY_POINT)
            citations = self._citations(checks, item, what, essay)
            if text is not None and citations:
                points.append(SummaryPoint(text, citations))
        return tuple(points)

    def _check_essay_order(self, checks: FileChecks, data: YamlMap, full: tuple[SummaryPoint, ...]) -> None:
        if not _every_bullet_read(data, full):
            return
        lines = data["full"].item_lines
        for previous, point, line in zip(full, full[1:], lines[1:], strict=False):
            before, here = previous.citations[0].paragraph, point.citations[0].paragraph
            if here < before:
                checks.add(
                    line,
                    f"the full summary follows the essay's order: this bullet cites ¶{here} after one citing ¶{before}",
                )

    @staticmethod
    def _check_full_covers_body(
        checks: FileChecks, data: YamlMap, full: tuple[SummaryPoint, ...], essay: Essay
    ) -> None:
        """/summary full walks the whole body: each paragraph but the author note opens a bullet."""
        if not _every_bullet_read(data, full):
            return
        opened = {point.citations[0].paragraph for point in full}
        body = [number for number in range(1, len(essay.paragraphs) + 1) if number != essay.author_note]
        missing = [f"¶{number}" for number in body if number not in opened]
        if missing:
            checks.add(
                data.line_of_key("full"),
                f"the full summary has no bullet whose first citation is {', '.join(missing)}; it needs one for "
                f"every paragraph but the author note (¶{essay.author_note}), in the essay's order",
            )

    def _calibration(self) -> Calibration | None:
        """The fitted weights `python -m bot calibrate` wrote, if there are any: every feature, each a number."""
        path = self.directory / CALIBRATION_FILE
        read = self._read(path) if path.exists() and self.with_calibration else None
        if read is None:
            return None
        checks, raw = read
        what = "the calibration"
        data = checks.mapping(raw, 1, what)
        if data is None or not checks.fields(data, what, ("threshold", "bias", "features", "together", *WORD_SIGNALS)):
            return None
        threshold, bias = checks.number(data, "threshold", what), checks.number(data, "bias", what)
        features = checks.mapping(data.get("features"), data.line_of("features"), '"features"')
        if threshold is not None and not 0 < threshold < 1:
            checks.add(data.line_of("threshold"), f'{what}: "threshold" must be between 0 and 1, not {threshold}')
        if features is None or not checks.fields(features, '"features"', FEATURES):
            return None
        fitted = {name: values for name in FEATURES if (values := self._feature(checks, features, name))}
        together = self._together(checks, data)
        words, unexplained = (self._word_table(checks, data, kind) for kind in WORD_SIGNALS)
        if (
            threshold is None
            or bias is None
            or not 0 < threshold < 1
            or len(fitted) < len(FEATURES)
            or together is None
            or words is None
            or unexplained is None
        ):
            return None
        return Calibration(
            bias,
            {name: values[0] for name, values in fitted.items()},
            {name: values[1] for name, values in fitted.items()},
            {name: values[2] for name, values in fitted.items()},
            MappingProxyType(together),
            threshold,
            MappingProxyType(words),
            MappingProxyType(unexplained),
        )

    @staticmethod
    def _together(checks: FileChecks, data: YamlMap) -> dict[tuple[str, str], float] | None:
        """The weights of two features together: under each feature but the last, one for every later feature."""
        table = checks.mapping(data.get("together"), data.line_of("together"), '"together"')
        if table is None or not checks.fields(table, '"together"', PAIRED[:-1]):
            return None
        together = {}
        for index, name in enumerate(PAIRED[:-1]):
            what = f'"together" of "{name}"'
            partners = checks.mapping(table.get(name), table.line_of(name), what)
            if partners is None or not checks.fields(partners, what, PAIRED[index + 1 :]):
                continue
            for other in PAIRED[index + 1 :]:
                if (weight := checks.number(partners, other, what)) is not None:
                    together[name, other] = weight
        return together if len(together) == len(PAIRS) else None

    @staticmethod
    def _word_table(checks: FileChecks, data: YamlMap, kind: str) -> dict[str, float] | None:
        """One of the calibration's word tables: each word (text) with its log-odds (a number)."""
        table = checks.mapping(data.get(kind), data.line_of(kind), f'"{kind}"')
        if table is None:
            return None
        odds = {}
        for word in table:
            if not isinstance(word, str):
                checks.add(table.key_lines[word], f'"{kind}": a word must be text in quotes, not {describe_type(word)}')
            elif (value := checks.number(table, word, f'"{kind}"')) is not None:
                odds[word] = value
        return odds if len(odds) == len(table) else None

    @staticmethod
    def _feature(checks: FileChecks, features: YamlMap, name: str) -> tuple[float, float, float] | None:
        what = f'feature "{name}"'
        data = checks.mapping(features.get(name), features.line_of(name), what)
        if data is None or not checks.fields(data, what, ("weight", "mean", "scale")):
            return None
        weight, mean, scale = (checks.number(data, key, what) for key in ("weight", "mean", "scale"))
        if scale is not None and scale <= 0:
            checks.add(data.line_of("scale"), f'{what}: "scale" must be above 0, not {scale}')
            return None
        if weight is None or mean is None or scale is None:
            return None
        return weight, mean, scale

    def _counterparts(self) -> MappingProxyType[str, str]:
        """Each word of a pair mapped to the other, the left-hand word first; a word may stand in one pair only."""
        path = self.directory / COUNTERPARTS_FILE
        read = self._read(path) if path.exists() else None
        if read is None:
            return MappingProxyType({})
        checks, raw = read
        data = checks.mapping(raw, 1, "the counterparts file")
        if data is None:
            return MappingProxyType({})
        pairs: dict[str, str] = {}
        for word in data:
            other = checks.text(data, word, "counterparts", KEYWORD)
            if other is None:
                continue
            one, two = normalise(str(word)), normalise(other)
            if one in pairs or two in pairs or one == two:
                where = "a word can be the counterpart of one other only"
                checks.add(data.line_of(word), f'"{word}" and "{other}": {where}')
                continue
            pairs[one], pairs[two] = two, one
        return MappingProxyType(pairs)

    def _synonyms(self) -> MappingProxyType[str, tuple[str, ...]]:
        path = self.directory / SYNONYMS_FILE
        if not path.exists():
            return MappingProxyType({})
        read = self._read(path)
        if read is None:
            return MappingProxyType({})
        checks, raw = read
        data = checks.mapping(raw, 1, "the synonyms file")
        if data is None:
            return MappingProxyType({})
        synonyms: dict[str, tuple[str, ...]] = {}
        owners: dict[str, str] = {}
        for word in data:
            variants = checks.texts(data, word, "synonyms", KEYWORD, minimum=1)
            canonical = normalise(str(word))
            for variant, line in zip(variants, data[word].item_lines if variants else [], strict=False):
                key = normalise(variant)
                if key in owners and owners[key] != canonical:
                    checks.add(line, f'"{variant}" is already a synonym of "{owners[key]}"')
                owners[key] = canonical
            synonyms[canonical] = tuple(normalise(variant) for variant in variants)
        return MappingProxyType(synonyms)
