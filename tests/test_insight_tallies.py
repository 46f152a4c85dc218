"""The item analysis and cohort mastery read tallies kept by grading: their figures must be the
ones computed directly from every response (tests/insight_oracle.py), whatever happened."""

import random
import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import tallies
from quizzes.attempts import (
    close_expired_attempts,
    save_response,
    start_attempt,
    submit_attempt,
)
from quizzes.insight import _group_bounds, cohort_mastery, item_analysis
from quizzes.models import Attempt, Choice, ItemTally, Question, TopicTally
from tests import insight_oracle
from tests.test_races import at_once, signed_in_clients


def answer_at_random(attempt, rng, now):
    """Answer most questions, some rightly, some partly, some wrongly; leave a few blank."""
    for drawn in attempt.drawn.order_by("position"):
        if rng.random() < 0.15:
            continue
        count = len(drawn.choices)
        if drawn.kind == "multiple":
            picks = [i for i in range(count) if rng.random() < 0.5] or [0]
        elif rng.random() < 0.6:
            picks = [next(i for i in range(count) if drawn.correct >> i & 1)]
        else:
            picks = [rng.randrange(count)]
        places = [str(drawn.display_order.index(i) + 1) for i in picks]
        save_response(attempt=attempt, position=drawn.position, values=places, now=now)


def assert_figures_match_the_responses(*quizzes):
    for quiz in quizzes:
        assert item_analysis(quiz) == insight_oracle.item_analysis(quiz)
        assert cohort_mastery(quiz.pk) == insight_oracle.cohort_mastery(quiz.pk)
    assert cohort_mastery() == insight_oracle.cohort_mastery()
    assert tallies.differences() == []


@pytest.fixture
def quizzes(quiz_factory):
    shuffled = {"shuffle_questions": True, "shuffle_choices": True}
    certification = quiz_factory(
        slug="cert", purpose="certification", time_limit_minutes=30, per_topic=4, **shuffled
    )
    practice = quiz_factory(slug="practice", topics=3, per_topic=3, **shuffled)
    return certification, practice


def sit_a_season(certification, practice, people, *, seed=7):
    """Four months of a cohort: certification attempts submitted or left to expire, practice,
    a second submit of the same attempt, and a question reworded halfway (a new version)."""
    rng = random.Random(seed)
    start = timezone.now() - timedelta(days=120)
    for i, person in enumerate(people):
        now = start + timedelta(days=9 * i, hours=rng.randrange(24))
        if i == len(people) // 2:
            question = Question.objects.filter(key__startswith="cert-").order_by("id").first()
            Choice.objects.filter(question=question, is_correct=False).update(
                text="A reworded wrong choice"
            )
        exam = start_attempt(quiz=certification, trainee=person, now=now)
        answer_at_random(exam, rng, now)
        if i % 4 == 3:  # left open: graded at the deadline by the cron job
            close_expired_attempts(now + timedelta(minutes=31))
        else:
            submit_attempt(attempt=exam, now=now + timedelta(minutes=12))
            submit_attempt(attempt=exam, now=now + timedelta(minutes=13))  # grades nothing
        later = now + timedelta(hours=2)
        for _ in range(1 + i % 2):
            drill = start_attempt(quiz=practice, trainee=person, now=later)
            answer_at_random(drill, rng, later)
            submit_attempt(attempt=drill, now=later)
            later += timedelta(minutes=30)


def test_the_tallied_figures_equal_those_computed_from_every_response(quizzes, make_user):
    certification, practice = quizzes
    people = [make_user(f"m{i}@example.com", f"Mixed {i:02d}") for i in range(14)]
    sit_a_season(certification, practice, people)
    assert Attempt.objects.filter(submitted_at=None).count() == 0
    versions = ItemTally.objects.filter(quiz=certification).values("question", "version")
    assert versions.distinct().count() > 8  # a question was drawn in two versions
    assert len({r["month"] for r in cohort_mastery()["months"]}) >= 4
    assert any(0 < f < 1 for f in certification.attempts.values_list("drawn__earned", flat=True))
    assert_figures_match_the_responses(certification, practice)


def test_ties_at_a_group_boundary_are_split_by_attempt_id(quiz_factory, make_user):
    quiz = quiz_factory(topics=1, per_topic=2, kinds=("single",))
    # Eight attempts all score 50%: the lower group (3) is the first three by id, the upper
    # group the last three; the first four miss question 2 and the last four question 1.
    for i in range(8):
        person = make_user(f"tie{i}@example.com", f"Tie {i}")
        attempt = start_attempt(quiz=quiz, trainee=person, now=timezone.now())
        right, wrong = ("1", "2") if i < 4 else ("2", "1")
        save_response(attempt=attempt, position=1, values=[right], now=timezone.now())
        save_response(attempt=attempt, position=2, values=[wrong], now=timezone.now())
        submit_attempt(attempt=attempt, now=timezone.now())
    graded = Attempt.objects.filter(quiz=quiz)
    (low_score, _), (high_score, _) = _group_bounds(graded, 3)
    assert low_score == high_score == 50  # both boundaries fall inside one tied score
    first, second = item_analysis(quiz).items
    assert (first.discrimination, second.discrimination) == (-1.0, 1.0)
    assert_figures_match_the_responses(quiz)


@pytest.mark.django_db(transaction=True)
def test_submits_at_once_count_each_attempt_once(quiz_factory, make_user):
    quiz = quiz_factory(slug="race", purpose="certification", topics=2, per_topic=3)
    people = [make_user(f"r{i}@example.com", f"Racer {i}") for i in range(6)]
    attempts = []
    rng = random.Random(3)
    for person in people:
        attempt = start_attempt(quiz=quiz, trainee=person, now=timezone.now())
        answer_at_random(attempt, rng, timezone.now())
        attempts.append(attempt)
    # Twenty requests submit the first attempt; then the others submit together, their
    # responses landing in the same tally rows.
    url = reverse("quizzes:submit", args=[attempts[0].pk])
    clients = iter(signed_in_clients(people[0]))
    lock = threading.Lock()

    def submit_one():
        with lock:
            client = next(clients)
        return client.post(url, {"confirm": "yes"})

    assert {r.status_code for r in at_once(submit_one)} == {302}
    rest = iter(attempts[1:])

    def submit_another():
        with lock:
            attempt = next(rest)
        client = Client()
        client.force_login(attempt.trainee)
        return client.post(reverse("quizzes:submit", args=[attempt.pk]), {"confirm": "yes"})

    assert {r.status_code for r in at_once(submit_another, count=5)} == {302}
    assert TopicTally.objects.aggregate(n=Sum("responses"))["n"] == 6 * 6
    assert_figures_match_the_responses(quiz)


def test_generated_load_data_is_tallied(db):
    from quizzes.load_data import generate

    generate(trainees=12, attempts_per_trainee=2, now=timezone.now(), seed=5)
    quiz = Attempt.objects.first().quiz
    assert_figures_match_the_responses(quiz)


def test_the_rebuild_command_finds_and_mends_a_wrong_tally(quizzes, make_user):
    certification, practice = quizzes
    people = [make_user(f"c{i}@example.com", f"C {i}") for i in range(4)]
    sit_a_season(certification, practice, people)
    before = item_analysis(certification)
    call_command("rebuild_insight_tallies", "--check")
    ItemTally.objects.filter(quiz=certification).update(responses=F("responses") + 1)
    TopicTally.objects.filter(quiz=practice).first().delete()
    with pytest.raises(CommandError, match="differ from the responses"):
        call_command("rebuild_insight_tallies", "--check")
    assert item_analysis(certification) != before
    call_command("rebuild_insight_tallies")
    call_command("rebuild_insight_tallies", "--check")
    assert item_analysis(certification) == before
    assert_figures_match_the_responses(certification, practice)


@pytest.mark.django_db(transaction=True)
def test_upgrading_fills_the_tallies_from_the_attempts_graded_before(quizzes, make_user):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    certification, practice = quizzes
    people = [make_user(f"u{i}@example.com", f"Upgrade {i}") for i in range(6)]
    sit_a_season(certification, practice, people, seed=11)
    figures = insight_oracle.item_analysis(certification), insight_oracle.cohort_mastery()
    executor = MigrationExecutor(connection)
    executor.migrate([("quizzes", "0018_code_misses_counted_by_throttle")])  # no tallies yet
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert TopicTally.objects.exists()
    assert (item_analysis(certification), cohort_mastery()) == figures
    assert_figures_match_the_responses(certification, practice)
