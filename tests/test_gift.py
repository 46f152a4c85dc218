"""Tests for the GIFT parser and serializer (pure Python: no database, no Django)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.gift import (
    GiftChoice,
    GiftError,
    GiftParseResult,
    GiftQuestion,
    SkippedQuestion,
    format_gift,
    parse_gift,
)
from quizzes.textfiles import MAX_IMPORT_BYTES

DATA = Path(__file__).parent / "data" / "gift"


def parse(text: str) -> GiftParseResult:
    """Parse GIFT written as a Python string."""
    return parse_gift(text.encode("utf-8"))


def only_question(text: str) -> GiftQuestion:
    """Parse GIFT holding exactly one importable question and return it."""
    result = parse(text)
    assert len(result.questions) == 1, result
    return result.questions[0]


def error_of(data: str | bytes) -> GiftError:
    """Return the GiftError that parsing ``data`` raises."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(GiftError) as caught:
        parse_gift(raw)
    return caught.value


def choices_of(question: GiftQuestion) -> list[tuple[str, float, str]]:
    """Return (text, fraction to 7 places, feedback) for each choice."""
    return [(c.text, round(c.fraction, 7), c.feedback) for c in question.choices]


def question(**fields: object) -> GiftQuestion:
    """Build a question for the serializer, with harmless defaults."""
    defaults: dict[str, object] = {
        "line": 1,
        "title": "",
        "prompt": "Which is right?",
        "kind": "single",
        "choices": [GiftChoice("right", 1.0), GiftChoice("wrong", 0.0)],
        "general_feedback": "",
        "category": None,
        "source": "",
    }
    defaults.update(fields)
    return GiftQuestion(**defaults)  # type: ignore[arg-type]


def summary(q: GiftQuestion) -> tuple:
    """Return everything the round trip must keep, with fractions rounded to 5 places."""
    choices = [(c.text, c.fraction > 0, round(c.fraction, 5), c.feedback) for c in q.choices]
    return (q.title, q.prompt, q.kind, choices, q.general_feedback, q.category, q.source)


def round_trip(questions: list[GiftQuestion]) -> list[GiftQuestion]:
    """Write questions as GIFT and read them back."""
    return parse_gift(format_gift(questions).encode("utf-8")).questions


# --------------------------------------------------------------------------- the full sample


def test_it_imports_a_sample_that_uses_every_supported_feature_at_once() -> None:
    data = (DATA / "every_feature.gift").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data

    result = parse_gift(data)

    depth, escapes, two_right, signs, redness, ink, dots, fading = result.questions
    assert (depth.line, depth.title, depth.kind) == (7, "Needle depth", "single")
    assert depth.prompt == "Where is SMP pigment placed?"
    assert choices_of(depth) == [
        ("In the upper dermis", 1.0, "Right: shallow enough to stay crisp."),
        ("In the fat below the skin", 0.0, "Too deep: it spreads and can turn blue."),
        ("On the <b>surface</b>", 0.0, "It would wash off."),
    ]
    assert depth.general_feedback == "Depth matters more than the pigment."
    assert depth.category == "Needles / sterile"
    assert depth.source == "Handbook, section 2.1"

    assert (escapes.line, escapes.title, escapes.kind) == (15, "Escapes: all of them", "single")
    assert escapes.prompt == (
        "Which characters are special in GIFT\\?\n"
        "They are ~ = # { } : and \\ \nwritten with a backslash."
    )
    assert choices_of(escapes) == [
        ("Łukasz's ~50% answer: {test} = a#b\\", 1.0, ""),
        ("A backslash before another letter stays: \\q", 0.0, ""),
    ]
    assert escapes.source == ""

    assert (two_right.line, two_right.kind) == (24, "single")
    assert choices_of(two_right) == [
        ("None", 1.0, ""),
        ("Not one", 1.0, ""),
        ("A sterile one", 0, ""),
    ]

    assert (signs.line, signs.title, signs.kind) == (26, "Healing signs", "multiple")
    assert choices_of(signs) == [
        ("Redness", 0.3333333, ""),
        ("Itching", 0.3333333, ""),
        ("Tightness", 0.3333334, "It fades within days."),
        ("Blue dots", -0.5, "Not normal: ask the practitioner."),
        ("Pus", -1.0, ""),
    ]
    assert signs.category == "Needles / sterile"

    assert [q.kind for q in (redness, ink, dots, fading)] == ["true_false"] * 4
    assert [q.line for q in (redness, ink, dots, fading)] == [36, 38, 40, 42]
    assert {q.category for q in (redness, ink, dots, fading)} == {"Healing"}
    assert choices_of(redness) == [("True", 1.0, ""), ("False", 0.0, "")]
    assert choices_of(ink) == [
        ("True", 0.0, "Wrong: tattoo ink spreads."),
        ("False", 1.0, "Right: SMP pigment is different."),
    ]
    assert ink.general_feedback == "Use SMP pigment."
    assert choices_of(dots) == [
        ("True", 1.0, ""),
        ("False", 0.0, "Think again: scabs magnify them."),
    ]
    assert choices_of(fading) == [
        ("True", 0.0, ""),
        ("False", 1.0, "Right: it is part of healing."),
    ]

    assert result.skipped == [
        SkippedQuestion(44, "essay"),
        SkippedQuestion(46, "numerical"),
        SkippedQuestion(48, "matching"),
        SkippedQuestion(53, "short answer"),
        SkippedQuestion(55, "missing word"),
        SkippedQuestion(57, "description"),
    ]


@pytest.mark.parametrize("line_break", [b"\n", b"\r"], ids=["unix", "old-mac"])
def test_it_reads_the_sample_the_same_with_any_line_endings(line_break: bytes) -> None:
    windows = (DATA / "every_feature.gift").read_bytes()
    converted = windows.replace(b"\r\n", line_break)

    assert parse_gift(converted) == parse_gift(windows)


# --------------------------------------------------------------------------- files and lines


def test_it_reads_windows_line_endings() -> None:
    result = parse_gift(b"// intro\r\n\r\nFirst?\r\n{=a ~b}\r\n\r\nSecond? {T}\r\n")

    assert [(q.line, q.prompt) for q in result.questions] == [(3, "First?"), (6, "Second?")]


def test_it_reads_old_mac_line_endings() -> None:
    result = parse_gift(b"First? {=a ~b}\r\rSecond?\r{F}\r")

    assert [(q.line, q.prompt) for q in result.questions] == [(1, "First?"), (3, "Second?")]


def test_it_ignores_a_utf8_byte_order_mark() -> None:
    q = parse_gift(b"\xef\xbb\xbf::T:: Q? {=a ~b}").questions[0]

    assert (q.line, q.title, q.prompt) == (1, "T", "Q?")


def test_it_treats_a_line_of_spaces_as_a_blank_line() -> None:
    result = parse("One? {=a ~b}\n \t \nTwo? {=c ~d}")

    assert [q.line for q in result.questions] == [1, 3]


def test_it_joins_the_lines_of_a_multi_line_question_and_trims_them() -> None:
    q = only_question("  ::T::  First line  \n   second line\n{\n  =a\n  ~b\n}\n")

    assert q.prompt == "First line\nsecond line"
    assert q.line == 1


def test_it_numbers_a_question_from_its_first_line_that_is_not_a_comment() -> None:
    result = parse("// a\n// b\n// c\nQ? {=a ~b}\n\n// d\nR? {T}")

    assert [q.line for q in result.questions] == [4, 7]


# --------------------------------------------------------------------------- choice questions


def test_it_reads_a_single_answer_question() -> None:
    q = only_question("Capital of France? {=Paris ~London ~Rome}")

    assert q.kind == "single"
    assert choices_of(q) == [("Paris", 1.0, ""), ("London", 0.0, ""), ("Rome", 0.0, "")]
    assert (q.title, q.general_feedback, q.category, q.source) == ("", "", None, "")


def test_it_keeps_several_right_answers_in_a_single_answer_question() -> None:
    q = only_question("Q? {=a =b ~c}")

    assert q.kind == "single"
    assert [c.fraction for c in q.choices] == [1.0, 1.0, 0.0]


def test_it_gives_partial_credit_to_weighted_wrong_answers_of_a_single_answer_question() -> None:
    q = only_question("Q? {=a ~%50%b ~%-25%c}")

    assert q.kind == "single"
    assert choices_of(q) == [("a", 1.0, ""), ("b", 0.5, ""), ("c", -0.25, "")]


def test_it_reads_a_multiple_answer_question_with_decimal_and_negative_weights() -> None:
    q = only_question("Q? {~%50%a ~%33.33333%b ~%16.66667%c ~%-50%d ~%-100%e ~f}")

    assert q.kind == "multiple"
    assert choices_of(q) == [
        ("a", 0.5, ""),
        ("b", 0.3333333, ""),
        ("c", 0.1666667, ""),
        ("d", -0.5, ""),
        ("e", -1.0, ""),
        ("f", 0.0, ""),
    ]


def test_it_accepts_three_thirds_that_add_up_to_just_under_100_percent() -> None:
    q = only_question("Q? {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")

    assert sum(c.fraction for c in q.choices if c.fraction > 0) == pytest.approx(0.9999999)


def test_it_reads_a_lone_full_weight_tilde_answer_as_a_multiple_answer_question() -> None:
    q = only_question("Q? {~%100%a ~b}")

    assert q.kind == "multiple"
    assert choices_of(q) == [("a", 1.0, ""), ("b", 0.0, "")]


def test_it_reads_feedback_for_each_answer() -> None:
    q = only_question("Q? {=a # well done  ~b#not quite ~c}")

    assert choices_of(q) == [("a", 1.0, "well done"), ("b", 0.0, "not quite"), ("c", 0.0, "")]


def test_it_reads_general_feedback_from_the_last_four_hashes_inside_the_braces() -> None:
    q = only_question("Q? {=a#yes ~b#no ####  Because a.  }")

    assert q.general_feedback == "Because a."
    assert choices_of(q) == [("a", 1.0, "yes"), ("b", 0.0, "no")]


def test_it_reads_answers_and_general_feedback_on_separate_lines() -> None:
    q = only_question("::Title::\nQuestion?\n{\n\t=a\n\t~b\n\t####General\n}")

    assert (q.title, q.prompt, q.general_feedback) == ("Title", "Question?", "General")


def test_it_reads_text_before_the_first_marker_as_a_wrong_answer_as_moodle_does() -> None:
    q = only_question("Q? {a ~b =c}")

    assert choices_of(q) == [("a", 0.0, ""), ("b", 0.0, ""), ("c", 1.0, "")]


def test_it_does_not_read_a_weight_after_an_equals_sign_as_moodle_does() -> None:
    q = only_question("Q? {=%50%a ~b}")

    assert choices_of(q) == [("%50%a", 1.0, ""), ("b", 0.0, "")]


# --------------------------------------------------------------------------- true/false


@pytest.mark.parametrize(
    ("answer", "fractions"),
    [("T", [1.0, 0.0]), ("TRUE", [1.0, 0.0]), ("F", [0.0, 1.0]), ("FALSE", [0.0, 1.0])],
)
def test_it_reads_each_spelling_of_true_and_false(answer: str, fractions: list[float]) -> None:
    q = only_question(f"Is it? {{{answer}}}")

    assert q.kind == "true_false"
    assert [(c.text, c.fraction, c.feedback) for c in q.choices] == [
        ("True", fractions[0], ""),
        ("False", fractions[1], ""),
    ]


def test_it_gives_true_the_right_feedback_when_the_answer_is_true() -> None:
    q = only_question("Is it? {T#shown to whoever says false#shown to whoever says true}")

    assert choices_of(q) == [
        ("True", 1.0, "shown to whoever says true"),
        ("False", 0.0, "shown to whoever says false"),
    ]


def test_it_gives_true_the_wrong_feedback_when_the_answer_is_false() -> None:
    q = only_question("Is it? {F#shown to whoever says true#shown to whoever says false}")

    assert choices_of(q) == [
        ("True", 0.0, "shown to whoever says true"),
        ("False", 1.0, "shown to whoever says false"),
    ]


def test_it_reads_true_false_with_only_right_feedback_and_general_feedback() -> None:
    q = only_question("Is it? {TRUE##Yes.####Always.}")

    assert choices_of(q) == [("True", 1.0, "Yes."), ("False", 0.0, "")]
    assert q.general_feedback == "Always."


def test_it_reads_lowercase_true_as_a_short_answer_as_moodle_does() -> None:
    result = parse("Is it? {true}\n\nQ? {=a ~b}")

    assert result.skipped == [SkippedQuestion(1, "short answer")]


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (r"a\:b", "a:b"),
        (r"a\~b", "a~b"),
        (r"a\=b", "a=b"),
        (r"a\#b", "a#b"),
        (r"a\{b\}", "a{b}"),
        (r"a\\b", "a\\b"),
        (r"a\nb", "a\nb"),
        (r"a\qb", "a\\qb"),
        (r"a\\nb", "a\\nb"),
        (r"a\\\:b", "a\\:b"),
        (r"end\\", "end\\"),
    ],
)
def test_it_resolves_escapes_with_double_backslashes_first(written: str, read: str) -> None:
    q = only_question(f"Q {written} {{=x {written} #{written} ~y####{written}}}")

    assert q.prompt == f"Q {read}"
    assert choices_of(q)[0] == (f"x {read}", 1.0, read)
    assert q.general_feedback == read


def test_it_treats_a_character_after_a_double_backslash_as_syntax() -> None:
    q = only_question(r"Q? {=a\\=b ~c}")

    assert choices_of(q) == [("a\\", 1.0, ""), ("b", 1.0, ""), ("c", 0.0, "")]


@pytest.mark.parametrize("marker", ["[markdown]", "[html]", "[plain]", "[moodle]"])
def test_it_strips_a_format_marker_from_every_text(marker: str) -> None:
    q = only_question(f"::T:: {marker}Q? {{={marker}a#{marker}fa ~b####{marker}gf}}")

    assert (q.prompt, q.general_feedback) == ("Q?", "gf")
    assert choices_of(q)[0] == ("a", 1.0, "fa")


def test_it_keeps_an_unknown_or_second_format_marker() -> None:
    q = only_question("[html][plain]Q? {=[latex]a ~b}")

    assert q.prompt == "[plain]Q?"
    assert q.choices[0].text == "[latex]a"


def test_it_drops_comment_lines_anywhere_in_a_block() -> None:
    q = only_question(
        "// before\n::T::\n// inside\nQ?\n{\n// between\n=a\n  // indented\n~b\n}\n// end"
    )

    assert (q.title, q.prompt, choices_of(q)) == ("T", "Q?", [("a", 1.0, ""), ("b", 0.0, "")])


def test_it_keeps_a_double_slash_later_in_a_line_as_text() -> None:
    q = only_question("See http://example.com {=a // b ~c}")

    assert q.prompt == "See http://example.com"
    assert q.choices[0].text == "a // b"


def test_it_reads_a_source_comment_into_the_source_field() -> None:
    result = parse("// source:  Handbook 2.1 \n::T:: Q? {=a ~b}\n\n// just a comment\nR? {T}")

    assert [q.source for q in result.questions] == ["Handbook 2.1", ""]


def test_it_reads_a_title_with_escapes_and_trims_it() -> None:
    q = only_question(r"::  Week 1\: depth  ::Q? {=a ~b}")

    assert q.title == "Week 1: depth"


def test_it_reads_an_unclosed_title_as_question_text_as_moodle_does() -> None:
    q = only_question("::Not a title {=a ~b}")

    assert (q.title, q.prompt) == ("", "Not a title")


def test_it_reads_non_ascii_text() -> None:
    q = only_question("::Zażółć:: Gęślą jaźń — 日本語? {=tak ~nie}")

    assert (q.title, q.prompt) == ("Zażółć", "Gęślą jaźń — 日本語?")


# --------------------------------------------------------------------------- categories


@pytest.mark.parametrize(
    ("path", "category"),
    [
        ("Week 1", "Week 1"),
        ("$course$/top/Week 1", "Week 1"),
        ("$course$/top/Safety/ Needles ", "Needles"),
        ("$system$/Shared", "Shared"),
        ("Safety/Needles/", "Needles"),
        ("Needles // sterile", "Needles / sterile"),
        ("$course$/top", "top"),
    ],
)
def test_it_takes_the_category_from_the_last_segment_of_the_path(path: str, category: str) -> None:
    q = only_question(f"$CATEGORY: {path}\n\nQ? {{=a ~b}}")

    assert q.category == category


def test_it_applies_each_category_to_the_questions_that_follow_it() -> None:
    result = parse("A? {T}\n\n$CATEGORY: One\n\nB? {T}\n\nC? {T}\n\n$CATEGORY: a/Two\n\nD? {T}")

    assert [q.category for q in result.questions] == [None, "One", "One", "Two"]


def test_it_ignores_comments_in_a_category_block() -> None:
    q = only_question("// source: not for categories\n$CATEGORY: One\n// after\n\nQ? {T}")

    assert (q.category, q.source) == ("One", "")


# --------------------------------------------------------------------------- skipped kinds


def test_it_skips_an_essay_question() -> None:
    result = parse("Q? {=a ~b}\n\n::E:: Explain.{}\n\nWhy? {####general}")

    assert result.skipped == [SkippedQuestion(3, "essay"), SkippedQuestion(5, "essay")]


def test_it_skips_a_numerical_question() -> None:
    result = parse("Q? {=a ~b}\n\nWhen? {#1822:5}")

    assert result.skipped == [SkippedQuestion(3, "numerical")]


def test_it_skips_a_matching_question() -> None:
    result = parse("Q? {=a ~b}\n\nMatch:\n{\n=Canada -> Ottawa\n=Italy -> Rome\n}")

    assert result.skipped == [SkippedQuestion(3, "matching")]


def test_it_skips_a_short_answer_question() -> None:
    result = parse("Q? {=a ~b}\n\nWho? {=no one =nobody#yes}")

    assert result.skipped == [SkippedQuestion(3, "short answer")]


def test_it_skips_a_missing_word_question() -> None:
    result = parse("Q? {=a ~b}\n\nGrant is {~buried =entombed} in the tomb.")

    assert result.skipped == [SkippedQuestion(3, "missing word")]


def test_it_skips_a_question_with_general_feedback_after_the_closing_brace_as_missing_word() -> (
    None
):
    result = parse("Q? {=a ~b}\n\nR? {=a ~b}####general")

    assert result.skipped == [SkippedQuestion(3, "missing word")]
    assert len(result.questions) == 1


def test_it_skips_a_description() -> None:
    result = parse("::Intro:: Read this first.\n\nQ? {=a ~b}")

    assert result.skipped == [SkippedQuestion(1, "description")]


def test_it_returns_only_skipped_questions_when_nothing_can_be_imported() -> None:
    result = parse("Explain. {}")

    assert (result.questions, result.skipped) == ([], [SkippedQuestion(1, "essay")])


# --------------------------------------------------------------------------- malformed files


def test_it_rejects_an_empty_file() -> None:
    for data in (b"", b" \r\n\n\t", b"\xef\xbb\xbf"):
        error = error_of(data)
        assert (error.line, error.message) == (None, "The file is empty.")


def test_it_rejects_a_file_with_only_comments_and_categories() -> None:
    error = error_of("// nothing here\n\n$CATEGORY: A\n")

    assert error.line is None
    assert error.message.startswith("No questions were found")


def test_it_rejects_plain_prose_without_any_braces() -> None:
    error = error_of("Dear students,\n\nplease read chapter 2.\n")

    assert error.line is None
    assert "No questions were found" in str(error)


def test_it_rejects_a_file_over_the_size_limit() -> None:
    error = error_of(b"Q? {=a ~b}\n" + b" " * MAX_IMPORT_BYTES)

    assert error.line is None
    assert "too large" in error.message


def test_it_rejects_bytes_that_are_not_utf8_naming_their_line() -> None:
    error = error_of(b"Q? {=a ~b}\r\n\r\nCaf\xe9? {=a ~b}")

    assert error.line == 3
    assert "UTF-8" in error.message


def test_it_rejects_a_nul_byte_as_binary_content() -> None:
    error = error_of(b"Q? {=a ~b}\n\nR\x00? {=a ~b}")

    assert error.line == 3
    assert "binary" in error.message


def test_it_rejects_a_control_character_as_binary_content() -> None:
    error = error_of(b"Q? {=a ~b}\r\n\r\nR? \x1b[1m {=a ~b}")

    assert error.line == 3
    assert "binary" in error.message


def test_it_rejects_an_image_at_its_first_bad_byte() -> None:
    error = error_of(b"\x89PNG\r\n\x1a\n\x00\x00")

    assert error.line == 1


def test_it_rejects_a_utf16_file_as_a_whole() -> None:
    error = error_of("Q? {=a ~b}".encode("utf-16"))

    assert error.line is None
    assert "UTF-16" in error.message


def test_it_rejects_an_unclosed_brace_naming_its_line() -> None:
    error = error_of("Q? {=a ~b}\n\nR?\n{\n=a\n\n~b\n}")

    assert error.line == 4
    assert error.message.startswith("'{' is never closed by '}'")
    assert str(error).startswith("Line 4: '{' is never closed by '}'")


def test_it_rejects_a_closing_brace_without_an_opening_one() -> None:
    error = error_of("Q? {=a ~b}\n\nR? =a ~b}")

    assert (error.line, error.message) == (3, "'}' has no matching '{' before it")


def test_it_rejects_a_second_opening_brace_before_the_closing_one() -> None:
    error = error_of("Q?\n{=a\n~{b}")

    assert error.line == 3
    assert "second '{'" in error.message and "line 2" in error.message


def test_it_rejects_a_stray_closing_brace_after_the_answers() -> None:
    error = error_of("Q? {=a ~b}\n}")

    assert (error.line, error.message) == (2, "'}' has no matching '{' before it")


def test_it_rejects_two_questions_without_a_blank_line_between_them() -> None:
    error = error_of("A? {=a ~b}\nB? {=c ~d}")

    assert error.line == 2
    assert "blank line" in error.message


def test_it_rejects_an_empty_tilde_answer_list() -> None:
    error = error_of("Q? {=a ~b}\n\nR? {~}")

    assert error.line == 3
    assert "has no answers" in error.message


def test_it_rejects_an_empty_equals_answer_list() -> None:
    error = error_of("Q? {=a ~b}\n\nR? {=}")

    assert error.line == 3
    assert "has no answers" in error.message


def test_it_rejects_an_answer_without_text() -> None:
    error = error_of("Q?\n{\n=a\n~#only feedback\n}")

    assert (error.line, error.message) == (4, "an answer after '~' has no text")


def test_it_rejects_a_multiple_choice_question_with_one_answer() -> None:
    error = error_of("Q? {=a ~b}\n\nR?\n{~%100%a}")

    assert (error.line, error.message) == (
        4,
        "a multiple-choice question needs at least two answers",
    )


def test_it_rejects_a_weight_that_is_not_a_number() -> None:
    error = error_of("Q? {=a ~b}\n\nR? {\n~%fifty%text\n~%50%b}")

    assert str(error) == "Line 4: the weight '%fifty%' is not a number."


def test_it_rejects_a_weight_above_100_percent() -> None:
    error = error_of("Q? {~%150%a ~b}")

    assert error.line == 1
    assert "'%150%' is outside the allowed range" in error.message


def test_it_rejects_a_weight_below_minus_100_percent() -> None:
    error = error_of("Q? {=a\n~%-100.5%b}")

    assert error.line == 2
    assert "'%-100.5%' is outside" in error.message


def test_it_rejects_a_weight_without_its_closing_percent_sign() -> None:
    error = error_of("Q? {=a ~b}\n\nR? {=a ~%50 b}")

    assert error.line == 3
    assert "no closing '%'" in error.message


def test_it_rejects_multiple_answer_weights_that_do_not_add_up_to_100_percent() -> None:
    error = error_of("Q? {=a ~b}\n\n::R::\nR?\n{~%50%a ~%40%b ~%-100%c}")

    assert error.line == 5
    assert "add up to 90%" in error.message


def test_it_rejects_a_multiple_answer_question_without_a_positive_weight() -> None:
    error = error_of("Q? {~a ~%-50%b ~c}")

    assert error.line == 1
    assert "no answer has a positive weight" in error.message


def test_it_rejects_a_category_with_an_empty_path() -> None:
    error = error_of("Q? {T}\n\n$CATEGORY:   \n\nR? {T}")

    assert (error.line, error.message) == (3, "'$CATEGORY:' is not followed by a category name")


def test_it_rejects_a_category_path_that_names_only_a_context() -> None:
    error = error_of("$CATEGORY: $course$/\n\nR? {T}")

    assert error.line == 1


def test_it_rejects_a_category_followed_by_a_question_without_a_blank_line() -> None:
    error = error_of("$CATEGORY: One\n// a comment\nQ? {=a ~b}")

    assert error.line == 3
    assert "followed by a blank line" in error.message


def test_it_rejects_a_category_line_inside_a_question_block() -> None:
    error = error_of("Q? {=a ~b}\n$CATEGORY: One")

    assert error.line == 2
    assert "block of its own" in error.message


def test_it_reports_the_first_error_in_the_file() -> None:
    error = error_of("A? {=a ~b}\n\nB? {~%x%a ~b}\n\nC? {=a ~b")

    assert error.line == 3


def test_it_rejects_a_malformed_question_even_if_it_would_be_skipped() -> None:
    error = error_of("Q? {=a ~b}\n\nExplain. {")

    assert error.line == 3


def test_it_formats_an_error_with_and_without_a_line() -> None:
    assert str(GiftError("the weight '%x%' is not a number", 12)) == (
        "Line 12: the weight '%x%' is not a number."
    )
    assert str(GiftError("The file is empty.")) == "The file is empty."
    assert isinstance(GiftError("x"), ValueError)


# --------------------------------------------------------------------------- writing


def test_it_writes_questions_in_moodle_style() -> None:
    questions = [
        question(
            title="Depth",
            prompt="Where?",
            choices=[GiftChoice("dermis", 1.0, "Yes."), GiftChoice("fat", 0.0)],
            general_feedback="Shallow.",
            category="Needles",
            source="Handbook 2",
        ),
        question(
            prompt="Normal?",
            kind="multiple",
            choices=[
                GiftChoice("red", 1 / 3),
                GiftChoice("itchy", 1 / 3),
                GiftChoice("tight", 1 / 3),
                GiftChoice("blue", -1.0, "No."),
            ],
            category="Needles",
        ),
        question(
            prompt="Ink is pigment.",
            kind="true_false",
            choices=[GiftChoice("True", 0.0, "No."), GiftChoice("False", 1.0)],
            category="Healing",
        ),
    ]

    assert format_gift(questions) == (
        "$CATEGORY: Needles\n"
        "\n"
        "// source: Handbook 2\n"
        "::Depth:: Where? {\n"
        "\t=dermis#Yes.\n"
        "\t~fat\n"
        "\t####Shallow.\n"
        "}\n"
        "\n"
        "Normal? {\n"
        "\t~%33.33333%red\n"
        "\t~%33.33333%itchy\n"
        "\t~%33.33333%tight\n"
        "\t~%-100%blue#No.\n"
        "}\n"
        "\n"
        "$CATEGORY: Healing\n"
        "\n"
        "Ink is pigment. {FALSE#No.}\n"
    )


@pytest.mark.parametrize(
    ("choices", "written"),
    [
        ([("True", 1.0, ""), ("False", 0.0, "")], "{TRUE}"),
        ([("True", 0.0, ""), ("False", 1.0, "")], "{FALSE}"),
        ([("True", 1.0, "right"), ("False", 0.0, "")], "{TRUE##right}"),
        ([("True", 1.0, ""), ("False", 0.0, "wrong")], "{TRUE#wrong}"),
        ([("True", 0.0, "wrong"), ("False", 1.0, "right")], "{FALSE#wrong#right}"),
    ],
)
def test_it_writes_true_false_feedback_in_moodle_order(
    choices: list[tuple[str, float, str]], written: str
) -> None:
    q = question(prompt="Q?", kind="true_false", choices=[GiftChoice(*c) for c in choices])

    assert format_gift([q]) == f"Q? {written}\n"
    assert summary(round_trip([q])[0]) == summary(q)


def test_it_finds_the_true_choice_by_its_text_when_false_comes_first() -> None:
    q = question(
        prompt="Q?",
        kind="true_false",
        choices=[GiftChoice("false", 1.0, "Right."), GiftChoice("true", 0.0, "Wrong.")],
    )

    assert format_gift([q]) == "Q? {FALSE#Wrong.#Right.}\n"


def test_it_writes_a_category_only_when_it_changes() -> None:
    written = format_gift([question(category="A"), question(category="A"), question(category="B")])

    assert written.count("$CATEGORY:") == 2


def test_it_writes_nothing_for_no_questions() -> None:
    assert format_gift([]) == ""


def test_it_writes_a_weight_for_a_wrong_answer_that_starts_with_a_percent_sign() -> None:
    q = question(choices=[GiftChoice("100%", 1.0), GiftChoice("%50% is not a weight", 0.0)])

    assert "~%0%%50% is not a weight" in format_gift([q])
    assert summary(round_trip([q])[0]) == summary(q)


@pytest.mark.parametrize(
    "bad",
    [
        question(kind="essay"),
        question(choices=[GiftChoice("only", 1.0)]),
        question(choices=[GiftChoice("a", 1.0), GiftChoice("  ", 0.0)]),
        question(choices=[GiftChoice("a", 0.5), GiftChoice("b", 0.0)]),
        question(choices=[GiftChoice("a", 1.0), GiftChoice("b", 1.0)]),
        question(kind="multiple", choices=[GiftChoice("a", 0.5), GiftChoice("b", 0.0)]),
        question(kind="true_false", choices=[GiftChoice("True", 1.0), GiftChoice("False", 1.0)]),
    ],
    ids=["kind", "one-choice", "blank-choice", "no-right", "no-wrong", "sum", "true-false"],
)
def test_it_refuses_to_write_a_question_that_would_not_read_back_the_same(
    bad: GiftQuestion,
) -> None:
    with pytest.raises(ValueError):
        format_gift([bad])


# --------------------------------------------------------------------------- round trips

SPECIAL = "Łukasz's ~50% {test} = a#b: c\\d"


def test_it_round_trips_the_every_feature_sample() -> None:
    original = parse_gift((DATA / "every_feature.gift").read_bytes()).questions

    assert [summary(q) for q in round_trip(original)] == [summary(q) for q in original]


def test_it_round_trips_text_full_of_special_characters() -> None:
    q = question(
        title=SPECIAL,
        prompt=SPECIAL,
        choices=[GiftChoice(SPECIAL, 1.0, SPECIAL), GiftChoice(SPECIAL + "!", 0.0, SPECIAL)],
        general_feedback=SPECIAL,
        category=SPECIAL + " / more",
        source=SPECIAL,
    )

    assert summary(round_trip([q])[0]) == summary(q)


def test_it_round_trips_multi_line_text() -> None:
    text = "First line\n  indented second line\n\nafter a blank line"
    q = question(
        title="two\nlines",
        prompt=text,
        kind="multiple",
        choices=[GiftChoice(text, 0.5, text), GiftChoice("b", 0.5), GiftChoice("c\nd", -1.0)],
        general_feedback=text,
    )

    assert summary(round_trip([q])[0]) == summary(q)


@pytest.mark.parametrize(
    "text",
    ["[html]<b>bold</b>", "[moodle]", "// not a comment", "::not a title::", "$CATEGORY: no"],
)
def test_it_round_trips_text_that_looks_like_gift_syntax(text: str) -> None:
    q = question(
        prompt=text,
        choices=[GiftChoice(text, 1.0, text), GiftChoice("other", 0.0)],
        general_feedback=text,
    )

    assert summary(round_trip([q])[0]) == summary(q)


@pytest.mark.parametrize("category", ["a/b", "/lead", "trail/", "a // b", "$course$", "top"])
def test_it_round_trips_categories_that_contain_path_syntax(category: str) -> None:
    assert round_trip([question(category=category)])[0].category == category


# --------------------------------------------------------------------------- property test


def normal(text: str | None) -> str:
    """Return text as parse_gift gives it back: LF line breaks, no control codes, trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0e-\x1f]", "", text)
    return text.strip(" \t\n\r\x0b")


def one_line(text: str | None) -> str:
    """Return text as a category or source reads back: on one line, trimmed."""
    return normal(normal(text).replace("\n", " "))


# Any character, with GIFT's syntax mixed in often enough to matter.
syntax = st.sampled_from(
    ["~", "=", "#", "{", "}", ":", "\\", "\\n", "%", "%50%", "/", "//", "::", "####", "[html]"]
    + ["$CATEGORY:", "$course$", "TRUE", " ", "\t", "\n", "\r", "\ufeff", "\x01"]
)
texts = st.lists(st.characters(blacklist_categories=("Cs",)) | syntax, max_size=12).map("".join)
choice_texts = texts.filter(lambda t: normal(t) != "")


@st.composite
def gift_questions(draw: st.DrawFn) -> GiftQuestion:
    """Draw a question that format_gift can write."""
    kind = draw(st.sampled_from(["single", "multiple", "true_false"]))
    if kind == "true_false":
        is_true = draw(st.booleans())
        fractions = [1.0, 0.0] if is_true else [0.0, 1.0]
        labels = ["True", "False"]
    elif kind == "single":
        wrong = draw(st.lists(st.sampled_from([0.0, 0.5, -0.5, -1 / 3]), min_size=1, max_size=4))
        fractions = draw(st.permutations([1.0, *wrong]))
        labels = draw(st.lists(choice_texts, min_size=len(fractions), max_size=len(fractions)))
    else:
        right = draw(st.integers(1, 7))
        wrong = draw(st.integers(max(0, 2 - right), 3))
        penalty = draw(st.sampled_from([0.0, -1 / max(wrong, 1)]))
        fractions = draw(st.permutations([1 / right] * right + [penalty] * wrong))
        labels = draw(st.lists(choice_texts, min_size=len(fractions), max_size=len(fractions)))
    choices = [
        GiftChoice(label, f, draw(texts)) for label, f in zip(labels, fractions, strict=True)
    ]
    return GiftQuestion(
        line=1,
        title=draw(texts),
        prompt=draw(texts),
        kind=kind,
        choices=choices,
        general_feedback=draw(texts),
        category=draw(st.none() | texts),
        source=draw(texts),
    )


def expected_summaries(questions: list[GiftQuestion]) -> list[tuple]:
    """Return the summary each question should have after a round trip."""
    summaries = []
    category = None
    for q in questions:
        category = one_line(q.category) or category
        choices = [
            (normal(c.text), c.fraction > 0, round(c.fraction, 5), normal(c.feedback))
            for c in q.choices
        ]
        summaries.append(
            (
                normal(q.title),
                normal(q.prompt),
                q.kind,
                choices,
                normal(q.general_feedback),
                category,
                one_line(q.source),
            )
        )
    return summaries


@settings(max_examples=300, deadline=None)
@given(st.lists(gift_questions(), min_size=1, max_size=4))
def test_it_reads_back_whatever_it_writes(questions: list[GiftQuestion]) -> None:
    written = format_gift(questions)

    assert [summary(q) for q in round_trip(questions)] == expected_summaries(questions), written
