"""What instructors learn from the attempts: gradebook, item analysis, cohort mastery.

Every figure is computed by the database (aggregates over attempts, drawn questions and the
tallies that grading keeps, quizzes/tallies.py); no function here loads responses into Python,
so the cost in queries is fixed whatever the size of the cohort.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    CharField,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _

from . import tallies
from .models import (
    CREDIT_SCALE,
    MAX_CHOICES,
    Attempt,
    AuditLogEntry,
    CompletionRecord,
    DrawnQuestion,
    ItemTally,
    Quiz,
    ScoreTally,
    Topic,
    TopicTally,
)

GROUP_SHARE = 0.27  # upper and lower groups for the discrimination index (Kelley)
FEW_ATTEMPTS = 30
TOO_EASY = 95.0
TOO_HARD = 20.0
# Audit actions that brought questions into the bank: an admin or command-line import, an upgrade.
IMPORT_ACTIONS = ("quizzes.bank.imported", "quizzes.bank.upgraded")


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
    """One row per trainee and quiz with submitted attempts. Evaluating it is one query.

    Attempts of deleted accounts (no trainee) count in the statistics, not here.
    """
    attempts = Attempt.objects.filter(
        submitted_at__isnull=False, is_missed_practice=False, trainee__isnull=False
    )
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
            last_attempt=Max("id"),
            passes=Count("id", filter=Q(passed=True)),
        )
        .annotate(
            record_status=Subquery(
                latest_record.with_status(now).values("current_status")[:1],
                output_field=CharField(),
            ),
        )
    )
    if filters.passed is True:
        rows = rows.filter(passes__gt=0)
    elif filters.passed is False:
        rows = rows.filter(passes=0)
    rows = _filter_record_status(rows, filters.record_status)
    order = GRADEBOOK_SORTS.get(filters.sort, "trainee__full_name")
    order_by = F(order).desc(nulls_last=True) if filters.descending else F(order).asc()
    return rows.order_by(order_by, "trainee_id", "quiz_id")


def _filter_record_status(rows, status):
    if status == "none":
        return rows.filter(record_status__isnull=True)
    if status in CompletionRecord.Status.values:
        return rows.filter(record_status=status)
    return rows


def record_status_label(row: dict) -> str:
    if row["record_status"] is None:
        return "—"
    return CompletionRecord.Status(row["record_status"]).label


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
    topic_order: int = 0

    @property
    def flags(self) -> list[str]:
        """Too easy, too hard, discriminates negatively: none before FEW_ATTEMPTS responses."""
        if self.few_attempts:
            return []
        flags = []
        if self.facility > TOO_EASY:
            flags.append(_("too easy"))
        if self.facility < TOO_HARD:
            flags.append(_("too hard"))
        if self.discrimination is not None and self.discrimination < 0:
            flags.append(_("discriminates negatively"))
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

    The sums come from the tallies that grading keeps (quizzes/tallies.py), one row per
    question and version; the versions of a question are added up here (sums and counts, so
    nothing is lost).
    """
    graded = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    total = graded.count()
    size = math.ceil(total * GROUP_SHARE) if total else 0
    rows = list(
        ItemTally.objects.filter(quiz=quiz).values(
            "question_id",
            "version",
            "responses",
            "credit",
            "newest_attempt_id",
            "sample_id",
            *tallies.PICKS,
        )
    )
    groups = _group_sums(quiz, graded, size) if size else {}
    samples = {
        d.pk: d
        for d in DrawnQuestion.objects.filter(pk__in=[r["sample_id"] for r in rows])
        .select_related("question__topic")
        .only(
            "choices",
            "correct",
            "question__key",
            "question__prompt",
            "question__topic__name",
            "question__topic__order",
        )
    }
    by_question: dict[int, list[dict]] = {}
    for row in rows:
        by_question.setdefault(row["question_id"], []).append(row)
    items = [
        _item_figures(versions, samples, groups.get(question_id))
        for question_id, versions in by_question.items()
    ]
    items.sort(key=lambda item: (item.topic_order, item.question_id))
    return ItemAnalysis(quiz=quiz, attempts=total, group_size=size, items=items)


GROUP_FIGURES = ("lower", "lower_n", "upper", "upper_n")


def _group_sums(quiz: Quiz, graded: QuerySet, size: int) -> dict[int, dict[str, int]]:
    """Credit (in millionths) and responses per question in the lower and upper groups.

    Three queries: the groups' bounds, then one (UNION ALL) that adds up the score tallies of
    the scores strictly inside each group and, to split the attempts at the two boundary
    scores by attempt id, the responses of the attempts at those scores inside the groups.
    """
    (low_score, low_id), (high_score, high_id) = _group_bounds(graded, size)
    below, above = Q(score__lt=low_score), Q(score__gt=high_score)
    tallied = (
        ScoreTally.objects.filter(quiz=quiz)
        .filter(below | above)
        .values("question_id")
        .annotate(
            lower=Sum("credit", filter=below),
            lower_n=Sum("responses", filter=below),
            upper=Sum("credit", filter=above),
            upper_n=Sum("responses", filter=above),
        )
        .order_by()
    )
    units = Round(F("earned") * CREDIT_SCALE)

    def at_bound(attempts: QuerySet, group: str) -> QuerySet:
        """The responses of these attempts, summed as the lower or the upper group's.

        A single IN per set of attempts: both databases then walk the attempts' score index
        and join each attempt's responses through theirs (an OR of two INs makes PostgreSQL
        scan every response)."""
        counted = {group: Sum(units), f"{group}_n": Count("id")}
        figures = {name: counted.get(name, Value(0)) for name in GROUP_FIGURES}
        return (
            DrawnQuestion.objects.filter(attempt_id__in=attempts.values("id"))
            .values("question_id")
            .annotate(**figures)
            .order_by()
        )

    lower_at_bound = at_bound(graded.filter(score=low_score, id__lte=low_id), "lower")
    upper_at_bound = at_bound(graded.filter(score=high_score, id__gte=high_id), "upper")
    sums: dict[int, dict[str, int]] = {}
    for row in tallied.union(lower_at_bound, upper_at_bound, all=True):
        question = sums.setdefault(row["question_id"], dict.fromkeys(GROUP_FIGURES, 0))
        for name in GROUP_FIGURES:
            question[name] += round(row[name] or 0)
    return sums


def _item_figures(versions: list[dict], samples: dict, groups: dict | None) -> ItemFigures:
    def total(name):
        return sum(v[name] for v in versions)

    responses = total("responses")
    discrimination = None
    if groups and groups["upper_n"] and groups["lower_n"]:
        # The same float arithmetic as summing earned directly: tallies count in millionths.
        upper, lower = groups["upper"] / CREDIT_SCALE, groups["lower"] / CREDIT_SCALE
        discrimination = round(upper / groups["upper_n"] - lower / groups["lower_n"], 3)
    newest = max(versions, key=lambda v: v["newest_attempt_id"])
    sample = samples[newest["sample_id"]]
    question = sample.question
    return ItemFigures(
        question_id=question.id,
        key=question.key,
        prompt=question.prompt,
        topic=question.topic.name,
        topic_order=question.topic.order,
        attempts=responses,
        facility=round(100 * (total("credit") / CREDIT_SCALE) / responses, 1),
        discrimination=discrimination,
        version_attempts=newest["responses"],
        choices=[
            ChoiceFigure(
                index=i,
                text=choice["text"],
                correct=sample.is_correct_choice(i),
                picked=newest[f"picked_{i}"],
                share=round(100 * newest[f"picked_{i}"] / newest["responses"], 1),
            )
            for i, choice in enumerate(sample.choices[:MAX_CHOICES])
        ],
    )


# --- Cohort ------------------------------------------------------------------------------------


def cohort_mastery(quiz_id: int | None = None) -> dict:
    """Mastery per topic across all trainees, overall and by month of submission (UTC).

    Two queries, any cohort size: the topic tallies (quizzes/tallies.py) by month and topic,
    then the topics' names, in their order.
    """
    counted = TopicTally.objects.all()
    if quiz_id:
        counted = counted.filter(quiz_id=quiz_id)
    monthly = list(
        counted.values("month", "topic_id")
        .annotate(questions=Sum("responses"), earned=Sum("credit"))
        .order_by("month")
    )
    topics_met = Topic.objects.filter(id__in={r["topic_id"] for r in monthly})
    overall: dict[int, list] = {}
    months: dict[date, dict[int, float]] = {}
    for r in monthly:
        earned = int(r["earned"]) / CREDIT_SCALE
        total = overall.setdefault(r["topic_id"], [0, 0])
        total[0] += r["questions"]
        total[1] += int(r["earned"])
        months.setdefault(r["month"], {})[r["topic_id"]] = round(100 * earned / r["questions"], 1)
    topics = [
        {
            "id": topic_id,
            "name": name,
            "questions": overall[topic_id][0],
            "percent": round(100 * (overall[topic_id][1] / CREDIT_SCALE) / overall[topic_id][0], 1),
        }
        for topic_id, name in topics_met.values_list("id", "name")  # in the topics' order
    ]
    return {
        "topics": topics,
        "months": [
            {
                "month": datetime(month.year, month.month, 1),
                "percents": [by_topic.get(t["id"]) for t in topics],
            }
            for month, by_topic in months.items()
        ],
    }


# --- Instructor home ---------------------------------------------------------------------------

PASS_RATE_DAYS = 30
EXPIRING_SHOWN = 5


@dataclass
class QuizFlags:
    quiz: Quiz
    attempts: int
    flagged: list[ItemFigures]


@dataclass
class InstructorOverview:
    attempts_today: int
    attempts_this_week: int
    certification_attempts: int  # graded in the last PASS_RATE_DAYS days
    certification_passes: int
    expiring_count: int
    expiring_soonest: list[CompletionRecord]
    flags: list[QuizFlags]
    last_import: AuditLogEntry | None

    @property
    def last_import_new_questions(self) -> int | None:
        return self.last_import.data.get("questions_created") if self.last_import else None

    @property
    def pass_rate(self) -> float | None:
        if not self.certification_attempts:
            return None
        return round(100 * self.certification_passes / self.certification_attempts, 1)


def instructor_overview(now: datetime) -> InstructorOverview:
    """What an instructor looks at first, counted by the database.

    Queries: attempt counts (1), expiring records (2), the published certification quizzes (1)
    and item analysis of each (six per quiz), the last import (1): constant in the cohort size.
    Days and weeks (from Monday) follow the site's time zone.
    """
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=today.weekday())
    since = now - timedelta(days=PASS_RATE_DAYS)
    certification = Q(quiz__purpose=Quiz.Purpose.CERTIFICATION, submitted_at__gte=since)
    counts = Attempt.objects.filter(submitted_at__isnull=False).aggregate(
        today=Count("id", filter=Q(submitted_at__gte=today)),
        week=Count("id", filter=Q(submitted_at__gte=week)),
        certification=Count("id", filter=certification),
        passes=Count("id", filter=certification & Q(passed=True)),
    )
    expiring = CompletionRecord.objects.with_status(now).filter(
        current_status=CompletionRecord.Status.EXPIRING
    )
    flags = []
    for quiz in Quiz.objects.filter(published=True, purpose=Quiz.Purpose.CERTIFICATION):
        analysis = item_analysis(quiz)
        flags.append(QuizFlags(quiz, analysis.attempts, [i for i in analysis.items if i.flags]))
    return InstructorOverview(
        attempts_today=counts["today"],
        attempts_this_week=counts["week"],
        certification_attempts=counts["certification"],
        certification_passes=counts["passes"],
        expiring_count=expiring.count(),
        expiring_soonest=list(expiring.order_by("expires_at")[:EXPIRING_SHOWN]),
        flags=flags,
        last_import=AuditLogEntry.objects.filter(action__in=IMPORT_ACTIONS)
        .select_related("actor")
        .order_by("-created_at")
        .first(),
    )
