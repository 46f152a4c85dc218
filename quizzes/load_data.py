"""Realistic attempts in bulk, for benchmarks and for trying the instructor pages on a cohort.

Each generated trainee has an ability and each question a difficulty; the chance of a right
answer follows the Rasch model (logistic of ability minus difficulty), improving a little with
each attempt, and wrong answers favour one "attractive" distractor per question, as real
cohorts do. Everything is written with bulk inserts, a chunk of trainees per transaction.
"""

import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from academy.models import Academy

from . import tallies
from .attempts import drawn_snapshot, topic_floors
from .grading import TopicScore, earned_for, judge
from .models import Attempt, CompletionRecord, DrawnQuestion, Question, Quiz
from .records import free_status_list_indexes, new_record
from .safety_bank import CERTIFICATION_SLUG, load_safety_bank

CHUNK = 250  # trainees per transaction


@dataclass
class PoolQuestion:
    question: Question
    correct: int
    choice_count: int
    difficulty: float
    distractor: int


def _pools(quiz: Quiz, rng: random.Random) -> list[tuple[int, list[PoolQuestion]]]:
    pools = []
    for rule in quiz.draw_rules.select_related("topic"):
        questions = (
            Question.objects.filter(topic=rule.topic, active=True)
            .for_quiz(quiz)
            .select_related("topic")
            .prefetch_related("choices")
        )
        pool = []
        for question in questions:
            choices = list(question.choices.all())
            correct = sum(1 << i for i, c in enumerate(choices) if c.is_correct)
            wrong = [i for i, c in enumerate(choices) if not c.is_correct]
            pool.append(
                PoolQuestion(
                    question, correct, len(choices), rng.gauss(-0.8, 1.0), rng.choice(wrong)
                )
            )
        pools.append((rule.count, pool))
    return pools


def _answer(item: PoolQuestion, chance: float, rng: random.Random) -> int:
    n = item.choice_count
    if item.question.kind != Question.Kind.MULTIPLE:
        if rng.random() < chance:
            return item.correct
        wrong = [i for i in range(n) if not item.correct >> i & 1]
        pick = item.distractor if rng.random() < 0.6 else rng.choice(wrong)
        return 1 << pick
    selected = 0
    for i in range(n):
        right = item.correct >> i & 1
        if (right and rng.random() < chance) or (not right and rng.random() < (1 - chance) / 2):
            selected |= 1 << i
    return selected or (1 << item.distractor)


def generate(
    *, trainees: int, attempts_per_trainee: int, now: datetime, seed: int = 1, progress=None
) -> dict:
    """Create trainees with graded certification attempts (and records for passes)."""
    rng = random.Random(seed)
    load_safety_bank()
    quiz = Quiz.objects.get(slug=CERTIFICATION_SLUG)
    floors = topic_floors(list(quiz.draw_rules.all()))
    pools = _pools(quiz, rng)
    password = make_password(secrets.token_urlsafe(16))
    run = secrets.token_hex(3)
    User = get_user_model()
    totals = {"trainees": 0, "attempts": 0, "responses": 0, "records": 0}
    for start in range(0, trainees, CHUNK):
        size = min(CHUNK, trainees - start)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        email=f"load-{run}-{start + i}@example.com",
                        full_name=f"Trainee {run.upper()} {start + i:05d}",
                        password=password,
                        date_joined=now - timedelta(days=400),
                        email_verified_at=now - timedelta(days=400),
                    )
                    for i in range(size)
                ]
            )
            attempts, drawn_by_attempt = [], []
            for user in users:
                ability = rng.gauss(0.6, 1.0)
                first = now - timedelta(days=rng.uniform(5, 360))
                for k in range(attempts_per_trainee):
                    started = first + timedelta(days=2 * k, minutes=rng.uniform(0, 600))
                    started = min(started, now - timedelta(hours=1))
                    attempt, drawn = _attempt(
                        quiz, floors, user, pools, ability + 0.25 * k, started, rng
                    )
                    attempts.append(attempt)
                    drawn_by_attempt.append(drawn)
            Attempt.objects.bulk_create(attempts, batch_size=1000)
            rows = []
            for attempt, drawn in zip(attempts, drawn_by_attempt, strict=True):
                for row in drawn:
                    row.attempt = attempt
                rows += drawn
            DrawnQuestion.objects.bulk_create(rows, batch_size=5000)
            tallies.add_graded(zip(attempts, drawn_by_attempt, strict=True))
            records = _records(quiz, attempts)
            CompletionRecord.objects.bulk_create(records, batch_size=1000)
        totals["trainees"] += size
        totals["attempts"] += len(attempts)
        totals["responses"] += len(rows)
        totals["records"] += len(records)
        if progress:
            progress(totals)
    return totals


def _attempt(quiz, floors, user, pools, ability, started, rng):
    drawn = []
    for count, pool in pools:
        for item in rng.sample(pool, count):
            chance = 1 / (1 + math.exp(-(ability - item.difficulty)))
            row = drawn_snapshot(item.question, shuffle_choices=quiz.shuffle_choices, rng=rng)
            row.selected = _answer(item, chance, rng)
            row.answered_at = started + timedelta(minutes=1)
            row.earned = earned_for(row.kind, row.correct, row.selected, len(row.choices))
            drawn.append(row)
    rng.shuffle(drawn)
    for position, row in enumerate(drawn, start=1):
        row.position = position
    by_topic: dict[int, TopicScore] = {}
    for row in drawn:
        old = by_topic.get(row.topic_id, TopicScore(row.topic_id, row.topic_name, 0.0, 0))
        by_topic[row.topic_id] = TopicScore(
            row.topic_id, row.topic_name, old.earned + row.earned, old.questions + 1
        )
    verdict = judge(
        list(by_topic.values()),
        pass_mark=quiz.pass_mark,
        topic_floor=quiz.topic_floor,
        topic_floors=floors,
        missed_critical=[r.position for r in drawn if r.critical and r.earned < 1],
    )
    attempt = Attempt(
        trainee=user,
        quiz=quiz,
        started_at=started,
        deadline=started + timedelta(minutes=quiz.time_limit_minutes or 30),
        submitted_at=started + timedelta(minutes=rng.uniform(8, 28)),
        pass_mark=quiz.pass_mark,
        topic_floor=quiz.topic_floor,
        topic_floors=floors,
        question_count=len(drawn),
        last_position=len(drawn),
        score=verdict.score,
        passed=verdict.passed,
    )
    attempt._topic_scores = list(by_topic.values())
    return attempt, drawn


def _records(quiz, attempts):
    """A record for each trainee's latest passing attempt (earlier passes were renewed)."""
    latest = {}
    for attempt in attempts:
        if attempt.passed:
            latest[attempt.trainee_id] = attempt
    academy = Academy.current()
    records = [new_record(a, a._topic_scores, academy=academy) for a in latest.values()]
    for record, position in zip(records, free_status_list_indexes(len(records)), strict=True):
        record.status_list_index = position
    return records
