"""The SMP safety bank shipped with the project, its quizzes, and upgrading an installed bank.

An installed bank is upgraded in place. Every version of a shipped question, topic or quiz that
ever shipped is remembered by a fingerprint in `bank/history.json`. A row whose fingerprint is
one of those is still as shipped, so the loader may bring it up to date (or retire it, if the
new bank no longer has it); a row with any other fingerprint was edited by an instructor and is
left alone, and listed.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from . import audit
from .exporters import question_as_json
from .importers import (
    ImportPlan,
    QuestionRow,
    TopicRow,
    apply_plan,
    parse_json_bank,
    read_json_bank,
)
from .models import ILLUSTRATIONS, Choice, DrawRule, Question, Quiz, Topic

BANK_DIR = Path(__file__).resolve().parent / "bank"
HISTORY = "history.json"

CERTIFICATION_SLUG = "smp-safety-certification"
# 30 questions drawn by topic weight: more from the two topics where a lapse spreads disease
# (studio infection control, bloodborne pathogens). 80% overall; a floor of 60% in most topics
# and 80% in those two, so nobody passes while failing hygiene; and a wrong answer to any
# critical question fails whatever the score. 45 minutes is about a minute and a half a
# question. Three attempts with an hour between them invites study rather than guessing; the
# record stays valid for a year, as annual refresher training does.
CERTIFICATION = {
    "title": "SMP Safety Certification",
    "description": (
        "The certification quiz: 30 questions drawn from all seven safety topics, more from "
        "studio infection control and bloodborne pathogens. Pass with 80% overall, the floor "
        "of every topic, and every critical question right, to receive a completion record "
        "valid for one year."
    ),
    "purpose": Quiz.Purpose.CERTIFICATION,
    "pass_mark": 80,
    "topic_floor": 60,
    "time_limit_minutes": 45,
    "max_attempts": 3,
    "cooldown_minutes": 60,
    "validity_days": 365,
    "published": True,
    "order": 0,
}
# topic slug: (questions drawn, floor in % or None for the quiz's 60%)
BLUEPRINT = {
    "pigment-and-needle-depth": (4, None),
    "blue-discoloration": (3, None),
    "swollen-lymph-nodes": (4, None),
    "healing-side-effects": (4, None),
    "consultation": (4, None),
    "hygiene-and-practitioner": (6, 80),
    "bloodborne-pathogens": (5, 80),
}
PRACTICE_QUESTIONS = 8
QUIZ_FIELDS = [
    "title",
    "description",
    "purpose",
    "pass_mark",
    "topic_floor",
    "time_limit_minutes",
    "max_attempts",
    "cooldown_minutes",
    "validity_days",
]


@dataclass
class UpgradeReport:
    topics_created: int = 0
    topics_updated: int = 0
    questions_created: int = 0
    questions_updated: int = 0
    questions_retired: int = 0
    questions_unchanged: int = 0
    quizzes_created: int = 0
    quizzes_updated: int = 0
    images_stored: int = 0
    # Rows an instructor changed: the loader left them as they are.
    edited: list[str] = field(default_factory=list)

    def as_data(self) -> dict:
        return dict(self.__dict__)

    @property
    def changed(self) -> bool:
        """Whether the database changed (pictures aside)."""
        return any(
            count
            for name, count in self.__dict__.items()
            if name.endswith(("_created", "_updated", "_retired"))
        )


def fingerprint(data: dict) -> str:
    """A short digest of a row's content as JSON (keys sorted)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _question_content(row: QuestionRow) -> dict:
    return {
        "topic": row.topic_slug,
        "kind": row.kind,
        "prompt": row.prompt,
        "explanation": row.explanation,
        "source_document": row.source_document,
        "source_section": row.source_section,
        "usage": row.usage,
        "critical": row.critical,
        "image": row.image,
        "image_alt": row.image_alt,
        "active": row.active,
        "choices": [[c.text, c.is_correct, c.feedback] for c in row.choices],
    }


def _stored_question_content(question: Question) -> dict:
    data = question_as_json(question)
    return {
        "topic": question.topic.slug,
        **{k: data[k] for k in data if k not in ("key", "choices")},
        "choices": [[c["text"], c["correct"], c["feedback"]] for c in data["choices"]],
    }


def _topic_content(topic: Topic | TopicRow) -> dict:
    return {
        "name": topic.name,
        "order": topic.order,
        "study_notes": topic.study_notes,
        "referral_notes": topic.referral_notes,
    }


def _quiz_content(values: dict, rules: list[tuple[str, int, int | None]]) -> dict:
    return {**{name: values[name] for name in QUIZ_FIELDS}, "rules": sorted(rules)}


def _stored_quiz_content(quiz: Quiz) -> dict:
    rules = [(r.topic.slug, r.count, r.floor) for r in quiz.draw_rules.select_related("topic")]
    return _quiz_content({name: getattr(quiz, name) for name in QUIZ_FIELDS}, rules)


def read_shipped_bank(bank_dir: Path = BANK_DIR, *, validate: bool = True) -> ImportPlan:
    """Merge the shipped bank files (one per topic) into one import plan.

    Validating checks every question against the database's rules and the stored pictures;
    without it, only the files' shape is read (for the history, which needs no database).
    """
    read = read_json_bank if validate else parse_json_bank
    plans = [
        read(path.read_bytes()) for path in sorted(bank_dir.glob("*.json")) if path.name != HISTORY
    ]
    merged = plans[0]
    for plan in plans[1:]:
        merged.topics += plan.topics
        merged.questions += plan.questions
    return merged


def shipped_quizzes(topics: list[TopicRow]) -> dict[str, tuple[dict, list]]:
    """The quizzes the bank ships with, by slug: (settings, draw rules as (topic, count, floor))."""
    quizzes = {
        CERTIFICATION_SLUG: (
            CERTIFICATION,
            [(slug, count, floor) for slug, (count, floor) in BLUEPRINT.items()],
        )
    }
    for topic in topics:
        quizzes[f"practice-{topic.slug}"] = (
            {
                "title": f"Practice: {topic.name}",
                "description": (
                    f"{PRACTICE_QUESTIONS} questions on {topic.name.lower()}, untimed, as often "
                    "as you like. Each answer is checked as you go. Read the study notes first."
                ),
                "purpose": Quiz.Purpose.PRACTICE,
                "pass_mark": 80,
                "topic_floor": 0,
                "time_limit_minutes": None,
                "max_attempts": None,
                "cooldown_minutes": 0,
                "validity_days": 365,
                "published": True,
                "order": topic.order,
            },
            [(topic.slug, PRACTICE_QUESTIONS, None)],
        )
    return quizzes


def read_history(bank_dir: Path = BANK_DIR) -> dict:
    path = bank_dir / HISTORY
    if not path.exists():
        return {"topics": {}, "questions": {}, "quizzes": {}}
    return json.loads(path.read_text())


def record_history(bank_dir: Path = BANK_DIR) -> int:
    """Add the fingerprints of the bank as shipped now to its history; return how many were new.

    Run it (`load_safety_bank --record-history`) whenever the shipped bank changes, so that a
    later upgrade still recognises rows left as this version shipped them.
    """
    plan = read_shipped_bank(bank_dir, validate=False)
    history = read_history(bank_dir)
    current = _current_fingerprints(plan)
    added = 0
    for kind, prints in current.items():
        for name, print_ in prints.items():
            known = history[kind].setdefault(name, [])
            if print_ not in known:
                known.append(print_)
                added += 1
    (bank_dir / HISTORY).write_text(json.dumps(history, indent=1, sort_keys=True) + "\n")
    return added


def _current_fingerprints(plan: ImportPlan) -> dict[str, dict[str, str]]:
    return {
        "topics": {t.slug: fingerprint(_topic_content(t)) for t in plan.topics},
        "questions": {q.key: fingerprint(_question_content(q)) for q in plan.questions},
        "quizzes": {
            slug: fingerprint(_quiz_content(values, rules))
            for slug, (values, rules) in shipped_quizzes(plan.topics).items()
        },
    }


def store_illustrations(bank_dir: Path = BANK_DIR) -> int:
    """Put the shipped pictures into the file storage, where questions find them.

    Runs before the database transaction (a file write cannot be rolled back). A picture the
    bank has changed replaces the stored one of that name; instructors' uploads have names of
    their own. Returns how many were stored.
    """
    stored = 0
    for path in sorted((bank_dir / "images").glob("*")):
        name = f"{ILLUSTRATIONS}{path.name}"
        content = path.read_bytes()
        if default_storage.exists(name):
            with default_storage.open(name) as current:
                if current.read() == content:
                    continue
            default_storage.delete(name)
        default_storage.save(name, ContentFile(content))
        stored += 1
    return stored


def load_safety_bank(bank_dir: Path = BANK_DIR) -> UpgradeReport:
    """Install the shipped bank and quizzes, or upgrade an installed one; idempotent."""
    images = store_illustrations(bank_dir)  # first: the bank's questions refer to them
    plan = read_shipped_bank(bank_dir)  # a broken bank stops here, before the database changes
    report = _upgrade(plan, read_history(bank_dir))
    report.images_stored = images
    return report


@transaction.atomic
def _upgrade(plan: ImportPlan, history: dict) -> UpgradeReport:
    report = UpgradeReport()
    current = _current_fingerprints(plan)
    _upgrade_topics(plan, history, current, report)
    _upgrade_questions(plan, history, current, report)
    _upgrade_quizzes(plan, history, current, report)
    if report.changed:
        audit.log_action(
            actor=None,
            action="quizzes.bank.upgraded",
            object_repr="load_safety_bank",
            data=report.as_data(),
        )
    return report


def _is_shipped(kind: str, name: str, print_: str, history: dict, current: dict) -> bool:
    return print_ == current[kind].get(name) or print_ in history[kind].get(name, [])


def _upgrade_topics(plan, history, current, report) -> None:
    existing = {t.slug: t for t in Topic.objects.filter(slug__in=[t.slug for t in plan.topics])}
    for row in plan.topics:
        topic = existing.get(row.slug)
        if topic is None:
            row.to_topic().save()
            report.topics_created += 1
            continue
        print_ = fingerprint(_topic_content(topic))
        if print_ == current["topics"][row.slug]:
            continue
        if not _is_shipped("topics", row.slug, print_, history, current):
            report.edited.append(f"topic {row.slug}")
            continue
        for name, value in _topic_content(row).items():
            setattr(topic, name, value)
        topic.save()
        report.topics_updated += 1


def _upgrade_questions(plan, history, current, report) -> None:
    shipped = {row.key: row for row in plan.questions}
    known_keys = set(shipped) | set(history["questions"])
    stored = {
        q.key: q
        for q in Question.objects.filter(key__in=known_keys)
        .select_related("topic")
        .prefetch_related("choices")
    }
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=[t.slug for t in plan.topics])}
    new = ImportPlan(questions=[row for key, row in shipped.items() if key not in stored])
    if new.questions:
        new.new_questions = new.questions
        apply_plan(new, source="load_safety_bank")
        report.questions_created = len(new.questions)
    for key, question in stored.items():
        print_ = fingerprint(_stored_question_content(question))
        row = shipped.get(key)
        if row is not None and print_ == current["questions"][key]:
            report.questions_unchanged += 1
        elif row is None and not question.active:
            pass  # retired before, or set aside by an instructor
        elif not _is_shipped("questions", key, print_, history, current):
            report.edited.append(f"question {key}")
        elif row is None:
            Question.objects.filter(pk=question.pk).update(active=False)
            report.questions_retired += 1
        else:
            _update_question(question, row, topics[row.topic_slug])
            report.questions_updated += 1


def _update_question(question: Question, row: QuestionRow, topic: Topic) -> None:
    """Bring an unedited shipped question up to date; past attempts keep their snapshots."""
    fresh = row.to_question(topic)
    fresh.pk = question.pk
    fresh.created_at = question.created_at
    fresh.save()
    Choice.objects.filter(question=question).delete()
    Choice.objects.bulk_create(row.choices_of(fresh))


def _upgrade_quizzes(plan, history, current, report) -> None:
    shipped = shipped_quizzes(plan.topics)
    existing = {q.slug: q for q in Quiz.objects.filter(slug__in=shipped)}
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=[t.slug for t in plan.topics])}
    for slug, (values, rules) in shipped.items():
        quiz = existing.get(slug)
        if quiz is None:
            quiz = Quiz.objects.create(slug=slug, **values)
            report.quizzes_created += 1
        else:
            print_ = fingerprint(_stored_quiz_content(quiz))
            if print_ == current["quizzes"][slug]:
                continue
            if not _is_shipped("quizzes", slug, print_, history, current):
                report.edited.append(f"quiz {slug}")
                continue
            for name in QUIZ_FIELDS:
                setattr(quiz, name, values[name])
            quiz.save()
            quiz.draw_rules.all().delete()
            report.quizzes_updated += 1
        DrawRule.objects.bulk_create(
            [
                DrawRule(quiz=quiz, topic=topics[topic_slug], count=count, floor=floor)
                for topic_slug, count, floor in rules
            ]
        )
