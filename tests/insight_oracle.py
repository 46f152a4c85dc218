"""The instructor pages' figures computed directly from every response, as they were before
the tallies: the oracle the tallies' figures must equal (tests/test_insight_tallies.py).

A copy of quizzes/insight.py's item analysis and cohort mastery before the tallies came, with
only the topic order added to each item (the tallied version sorts by it too).
"""

import math
from datetime import datetime

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Q, Sum, Value

from quizzes.insight import (
    GROUP_SHARE,
    MAX_CHOICES,
    ChoiceFigure,
    ItemAnalysis,
    ItemFigures,
    _group_bounds,
)
from quizzes.models import Attempt, DrawnQuestion, Question, Quiz, Topic
from quizzes.tallies import YearMonth


def item_analysis(quiz: Quiz) -> ItemAnalysis:
    """Moodle-style statistics of each question of the quiz. Six queries, any cohort size.

    Facility: the mean credit earned, in percent. Discrimination: the facility among the top
    27% of attempts by total score minus that among the bottom 27% (ties broken by attempt id,
    so both groups hold exactly 27%), from -1 to 1. Statistics follow the question (its id)
    across edits; the picks of each choice are counted per version, since an edit may change
    the choices, and shown for the version drawn most recently.

    One pass over the responses computes everything, grouped by question and version; the
    versions of a question are then added up here (sums and counts, so nothing is lost).
    """
    graded = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    total = graded.count()
    size = math.ceil(total * GROUP_SHARE) if total else 0
    drawn = DrawnQuestion.objects.filter(attempt__quiz=quiz, attempt__submitted_at__isnull=False)
    sums = {
        "responses": Count("id"),
        "credit": Sum("earned"),
        "newest": Max("attempt_id"),
        "sample": Max("id"),
    }
    if size:
        (low_score, low_id), (high_score, high_id) = _group_bounds(graded, size)
        in_lower = Q(attempt__score__lt=low_score) | Q(
            attempt__score=low_score, attempt_id__lte=low_id
        )
        in_upper = Q(attempt__score__gt=high_score) | Q(
            attempt__score=high_score, attempt_id__gte=high_id
        )
        sums |= {
            "lower": Sum("earned", filter=in_lower),
            "lower_n": Count("id", filter=in_lower),
            "upper": Sum("earned", filter=in_upper),
            "upper_n": Count("id", filter=in_upper),
        }
    picks = {
        f"picked_{i}": Sum(
            ExpressionWrapper(
                F("selected").bitand(1 << i) / Value(1 << i), output_field=IntegerField()
            )
        )
        for i in range(MAX_CHOICES)
    }
    rows = list(drawn.values("question_id", "version").annotate(**sums, **picks).order_by())
    questions = {
        q["id"]: q
        for q in Question.objects.filter(id__in={r["question_id"] for r in rows}).values(
            "id", "key", "prompt", "topic__name", "topic__order"
        )
    }
    samples = {
        d.pk: d
        for d in DrawnQuestion.objects.filter(pk__in=[r["sample"] for r in rows]).only(
            "choices", "correct"
        )
    }
    by_question: dict[int, list[dict]] = {}
    for row in rows:
        by_question.setdefault(row["question_id"], []).append(row)
    items = [
        _item_figures(questions[question_id], versions, samples)
        for question_id, versions in by_question.items()
    ]
    items.sort(key=lambda item: (questions[item.question_id]["topic__order"], item.question_id))
    return ItemAnalysis(quiz=quiz, attempts=total, group_size=size, items=items)


def _item_figures(question: dict, versions: list[dict], samples: dict) -> ItemFigures:
    def total(name):
        return sum(v.get(name) or 0 for v in versions)

    responses = total("responses")
    discrimination = None
    if total("upper_n") and total("lower_n"):
        discrimination = round(
            total("upper") / total("upper_n") - total("lower") / total("lower_n"), 3
        )
    newest = max(versions, key=lambda v: v["newest"])
    sample = samples[newest["sample"]]
    return ItemFigures(
        question_id=question["id"],
        key=question["key"],
        prompt=question["prompt"],
        topic=question["topic__name"],
        topic_order=question["topic__order"],
        attempts=responses,
        facility=round(100 * total("credit") / responses, 1),
        discrimination=discrimination,
        version_attempts=newest["responses"],
        choices=[
            ChoiceFigure(
                index=i,
                text=choice["text"],
                correct=sample.is_correct_choice(i),
                picked=newest[f"picked_{i}"] or 0,
                share=round(100 * (newest[f"picked_{i}"] or 0) / newest["responses"], 1),
            )
            for i, choice in enumerate(sample.choices[:MAX_CHOICES])
        ],
    )


def cohort_mastery(quiz_id: int | None = None) -> dict:
    """Mastery per topic across all trainees, overall and by month of submission (UTC).

    Three queries: one pass over the responses by month and topic, then the topics' names.
    """
    drawn = DrawnQuestion.objects.filter(attempt__submitted_at__isnull=False)
    if quiz_id:
        drawn = drawn.filter(attempt__quiz_id=quiz_id)
    monthly = list(
        drawn.annotate(month=YearMonth("attempt__submitted_at"))
        .values("month", "topic_id")
        .annotate(questions=Count("id"), earned=Sum("earned"))
        .order_by("month")
    )
    topics_met = Topic.objects.filter(id__in={r["topic_id"] for r in monthly})
    names = dict(topics_met.values_list("id", "name"))
    overall: dict[int, list] = {}
    months: dict[str, dict[int, float]] = {}
    for r in monthly:
        total = overall.setdefault(r["topic_id"], [0, 0.0])
        total[0] += r["questions"]
        total[1] += r["earned"] or 0
        months.setdefault(r["month"], {})[r["topic_id"]] = round(
            100 * (r["earned"] or 0) / r["questions"], 1
        )
    topics = [
        {
            "id": topic_id,
            "name": names[topic_id],
            "questions": overall[topic_id][0],
            "percent": round(100 * overall[topic_id][1] / overall[topic_id][0], 1),
        }
        for topic_id in topics_met.values_list("id", flat=True)  # in the topics' order
    ]
    return {
        "topics": topics,
        "months": [
            {
                "month": datetime.strptime(month, "%Y-%m"),
                "percents": [by_topic.get(t["id"]) for t in topics],
            }
            for month, by_topic in months.items()
        ],
    }
