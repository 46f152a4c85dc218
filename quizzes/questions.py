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
    # A copy of the row, so every field travels (the usage above all: a copy of a
    # certification-only question must not turn up in practice), whatever fields come later.
    copy = Question.objects.get(pk=question.pk)
    copy.pk = None
    copy.key = key
    copy.active = False
    copy.save(force_insert=True)
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
