"""Workflows on questions that an instructor starts from the admin."""

from django.db import transaction

from .models import Choice, Question


@transaction.atomic
def duplicate_question(question: Question) -> Question:
    """Copy a question with its choices under a new key; the copy starts inactive for editing."""
    base = f"{question.key[:90]}-copy"
    taken = set(Question.objects.filter(key__startswith=base).values_list("key", flat=True))
    key = base
    number = 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    # Every field travels, the usage above all: a copy of a certification-only question
    # must not turn up in practice.
    copy = Question.objects.create(
        topic_id=question.topic_id,
        key=key,
        kind=question.kind,
        prompt=question.prompt,
        image=question.image.name,
        image_alt=question.image_alt,
        explanation=question.explanation,
        source_document=question.source_document,
        source_section=question.source_section,
        usage=question.usage,
        critical=question.critical,
        active=False,
    )
    Choice.objects.bulk_create(
        [
            Choice(
                question=copy,
                text=c.text,
                is_correct=c.is_correct,
                feedback=c.feedback,
                order=c.order,
            )
            for c in question.choices.all()
        ]
    )
    return copy
