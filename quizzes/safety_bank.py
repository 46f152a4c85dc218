"""The SMP safety bank shipped with the project, and the quizzes built on it."""

from pathlib import Path

from django.db import transaction

from .importers import ImportPlan, ImportResult, apply_plan, read_json_bank
from .models import DrawRule, Quiz, Topic

BANK_DIR = Path(__file__).resolve().parent / "bank"

CERTIFICATION_SLUG = "smp-safety-certification"
# 25 questions, 5 from each of the five topics: enough to sample every topic, short enough to
# finish in 30 minutes (over a minute a question). 80% overall, and no topic under 60% (3 of 5),
# so nobody passes while failing hygiene. Three attempts with an hour between them invites study
# rather than guessing; the record stays valid for a year, as annual refresher training does.
CERTIFICATION = {
    "title": "SMP Safety Certification",
    "description": (
        "The certification quiz: 25 questions, 5 from each safety topic. Pass with 80% overall "
        "and at least 60% in every topic to receive a completion record valid for one year."
    ),
    "purpose": Quiz.Purpose.CERTIFICATION,
    "pass_mark": 80,
    "topic_floor": 60,
    "time_limit_minutes": 30,
    "max_attempts": 3,
    "cooldown_minutes": 60,
    "validity_days": 365,
    "published": True,
    "order": 0,
}
CERTIFICATION_PER_TOPIC = 5
PRACTICE_QUESTIONS = 8


def read_shipped_bank() -> ImportPlan:
    """Merge the shipped bank files (one per topic) into one import plan."""
    plans = [read_json_bank(path.read_bytes()) for path in sorted(BANK_DIR.glob("*.json"))]
    merged = plans[0]
    for plan in plans[1:]:
        merged.topics += plan.topics
        merged.questions += plan.questions
    return merged


@transaction.atomic
def load_safety_bank() -> tuple[ImportResult, int]:
    """Add what is missing of the shipped bank and quizzes; return the import and quizzes made."""
    result = apply_plan(read_shipped_bank(), source="load_safety_bank")
    return result, ensure_shipped_quizzes()


def ensure_shipped_quizzes() -> int:
    """Create the certification quiz and one untimed practice quiz per topic, if missing.

    An existing quiz (found by slug) is left as the instructors have set it.
    """
    topics = list(Topic.objects.filter(slug__in=_shipped_topic_slugs()))
    created = 0
    quiz, new = Quiz.objects.get_or_create(slug=CERTIFICATION_SLUG, defaults=CERTIFICATION)
    if new:
        created += 1
        DrawRule.objects.bulk_create(
            [DrawRule(quiz=quiz, topic=t, count=CERTIFICATION_PER_TOPIC) for t in topics]
        )
    for topic in topics:
        quiz, new = Quiz.objects.get_or_create(
            slug=f"practice-{topic.slug}",
            defaults={
                "title": f"Practice: {topic.name}",
                "description": (
                    f"{PRACTICE_QUESTIONS} questions on {topic.name.lower()}, untimed, as often "
                    "as you like. Read the study notes first."
                ),
                "purpose": Quiz.Purpose.PRACTICE,
                "pass_mark": 80,
                "published": True,
                "order": topic.order,
            },
        )
        if new:
            created += 1
            DrawRule.objects.create(quiz=quiz, topic=topic, count=PRACTICE_QUESTIONS)
    return created


def _shipped_topic_slugs() -> list[str]:
    return [path.stem for path in BANK_DIR.glob("*.json")]
