"""The reads of attempts that the trainee's busiest pages make, as SQL made once.

The question page's and the answer save's are written out; they return what the ORM query they
replace returned (tests/test_attempt_reads.py compares them). The others are ORM queries
compiled once (`rows.Prepared`). smptraining/rows.py says why.
"""

from functools import cache

from django.db.models import Count, Max, Q

from smptraining import rows
from smptraining.rows import Prepared

from .models import Attempt, DrawnQuestion, Quiz


@cache
def _trainee_attempt_sql() -> str:
    return (
        f"SELECT {rows.columns(Attempt, 'a')}, {rows.columns(Quiz, 'q')}"
        f" FROM {rows.table(Attempt, 'a')} JOIN {rows.table(Quiz, 'q')}"
        f" ON {rows.column(Quiz, 'q', 'id')} = {rows.column(Attempt, 'a', 'quiz')}"
        f" WHERE {rows.column(Attempt, 'a', 'id')} = %s"
        f" AND {rows.column(Attempt, 'a', 'trainee')} = %s"
    )


def trainee_attempt(attempt_id: int, trainee_id: int) -> Attempt | None:
    """The attempt with its quiz, if it is this trainee's. One query."""
    row = rows.fetch_one(_trainee_attempt_sql(), [attempt_id, trainee_id])
    if row is None:
        return None
    quiz = rows.instance(Quiz, row, rows.width(Attempt))
    return rows.with_related(rows.instance(Attempt, row), "quiz", quiz)


def locked_attempt(attempt_id: int) -> Attempt:
    """The attempt, its row locked until the transaction ends. One query.
    Raises Attempt.DoesNotExist as `get()` would."""
    attempt = rows.get(Attempt, lock=True, pk=attempt_id)
    if attempt is None:
        raise Attempt.DoesNotExist(f"No attempt {attempt_id}.")
    return attempt


def drawn_question(attempt_id: int, position: int) -> DrawnQuestion | None:
    """The attempt's drawn question at this position. One query."""
    return rows.get(DrawnQuestion, attempt=attempt_id, position=position)


@cache
def _navigator_sql() -> str:
    selected = rows.column(DrawnQuestion, "d", "selected")
    return (
        f"SELECT {rows.column(DrawnQuestion, 'd', 'position')},"
        f" CASE WHEN {selected} IS NULL THEN 0 ELSE 1 END"
        f" FROM {rows.table(DrawnQuestion, 'd')}"
        f" WHERE {rows.column(DrawnQuestion, 'd', 'attempt')} = %s"
        f" ORDER BY {rows.column(DrawnQuestion, 'd', 'position')}"
    )


def navigator(attempt_id: int) -> list[tuple[int, bool]]:
    """(position, answered) for every drawn question of the attempt, in order. One query."""
    return [
        (position, bool(answered))
        for position, answered in rows.fetch_all(_navigator_sql(), [attempt_id])
    ]


published_quizzes = Prepared(lambda: Quiz.objects.filter(published=True))

# Per published quiz the trainee has tried: (quiz id, best graded score, passes).
quiz_stats = Prepared(
    lambda trainee: (
        Attempt.objects.filter(trainee=trainee, quiz__published=True)
        .values_list("quiz_id")
        .annotate(
            best=Max("score", filter=Q(submitted_at__isnull=False)),
            passes=Count("id", filter=Q(passed=True)),
        )
        .order_by()
    )
)

open_attempts = Prepared(
    lambda trainee: Attempt.objects.filter(trainee=trainee, submitted_at=None, quiz__published=True)
)

# Every attempt of the trainee with its quiz, oldest first: the history page.
trainee_attempts = Prepared(
    lambda trainee: (
        Attempt.objects.filter(trainee=trainee).select_related("quiz").order_by("started_at")
    )
)

# A graded attempt's drawn questions, in order, each with its question: the result page.
graded_questions = Prepared(
    lambda attempt: (
        DrawnQuestion.objects.filter(attempt=attempt)
        .select_related("question")
        .order_by("position")
    )
)
