"""Write the bank out: JSON in export_bank's shape, and Moodle's GIFT."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils.translation import ngettext

from .gift import GiftChoice, GiftQuestion, format_gift
from .models import ILLUSTRATIONS, Choice, Question, Topic


def questions_for_export(questions: QuerySet[Question] | None = None) -> QuerySet[Question]:
    """Questions in export order with topic and choices loaded: three queries in all."""
    questions = Question.objects.all() if questions is None else questions
    return (
        questions.select_related("topic")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "id")))
        .order_by("topic__order", "topic__name", "id")
    )


def question_as_json(question: Question) -> dict:
    """One question in export_bank's shape; its choices should be prefetched in order."""
    return {
        "key": question.key,
        "kind": question.kind,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "source_document": question.source_document,
        "source_section": question.source_section,
        "usage": question.usage,
        "critical": question.critical,
        "image": question.image.name.removeprefix(ILLUSTRATIONS),
        "image_alt": question.image_alt,
        "active": question.active,
        "choices": [
            {"text": c.text, "correct": c.is_correct, "feedback": c.feedback}
            for c in question.choices.all()
        ],
    }


def bank_as_json(questions: QuerySet[Question] | None = None, *, all_topics: bool = True) -> dict:
    """Return the bank (or just these questions, under their topics) as a JSON-ready dict."""
    questions = list(questions_for_export(questions))
    topics = list(Topic.objects.all()) if all_topics else []
    seen = {t.pk for t in topics}
    topics += [q.topic for q in questions if q.topic.pk not in seen and not seen.add(q.topic.pk)]
    by_topic: dict[int, list[dict]] = {t.pk: [] for t in topics}
    for question in questions:
        by_topic[question.topic_id].append(question_as_json(question))
    return {
        "topics": [
            {
                "slug": topic.slug,
                "name": topic.name,
                "order": topic.order,
                "study_notes": topic.study_notes,
                "referral_notes": topic.referral_notes,
                "questions": by_topic[topic.pk],
            }
            for topic in sorted(topics, key=lambda t: (t.order, t.name))
        ]
    }


def _fractions(question: Question, choices: list[Choice]) -> list[float]:
    """Moodle weights matching our scoring: +1/k for each right choice, -1/m for each wrong."""
    if question.kind != Question.Kind.MULTIPLE:
        return [1.0 if c.is_correct else 0.0 for c in choices]
    right = sum(c.is_correct for c in choices) or 1
    wrong = (len(choices) - right) or 1
    return [1 / right if c.is_correct else -1 / wrong for c in choices]


def bank_as_gift(questions: QuerySet[Question] | None = None) -> str:
    """Return these questions (default: all) as GIFT, one $CATEGORY per topic."""
    return format_gift(_gift_questions(questions_for_export(questions)))


def _gift_questions(questions: Iterable[Question]) -> Iterable[GiftQuestion]:
    for question in questions:
        choices = list(question.choices.all())
        yield GiftQuestion(
            line=0,
            title=question.key,
            prompt=question.prompt,
            kind=question.kind,
            choices=[
                GiftChoice(text=c.text, fraction=fraction, feedback=c.feedback)
                for c, fraction in zip(choices, _fractions(question, choices), strict=True)
            ],
            general_feedback=question.explanation,
            category=question.topic.name,
            source=question.source_section,
        )


@dataclass(frozen=True)
class BankFile:
    """A download of questions that says what it holds: a count inside, the date in its name."""

    body: str
    file_name: str
    content_type: str
    question_count: int


def bank_file(questions: QuerySet[Question] | None, *, file_format: str, today: date) -> BankFile:
    """The whole bank (questions None) or these questions, as JSON or GIFT. Three queries.

    JSON carries "question_count" and "exported_on" beside "topics" (imports read only the
    topics); GIFT starts with a comment saying the same. The whole bank is named
    smp-bank-DATE, a selection smp-questions-COUNT-DATE.
    """
    whole = questions is None
    if file_format == "json":
        bank = bank_as_json(questions, all_topics=whole)
        count = sum(len(topic["questions"]) for topic in bank["topics"])
        document = {"question_count": count, "exported_on": today.isoformat(), **bank}
        body = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        content_type, extension = "application/json", "json"
    elif file_format == "gift":
        gift_questions = list(_gift_questions(questions_for_export(questions)))
        count = len(gift_questions)
        comment = ngettext(
            "%(n)d question from the SMP Safety Training bank, exported on %(date)s.",
            "%(n)d questions from the SMP Safety Training bank, exported on %(date)s.",
            count,
        ) % {"n": count, "date": today.isoformat()}
        body = f"// {comment}\n\n" + format_gift(gift_questions)
        content_type, extension = "text/plain", "gift"
    else:
        raise ValueError(f"Unknown export format: {file_format}")
    stem = "smp-bank" if whole else f"smp-questions-{count}"
    return BankFile(body, f"{stem}-{today.isoformat()}.{extension}", content_type, count)


# Where a spreadsheet may start a cell: the start of the text, or after any list separator a
# locale may use (comma, semicolon, tab, pipe) or a line break, then spaces or quotes.
_FORMULA_START = re.compile(r"(^|[,;|\t\r\n])([\s\"]*)(?=[=+\-@])")


def csv_cell(value) -> str:
    """Text safe for a spreadsheet: nothing in it can start a formula, whatever the separator.

    A spreadsheet runs a cell starting with = + - @ (or a tab or carriage return). A name such
    as `Bob;=1+1;x` splits into such a cell where ';' separates lists, so every place a cell
    could start gets an apostrophe before the sign, which makes the rest plain text. Write
    with csv.QUOTE_ALL as well.
    """
    text = _FORMULA_START.sub(r"\1\2'", str(value))
    return "'" + text if text[:1] in ("\t", "\r") else text
