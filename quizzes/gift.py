"""Read and write GIFT, the plain-text question format of Moodle.

Pure Python apart from Django's gettext, which translates the messages of GiftError, and nh3,
which sanitises ``[html]`` text.

``parse_gift`` follows the way Moodle's ``qformat_gift`` reads a file, rule by rule, with these
deliberate differences:

* the whole file is rejected, naming the line of the first problem, where Moodle would
  silently turn a typo into answer text (a weight such as ``%fifty%``) or stop without a line
  number (brace errors, too few answers);
* kinds we cannot import (essay, numerical, matching, short answer, missing word and
  description) are skipped and reported, not imported;
* a ``// source: ...`` comment in a question's block fills ``GiftQuestion.source``.

``format_gift`` writes questions so that ``parse_gift`` (and Moodle) read them back unchanged.

Escapes are found without placeholders: ``_mask_escapes`` returns a copy of the block text in
which every escape sequence is replaced by two NUL characters. The copy has the same length as
the text, so syntax characters are looked up in the mask and the text is sliced at the same
positions. NUL cannot occur in a parsed file (it is rejected as binary), so the mask never
confuses an escape with real text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import richtext
from .textfiles import TextFileError, decode_text_file

KINDS = ("single", "multiple", "true_false")

# PHP's trim() set, minus NUL (rejected in input and used as the escape mask).
_WHITESPACE = " \t\n\r\x0b"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f]")
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_FORMAT_MARKER = re.compile(r"\[(?:moodle|html|plain|markdown)\]")
_WEIGHT_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_CATEGORY_PREFIX = "$CATEGORY:"
_CATEGORY_SEPARATOR = re.compile(r"(?<!/)/(?!/)")
_CONTEXT_SEGMENT = re.compile(r"\$[a-z]+\$")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_SOURCE_PREFIX = "// source:"
# Positive weights of a multiple-response question must add up to 100% within this margin.
_WEIGHT_SUM_MARGIN = 0.01
_FLOAT_SLACK = 1e-9
_EMPTY_LIST_MESSAGE = gettext_lazy(
    "the answer list between '{' and '}' has no answers; write each answer after '=' (right) "
    "or '~' (wrong)"
)


class GiftError(ValueError):
    """A GIFT file that cannot be imported; ``line`` is 1-based, or None for the whole file.

    The message is translated when raised, in the language of the person who uploaded.
    """

    def __init__(self, message: str, line: int | None = None):
        self.message = str(message)
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        # Most messages are clauses ("an answer has no text"): a full stop keeps the sentence
        # that follows them ("Nothing was imported.") from running on.
        message = self.message if self.message.endswith((".", "?", "!")) else f"{self.message}."
        if self.line is None:
            return message
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": message}


@dataclass
class GiftChoice:
    text: str
    fraction: float  # -1.0 .. 1.0 (weight / 100); correct means fraction > 0
    feedback: str = ""


@dataclass
class GiftQuestion:
    line: int
    title: str
    prompt: str
    kind: str  # "single" | "multiple" | "true_false"
    choices: list[GiftChoice]
    general_feedback: str
    category: str | None
    source: str = ""


@dataclass
class SkippedQuestion:
    line: int
    kind: str  # "essay", "matching", "numerical", "short answer", "missing word", "description"


@dataclass
class GiftParseResult:
    questions: list[GiftQuestion]
    skipped: list[SkippedQuestion]


# --------------------------------------------------------------------------- reading the file


def _decode(data: bytes) -> str:
    try:
        return decode_text_file(data)
    except TextFileError as error:
        raise GiftError(error.message, error.line) from None


# --------------------------------------------------------------------------- blocks


@dataclass
class _Block:
    """The non-blank lines of one question or category, with comment lines kept apart."""

    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, trimmed text)
    comments: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._text: str | None = None
        self._mask: str | None = None

    @property
    def line(self) -> int:
        """Return the line number of the block's first non-comment line."""
        return self.lines[0][0]

    @property
    def text(self) -> str:
        """Return the non-comment lines joined with newlines."""
        if self._text is None:
            self._text = "\n".join(line for _, line in self.lines)
        return self._text

    @property
    def mask(self) -> str:
        """Return ``text`` with each escape sequence replaced by two NULs (same length)."""
        if self._mask is None:
            self._mask = _mask_escapes(self.text)
        return self._mask

    def line_at(self, position: int) -> int:
        """Return the file line number of the character at ``position`` in ``text``."""
        return self.lines[self.mask.count("\n", 0, position)][0]

    def source(self) -> str:
        """Return the text of the first ``// source:`` comment, or ""."""
        for comment in self.comments:
            if comment.startswith(_SOURCE_PREFIX):
                return _trim(comment[len(_SOURCE_PREFIX) :])
        return ""


def _split_blocks(lines: list[str]) -> list[_Block]:
    """Group lines into blocks separated by blank lines; drop blocks holding only comments."""
    blocks: list[_Block] = []
    current = _Block()
    for number, raw in enumerate(lines, start=1):
        line = _trim(raw)
        if not line:
            blocks.append(current)
            current = _Block()
        elif line.startswith("//"):
            current.comments.append(line)
        else:
            current.lines.append((number, line))
    blocks.append(current)
    return [block for block in blocks if block.lines]


# --------------------------------------------------------------------------- text helpers


def _trim(text: str) -> str:
    """Strip the whitespace that PHP's trim() strips (not Unicode spaces such as NBSP)."""
    return text.strip(_WHITESPACE)


def _mask_escapes(text: str) -> str:
    """Replace every escape sequence by two NULs; ``\\\\`` pairs are matched first, as Moodle."""
    return _ESCAPE.sub("\0\0", text)


def _unescape(text: str) -> str:
    """Resolve GIFT escapes: ``\\n`` is a newline, ``\\X`` is X; other backslashes stay."""
    return _ESCAPE.sub(lambda match: "\n" if match[1] == "n" else match[1], text)


def _clean(raw: str) -> str:
    """Turn raw GIFT text into question text: trim, drop a format marker, resolve escapes, trim.

    ``[html]`` text is sanitised (see ``richtext``): its bold and italics stay, a script or a
    link never gets in.
    """
    text = _trim(raw)
    marker = _FORMAT_MARKER.match(text)
    if marker:
        text = text[marker.end() :]
    text = _trim(_unescape(text))
    if marker and marker[0] == "[html]":
        text = richtext.from_html(text)
    return text


def _trimmed_span(mask: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``start:end`` so that it neither starts nor ends with whitespace."""
    while start < end and mask[start] in _WHITESPACE:
        start += 1
    while end > start and mask[end - 1] in _WHITESPACE:
        end -= 1
    return start, end


# --------------------------------------------------------------------------- categories


def _read_category(block: _Block) -> str:
    """Return the category named by a ``$CATEGORY:`` block (the last segment of its path)."""
    if len(block.lines) > 1:
        raise GiftError(
            _(
                "a '$CATEGORY:' line must be followed by a blank line; otherwise this line "
                "becomes part of the category name"
            ),
            block.lines[1][0],
        )
    path = block.text[len(_CATEGORY_PREFIX) :]
    name = _category_name(path)
    if not name:
        raise GiftError(_("'$CATEGORY:' is not followed by a category name"), block.line)
    return name


def _category_name(path: str) -> str:
    """Return the last non-empty segment of a Moodle category path, or "".

    Segments are split on single slashes (``//`` is an escaped slash) and trimmed; a leading
    context such as ``$course$`` is not a category.
    """
    segments = [_trim(part.replace("//", "/")) for part in _CATEGORY_SEPARATOR.split(path)]
    if segments and _CONTEXT_SEGMENT.fullmatch(segments[0]):
        segments = segments[1:]
    names = [segment for segment in segments if segment]
    return names[-1] if names else ""


def _reject_misplaced_category(block: _Block) -> None:
    """Raise if a ``$CATEGORY:`` line sits inside a question's block, where Moodle ignores it."""
    for number, line in block.lines[1:]:
        if line.startswith(_CATEGORY_PREFIX):
            raise GiftError(
                _("'$CATEGORY:' must be in a block of its own, with a blank line before it"),
                number,
            )


# --------------------------------------------------------------------------- questions


def _read_title(block: _Block) -> tuple[str, int]:
    """Return the ``::title::`` of a block (or "") and where the question text starts."""
    if not block.mask.startswith("::"):
        return "", 0
    end = block.mask.find("::", 2)
    if end == -1:
        # Moodle drops the opening '::' and reads the rest as question text.
        return "", 2
    return _trim(_unescape(block.text[2:end])), end + 2


def _find_answer_list(block: _Block, start: int) -> tuple[int, int] | None:
    """Return the positions of the answer list's ``{`` and ``}``, or None if there are none.

    Raise a GiftError for an unclosed ``{``, a stray ``}`` or a second answer list.
    """
    mask = block.mask
    opening, closing = mask.find("{", start), mask.find("}", start)
    if opening == -1 and closing == -1:
        return None
    if closing != -1 and (opening == -1 or closing < opening):
        raise GiftError(_("'}' has no matching '{' before it"), block.line_at(closing))
    if closing == -1:
        raise GiftError(
            _("'{' is never closed by '}' (remember that a blank line ends a question)"),
            block.line_at(opening),
        )
    inner = mask.find("{", opening + 1, closing)
    if inner != -1:
        raise GiftError(
            _("a second '{' appears before the '}' that closes the '{' on line %(line)d")
            % {"line": block.line_at(opening)},
            block.line_at(inner),
        )
    _reject_braces_after(block, closing)
    return opening, closing


def _reject_braces_after(block: _Block, closing: int) -> None:
    """Raise if another brace follows the ``}`` that closes the answer list."""
    later_open = block.mask.find("{", closing + 1)
    later_close = block.mask.find("}", closing + 1)
    if later_close != -1 and (later_open == -1 or later_close < later_open):
        raise GiftError(_("'}' has no matching '{' before it"), block.line_at(later_close))
    if later_open != -1:
        raise GiftError(
            _(
                "a question can have only one answer list in '{...}'; is a blank line missing "
                "between two questions?"
            ),
            block.line_at(later_open),
        )


def _answer_kind(answers: str) -> str:
    """Classify an answer list (masked, trimmed, without general feedback) as Moodle does."""
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return "choice"
    if "=" in answers and "->" in answers:
        return "matching"
    hash_at = answers.find("#")
    answer = _trim(answers[:hash_at]) if hash_at > 0 else answers
    if answer in _TRUE_FALSE:
        return "true_false"
    return "short answer"


def _parse_question(block: _Block, category: str | None) -> GiftQuestion | SkippedQuestion:
    """Parse one question block; return a SkippedQuestion for kinds we do not import."""
    _reject_misplaced_category(block)
    text, mask = block.text, block.mask
    title, body = _read_title(block)
    braces = _find_answer_list(block, body)
    if braces is None:
        return SkippedQuestion(block.line, "description")
    opening, closing = braces
    if _trim(mask[closing + 1 :]):
        return SkippedQuestion(block.line, "missing word")
    start, end = opening + 1, closing
    general_feedback = ""
    separator = mask.rfind("####", start, end)
    if separator != -1:
        general_feedback = _clean(text[separator + 4 : end])
        end = separator
    start, end = _trimmed_span(mask, start, end)
    kind = _answer_kind(mask[start:end])
    if kind == "short answer":
        _reject_empty_short_answers(block, opening, start, end)
    if kind not in ("choice", "true_false"):
        return SkippedQuestion(block.line, kind)
    if kind == "true_false":
        choices = _parse_true_false(block, start, end)
    else:
        kind, choices = _parse_choices(block, opening, start, end)
    return GiftQuestion(
        line=block.line,
        title=title,
        prompt=_clean(text[body:opening]),
        kind=kind,
        choices=choices,
        general_feedback=general_feedback,
        category=category,
        source=block.source(),
    )


def _parse_true_false(block: _Block, start: int, end: int) -> list[GiftChoice]:
    """Return the True and False choices of ``{T#wrong feedback#right feedback}``."""
    text, mask = block.text, block.mask
    first = mask.find("#", start, end)
    second = mask.find("#", first + 1, end) if first != -1 else -1
    answer_end = first if first != -1 else end
    wrong_end = second if second != -1 else end
    wrong = _clean(text[first + 1 : wrong_end]) if first != -1 else ""
    right = _clean(text[second + 1 : end]) if second != -1 else ""
    if _TRUE_FALSE[_trim(mask[start:answer_end])]:
        return [GiftChoice("True", 1.0, right), GiftChoice("False", 0.0, wrong)]
    return [GiftChoice("True", 0.0, wrong), GiftChoice("False", 1.0, right)]


def _answer_spans(mask: str, start: int, end: int, markers: str) -> list[tuple[str, int, int]]:
    """Split an answer list at each marker; return (marker, start, end) per answer.

    Text before the first marker counts as an answer (marker "") unless it is blank, because
    Moodle reads it as a wrong answer.
    """
    positions = [i for i in range(start, end) if mask[i] in markers]
    spans = []
    if _trim(mask[start : positions[0] if positions else end]):
        spans.append(("", start, positions[0] if positions else end))
    for index, position in enumerate(positions):
        stop = positions[index + 1] if index + 1 < len(positions) else end
        spans.append((mask[position], position + 1, stop))
    return spans


def _reject_empty_short_answers(block: _Block, opening: int, start: int, end: int) -> None:
    """Raise if a short-answer list such as ``{=}`` holds no answer text at all."""
    for _marker, answer_start, answer_end in _answer_spans(block.mask, start, end, "="):
        answer = block.mask[answer_start:answer_end].split("#", 1)[0]
        if _trim(re.sub(r"^\s*%[^%]*%", "", answer)):
            return
    raise GiftError(_EMPTY_LIST_MESSAGE, block.line_at(opening))


def _parse_choices(
    block: _Block, opening: int, start: int, end: int
) -> tuple[str, list[GiftChoice]]:
    """Parse a multiple-choice answer list; return its kind and choices.

    The question is single-response when the list holds an unescaped ``=``.
    """
    mask = block.mask
    spans = _answer_spans(mask, start, end, "~=")
    if all(not _trim(mask[span_start:span_end]) for _, span_start, span_end in spans):
        raise GiftError(_EMPTY_LIST_MESSAGE, block.line_at(opening))
    choices = [_parse_choice(block, *span) for span in spans]
    if len(choices) < 2:
        raise GiftError(
            _("a multiple-choice question needs at least two answers"), block.line_at(opening)
        )
    kind = "single" if "=" in mask[start:end] else "multiple"
    if kind == "multiple":
        _check_multiple_weights(choices, block.line_at(opening))
    return kind, choices


def _parse_choice(block: _Block, marker: str, start: int, end: int) -> GiftChoice:
    """Parse one answer (without its ``~``/``=`` marker): weight, text and feedback."""
    text, mask = block.text, block.mask
    marker_at = start - 1 if marker else start
    start, end = _trimmed_span(mask, start, end)
    fraction = 1.0 if marker == "=" else 0.0
    if marker != "=" and start < end and mask[start] == "%":
        fraction, start = _parse_weight(block, start, end)
    hash_at = mask.find("#", start, end)
    answer_end = hash_at if hash_at != -1 else end
    choice_text = _clean(text[start:answer_end])
    if not choice_text:
        message = (
            _("an answer after '%(marker)s' has no text") % {"marker": marker}
            if marker
            else _("an answer has no text")
        )
        raise GiftError(message, block.line_at(marker_at))
    feedback = _clean(text[hash_at + 1 : end]) if hash_at != -1 else ""
    return GiftChoice(choice_text, fraction, feedback)


def _parse_weight(block: _Block, start: int, end: int) -> tuple[float, int]:
    """Read ``%weight%`` at ``start``; return the fraction and where the answer text starts."""
    closing = block.mask.find("%", start + 1, end)
    if closing == -1:
        snippet = _trim(block.text[start:end])[:30]
        raise GiftError(
            _("the weight starting '%(snippet)s' has no closing '%%'") % {"snippet": snippet},
            block.line_at(start),
        )
    written = block.text[start : closing + 1]
    number = _trim(block.text[start + 1 : closing])
    if not _WEIGHT_NUMBER.fullmatch(number):
        raise GiftError(
            _("the weight '%(weight)s' is not a number") % {"weight": written},
            block.line_at(start),
        )
    weight = float(number)
    if not -100 <= weight <= 100:
        raise GiftError(
            _("the weight '%(weight)s' is outside the allowed range -100%% to 100%%")
            % {"weight": written},
            block.line_at(start),
        )
    return weight / 100, closing + 1


def _check_multiple_weights(choices: list[GiftChoice], line: int) -> None:
    """Raise unless the positive weights of a multiple-response question add up to 100%."""
    positive = [choice.fraction * 100 for choice in choices if choice.fraction > 0]
    if not positive:
        raise GiftError(
            _(
                "no answer has a positive weight, so no answer could ever be right; mark the "
                "right answers with weights such as %(example)s, or mark the one right answer "
                "with '='"
            )
            % {"example": "'~%50%'"},
            line,
        )
    total = sum(positive)
    if abs(total - 100) > _WEIGHT_SUM_MARGIN + _FLOAT_SLACK:
        raise GiftError(
            _("the positive weights add up to %(total)s%%, but they must add up to 100%%")
            % {"total": _format_number(total)},
            line,
        )


def parse_gift(data: bytes) -> GiftParseResult:
    """Parse a GIFT file into the questions we import and those we skip.

    Raise GiftError (naming the line of the first problem) if anything in the file is wrong:
    nothing from a faulty file should be imported.
    """
    text = _decode(data)
    questions: list[GiftQuestion] = []
    skipped: list[SkippedQuestion] = []
    category: str | None = None
    for block in _split_blocks(text.split("\n")):
        if block.text.startswith(_CATEGORY_PREFIX):
            category = _read_category(block)
            continue
        parsed = _parse_question(block, category)
        if isinstance(parsed, SkippedQuestion):
            skipped.append(parsed)
        else:
            questions.append(parsed)
    # A file with no braces at all is prose, not a quiz, even though Moodle would read each
    # paragraph as a description.
    if not questions and all(item.kind == "description" for item in skipped):
        raise GiftError(
            _(
                "No questions were found in the file. A GIFT question puts its answers in "
                "braces, for example: What is 2 + 2? {=4 ~5}"
            )
        )
    return GiftParseResult(questions=questions, skipped=skipped)


# --------------------------------------------------------------------------- writing


def _format_number(value: float) -> str:
    """Print a number with at most five decimals and no trailing zeros (50, 33.33333, -100)."""
    printed = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if printed in ("-0", "") else printed


def _plain(text: str) -> str:
    """Drop characters a text file cannot hold and make every line break a LF."""
    return _CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _single_line(text: str | None) -> str:
    """Return ``text`` on one trimmed line (line breaks become spaces)."""
    return _trim(_plain(text or "").replace("\n", " "))


def _escape(text: str) -> str:
    """Escape GIFT's special characters and write newlines as ``\\n``."""
    escaped = _plain(text).replace("\\", "\\\\")
    for character in "~=#{}:":
        escaped = escaped.replace(character, "\\" + character)
    return escaped.replace("\n", "\\n")


def _escape_text(text: str, *, starts_line: bool = False) -> str:
    """Escape a text that parse_gift runs through ``_clean``.

    A text that begins with a format marker gets ``[moodle]`` (Moodle's default format) in
    front, so that only the added marker is stripped on import; so does a text that starts a
    line with ``//``, which would otherwise be read as a comment, or with a BOM.
    """
    escaped = _escape(text)
    trimmed = _trim(escaped)
    # A BOM is stripped from the start of a file, so it must not start the first line either.
    if _FORMAT_MARKER.match(trimmed) or (starts_line and trimmed.startswith(("//", "\ufeff"))):
        return "[moodle]" + escaped
    return escaped


def _is_one(fraction: float) -> bool:
    """Tell whether a fraction is 100% (allowing for float noise)."""
    return abs(fraction - 1.0) < _FLOAT_SLACK


def _check_writable(question: GiftQuestion) -> None:
    """Raise ValueError if the question would not read back the same from GIFT."""
    name = f"question {question.title or _single_line(question.prompt)[:40]!r}"
    if question.kind not in KINDS:
        raise ValueError(f"{name}: unknown kind {question.kind!r}")
    fractions = [choice.fraction for choice in question.choices]
    if question.kind == "true_false":
        if len(fractions) != 2 or sum(1 for f in fractions if f > 0) != 1:
            raise ValueError(f"{name}: a true/false question needs True and False, one right")
        return
    if len(fractions) < 2:
        raise ValueError(f"{name}: a choice question needs at least two choices")
    if any(not _trim(_plain(choice.text)) for choice in question.choices):
        raise ValueError(f"{name}: a choice has no text")
    if any(not -1 - _FLOAT_SLACK <= f <= 1 + _FLOAT_SLACK for f in fractions):
        raise ValueError(f"{name}: a fraction is outside -1.0 .. 1.0")
    if question.kind == "single" and (
        all(map(_is_one, fractions)) or not any(map(_is_one, fractions))
    ):
        raise ValueError(f"{name}: a single-answer question needs a right and a wrong choice")
    if question.kind == "multiple":
        # Check the weights as printed, since that is what parse_gift will add up.
        total = sum(float(_format_number(f * 100)) for f in fractions if f > 0)
        if abs(total - 100) > _WEIGHT_SUM_MARGIN + _FLOAT_SLACK:
            raise ValueError(f"{name}: the positive fractions must add up to 1.0")


def _choice_prefix(kind: str, choice_text: str, fraction: float) -> str:
    """Return ``=``, ``~`` or ``~%weight%`` for one choice of a choice question."""
    if kind == "single" and _is_one(fraction):
        return "="
    starts_like_weight = _trim(choice_text).startswith("%")
    if kind == "single" and fraction == 0 and not starts_like_weight:
        return "~"
    return f"~%{_format_number(fraction * 100)}%"


def _format_choice(kind: str, choice: GiftChoice) -> str:
    """Write one choice line (without indentation) with its feedback."""
    text = _escape_text(choice.text)
    line = _choice_prefix(kind, text, choice.fraction) + text
    if _trim(_plain(choice.feedback)):
        line += "#" + _escape_text(choice.feedback)
    return line


def _format_true_false(question: GiftQuestion) -> str:
    """Write ``{TRUE#wrong feedback#right feedback####general feedback}`` in Moodle's order."""
    true_choice, false_choice = _true_and_false(question.choices)
    is_true = true_choice.fraction > 0
    right, wrong = (true_choice, false_choice) if is_true else (false_choice, true_choice)
    right_feedback = _escape_text(right.feedback) if _trim(_plain(right.feedback)) else ""
    wrong_feedback = _escape_text(wrong.feedback) if _trim(_plain(wrong.feedback)) else ""
    answer = "TRUE" if is_true else "FALSE"
    if wrong_feedback or right_feedback:
        answer += "#" + wrong_feedback
    if right_feedback:
        answer += "#" + right_feedback
    return "{" + answer + _format_general_feedback(question.general_feedback) + "}"


def _true_and_false(choices: list[GiftChoice]) -> tuple[GiftChoice, GiftChoice]:
    """Return the True and the False choice: by their texts if they say so, else in order."""
    first, second = choices
    if _trim(first.text).lower() == "false" and _trim(second.text).lower() == "true":
        return second, first
    return first, second


def _format_general_feedback(general_feedback: str) -> str:
    """Return ``####feedback``, or "" when there is none."""
    if not _trim(_plain(general_feedback)):
        return ""
    return "####" + _escape_text(general_feedback)


def _format_question(question: GiftQuestion) -> str:
    """Write one question block (without a trailing newline)."""
    _check_writable(question)
    lines = []
    source = _single_line(question.source)
    if source:
        lines.append(f"{_SOURCE_PREFIX} {source}")
    title = _trim(_plain(question.title))
    head = f"::{_escape(title)}:: " if title else ""
    prompt = _escape_text(question.prompt, starts_line=not head)
    head += prompt + " " if _trim(prompt) else prompt
    if question.kind == "true_false":
        lines.append(head + _format_true_false(question))
        return "\n".join(lines)
    lines.append(head + "{")
    lines.extend("\t" + _format_choice(question.kind, choice) for choice in question.choices)
    general_feedback = _format_general_feedback(question.general_feedback)
    if general_feedback:
        lines.append("\t" + general_feedback)
    lines.append("}")
    return "\n".join(lines)


def _format_category(category: str) -> str:
    """Write a ``$CATEGORY:`` line whose path reads back as exactly ``category``."""
    path = category.replace("/", "//")
    # Padding keeps an escaped slash at either end from merging with a separator (as Moodle).
    if path.startswith("/"):
        path = " " + path
    if path.endswith("/"):
        path += " "
    if _CONTEXT_SEGMENT.fullmatch(category):
        # A name like "$course$" would be read as a context; put a real context before it.
        path = "$course$/" + path
    return f"{_CATEGORY_PREFIX} {path}"


def format_gift(questions: Iterable[GiftQuestion]) -> str:
    """Write questions as GIFT, one block each, with ``$CATEGORY:`` blocks where it changes.

    GIFT cannot go back to "no category": a question whose category is None or blank after
    one with a category is written without a ``$CATEGORY:`` block and so reads back in the
    previous category. Categories and sources are written on one line. A true/false
    question's choices are True then False, unless their texts say "false" and "true".

    Raise ValueError for a question that could not be read back the same (see
    ``_check_writable``).
    """
    blocks: list[str] = []
    current: str | None = None
    for question in questions:
        category = _single_line(question.category) or None
        if category is not None and category != current:
            blocks.append(_format_category(category))
            current = category
        blocks.append(_format_question(question))
    return "\n\n".join(blocks) + "\n" if blocks else ""
