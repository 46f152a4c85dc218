"""What instructors learn from the attempts: gradebook, item analysis, cohort mastery.

Every figure is computed by the database (aggregates over attempts and drawn questions); no
function here loads responses into Python, so the cost in queries is fixed whatever the size
of the cohort.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncMonth

from .models import Attempt, CompletionRecord, DrawnQuestion, Quiz

MAX_CHOICES = 8
GROUP_SHARE = 0.27  # upper and lower groups for the discrimination index (Kelley)
FEW_ATTEMPTS = 30
TOO_EASY = 95.0
TOO_HARD = 20.0


# --- Gradebook ---------------------------------------------------------------------------------

GRADEBOOK_SORTS = {
    "name": "trainee__full_name",
    "email": "trainee__email",
    "quiz": "quiz__title",
    "best": "best",
    "attempts": "used",
    "last": "last_at",
}


@dataclass
class GradebookFilters:
    quiz_id: int | None = None
    passed: bool | None = None
    record_status: str = ""
    since: datetime | None = None
    until: datetime | None = None
    search: str = ""
    sort: str = "name"
    descending: bool = False


def gradebook(filters: GradebookFilters, now: datetime) -> QuerySet:
    """One row per trainee and quiz with submitted attempts. Evaluating it is one query."""
    attempts = Attempt.objects.filter(submitted_at__isnull=False, is_missed_practice=False)
    if filters.quiz_id:
        attempts = attempts.filter(quiz_id=filters.quiz_id)
    if filters.since:
        attempts = attempts.filter(submitted_at__gte=filters.since)
    if filters.until:
        attempts = attempts.filter(submitted_at__lt=filters.until)
    if filters.search:
        attempts = attempts.filter(
            Q(trainee__full_name__icontains=filters.search)
            | Q(trainee__email__icontains=filters.search)
        )
    latest_record = CompletionRecord.objects.filter(
        trainee_id=OuterRef("trainee_id"), quiz_id=OuterRef("quiz_id")
    ).order_by("-issued_at")
    rows = (
        attempts.values(
            "trainee_id", "quiz_id", "trainee__full_name", "trainee__email", "quiz__title"
        )
        .annotate(
            best=Max("score"),
            used=Count("id"),
            last_at=Max("submitted_at"),
            passes=Count("id", filter=Q(passed=True)),
        )
        .annotate(
            record_expires=Subquery(
                latest_record.values("expires_at")[:1], output_field=DateTimeField()
            ),
            record_revoked=Subquery(
                latest_record.values("revoked_at")[:1], output_field=DateTimeField()
            ),
        )
    )
    if filters.passed is True:
        rows = rows.filter(passes__gt=0)
    elif filters.passed is False:
        rows = rows.filter(passes=0)
    rows = _filter_record_status(rows, filters.record_status, now)
    order = GRADEBOOK_SORTS.get(filters.sort, "trainee__full_name")
    order_by = F(order).desc(nulls_last=True) if filters.descending else F(order).asc()
    return rows.order_by(order_by, "trainee_id", "quiz_id")


def _filter_record_status(rows, status, now):
    soon = now + timedelta(days=CompletionRecord.EXPIRING_WITHIN_DAYS)
    match status:
        case "none":
            return rows.filter(record_expires__isnull=True)
        case CompletionRecord.Status.REVOKED:
            return rows.filter(record_revoked__isnull=False)
        case CompletionRecord.Status.EXPIRED:
            return rows.filter(record_revoked__isnull=True, record_expires__lte=now)
        case CompletionRecord.Status.EXPIRING:
            return rows.filter(
                record_revoked__isnull=True, record_expires__gt=now, record_expires__lte=soon
            )
        case CompletionRecord.Status.VALID:
            return rows.filter(record_revoked__isnull=True, record_expires__gt=soon)
    return rows


def record_status_label(row: dict, now: datetime) -> str:
    if row["record_expires"] is None:
        return "—"
    if row["record_revoked"] is not None:
        return CompletionRecord.Status.REVOKED.label
    if row["record_expires"] <= now:
        return CompletionRecord.Status.EXPIRED.label
    if row["record_expires"] - now <= timedelta(days=CompletionRecord.EXPIRING_WITHIN_DAYS):
        return CompletionRecord.Status.EXPIRING.label
    return CompletionRecord.Status.VALID.label


def topic_mastery(attempts: QuerySet) -> list[dict]:
    """Per topic: credit earned over questions met, in percent, over these attempts. One query."""
    rows = (
        DrawnQuestion.objects.filter(attempt__in=attempts)
        .values("topic_id", "topic__name", "topic__order")
        .annotate(questions=Count("id"), earned=Sum("earned"))
        .order_by("topic__order", "topic__name")
    )
    return [
        {
            "name": r["topic__name"],
            "questions": r["questions"],
            "percent": round(100 * (r["earned"] or 0) / r["questions"], 1),
        }
        for r in rows
    ]


# --- Item analysis -----------------------------------------------------------------------------


@dataclass
class ChoiceFigure:
    index: int
    text: str
    correct: bool
    picked: int
    share: float  # % of this version's responses that ticked it


@dataclass
class ItemFigures:
    question_id: int
    key: str
    prompt: str
    topic: str
    attempts: int
    facility: float  # % of credit earned
    discrimination: float | None  # upper minus lower group facility, -1..1
    version_attempts: int = 0
    choices: list[ChoiceFigure] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.facility > TOO_EASY:
            flags.append("too easy")
        if self.facility < TOO_HARD:
            flags.append("too hard")
        if self.discrimination is not None and self.discrimination < 0:
            flags.append("discriminates negatively")
        return flags

    @property
    def few_attempts(self) -> bool:
        return self.attempts < FEW_ATTEMPTS

    @property
    def wrong_choices(self) -> list[ChoiceFigure]:
        return [c for c in self.choices if not c.correct]


@dataclass
class ItemAnalysis:
    quiz: Quiz
    attempts: int
    group_size: int
    items: list[ItemFigures]


def _group_bounds(graded: QuerySet, size: int):
    """The last attempt (score, id) inside the lower and upper groups of `size` attempts."""
    lower = graded.order_by("score", "id").values_list("score", "id")[size - 1]
    upper = graded.order_by("-score", "-id").values_list("score", "id")[size - 1]
    return lower, upper


def item_analysis(quiz: Quiz) -> ItemAnalysis:
    """Moodle-style statistics of each question of the quiz. Six queries, any cohort size.

    Facility: the mean credit earned, in percent. Discrimination: the facility among the top
    27% of attempts by total score minus that among the bottom 27% (ties broken by attempt id,
    so both groups hold exactly 27%), from -1 to 1. Statistics follow the question (its id)
    across edits; the picks of each choice are counted per version, since an edit may change
    the choices, and shown for the version drawn most recently.
    """
    graded = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    total = graded.count()
    size = math.ceil(total * GROUP_SHARE) if total else 0
    drawn = DrawnQuestion.objects.filter(attempt__quiz=quiz, attempt__submitted_at__isnull=False)
    aggregates = {
        "attempts": Count("id"),
        "mean": Avg("earned"),
    }
    if size:
        (low_score, low_id), (high_score, high_id) = _group_bounds(graded, size)
        in_lower = Q(attempt__score__lt=low_score) | Q(
            attempt__score=low_score, attempt_id__lte=low_id
        )
        in_upper = Q(attempt__score__gt=high_score) | Q(
            attempt__score=high_score, attempt_id__gte=high_id
        )
        aggregates["lower"] = Avg("earned", filter=in_lower)
        aggregates["upper"] = Avg("earned", filter=in_upper)
    rows = (
        drawn.values("question_id", "question__key", "question__prompt", "topic__name")
        .annotate(**aggregates)
        .order_by("question__topic__order", "question_id")
    )
    choice_rows = _choice_picks(drawn)
    items = []
    for row in rows:
        discrimination = None
        if size and row.get("upper") is not None and row.get("lower") is not None:
            discrimination = round(row["upper"] - row["lower"], 3)
        item = ItemFigures(
            question_id=row["question_id"],
            key=row["question__key"],
            prompt=row["question__prompt"],
            topic=row["topic__name"],
            attempts=row["attempts"],
            facility=round(100 * (row["mean"] or 0), 1),
            discrimination=discrimination,
        )
        versions = choice_rows.get(item.question_id, [])
        if versions:
            newest = max(versions, key=lambda v: (v["newest"], v["responses"]))
            item.version_attempts = newest["responses"]
            item.choices = newest["choices"]
        items.append(item)
    return ItemAnalysis(quiz=quiz, attempts=total, group_size=size, items=items)


def _choice_picks(drawn: QuerySet) -> dict[int, list[dict]]:
    """Per question and version: how many responses ticked each choice. One query."""
    picks = {
        f"picked_{i}": Sum(
            ExpressionWrapper(
                F("selected").bitand(1 << i) / Value(1 << i), output_field=IntegerField()
            )
        )
        for i in range(MAX_CHOICES)
    }
    rows = (
        drawn.values("question_id", "version")
        .annotate(
            responses=Count("id"),
            newest=Max("attempt__started_at"),
            sample=Max("id"),
            **picks,
        )
        .order_by()
    )
    rows = list(rows)
    samples = {
        d.pk: d
        for d in DrawnQuestion.objects.filter(pk__in=[r["sample"] for r in rows]).only(
            "choices", "correct"
        )
    }
    by_question: dict[int, list[dict]] = {}
    for row in rows:
        sample = samples[row["sample"]]
        responses = row["responses"] or 1
        choices = [
            ChoiceFigure(
                index=i,
                text=choice["text"],
                correct=sample.is_correct_choice(i),
                picked=row[f"picked_{i}"] or 0,
                share=round(100 * (row[f"picked_{i}"] or 0) / responses, 1),
            )
            for i, choice in enumerate(sample.choices[:MAX_CHOICES])
        ]
        by_question.setdefault(row["question_id"], []).append(
            {"newest": row["newest"], "responses": row["responses"], "choices": choices}
        )
    return by_question


# --- Cohort ------------------------------------------------------------------------------------


def cohort_mastery(quiz_id: int | None = None) -> dict:
    """Mastery per topic across all trainees, overall and by month of submission. Two queries."""
    drawn = DrawnQuestion.objects.filter(attempt__submitted_at__isnull=False)
    if quiz_id:
        drawn = drawn.filter(attempt__quiz_id=quiz_id)
    overall = (
        drawn.values("topic_id", "topic__name", "topic__order")
        .annotate(
            questions=Count("id"),
            earned=Sum("earned"),
            trainees=Count("attempt__trainee_id", distinct=True),
        )
        .order_by("topic__order", "topic__name")
    )
    monthly = (
        drawn.annotate(month=TruncMonth("attempt__submitted_at"))
        .values("month", "topic_id")
        .annotate(questions=Count("id"), earned=Sum("earned"))
        .order_by("month")
    )
    topics = [
        {
            "id": r["topic_id"],
            "name": r["topic__name"],
            "questions": r["questions"],
            "trainees": r["trainees"],
            "percent": round(100 * (r["earned"] or 0) / r["questions"], 1),
        }
        for r in overall
    ]
    months: dict = {}
    for r in monthly:
        months.setdefault(r["month"], {})[r["topic_id"]] = round(
            100 * (r["earned"] or 0) / r["questions"], 1
        )
    return {
        "topics": topics,
        "months": [
            {"month": month, "percents": [by_topic.get(t["id"]) for t in topics]}
            for month, by_topic in months.items()
        ],
    }
