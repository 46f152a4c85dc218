import io
import random
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes.attempts import (
    AttemptRefused,
    close_expired_attempts,
    drawn_snapshot,
    missed_questions,
    move,
    save_response,
    start_attempt,
    start_missed_practice,
    submit_attempt,
)
from quizzes.models import Attempt, DrawnQuestion, Question
from tests.conftest import answer_all


def start(quiz, trainee, now=None):
    return start_attempt(
        quiz=quiz, trainee=trainee, now=now or timezone.now(), rng=random.Random(1)
    )


def test_start_draws_by_the_rules_and_snapshots_each_question(quiz_factory, alice):
    quiz = quiz_factory(topics=3, per_topic=4)
    attempt = start(quiz, alice)
    drawn = list(attempt.drawn.all())
    assert len(drawn) == attempt.question_count == 12
    assert sorted(d.topic_name for d in drawn).count("Topic 2") == 4
    first = drawn[0]
    assert first.prompt == first.question.prompt
    assert [c["text"] for c in first.choices] == [c.text for c in first.question.choices.all()]


def test_an_edit_after_the_start_changes_neither_review_nor_score(quiz_factory, alice):
    quiz = quiz_factory(topics=1, per_topic=2, kinds=("single",))
    attempt = start(quiz, alice)
    answer_all(attempt, right=True)
    question = attempt.drawn.get(position=1).question
    question.prompt = "Rewritten"
    question.save()
    question.choices.update(is_correct=False)
    question.choices.filter(text__startswith="Wrong").update(is_correct=True)
    graded = submit_attempt(attempt=attempt, now=timezone.now())
    assert graded.score == 100
    assert attempt.drawn.get(position=1).prompt == "Prompt 1.1?"


def test_shuffling_changes_the_order_shown_but_not_the_key(quiz_factory, alice):
    quiz = quiz_factory(
        topics=1, per_topic=5, kinds=("single",), shuffle_choices=True, shuffle_questions=True
    )
    attempt = start(quiz, alice)
    orders = [d.display_order for d in attempt.drawn.all()]
    assert any(order != sorted(order) for order in orders)
    answer_all(attempt, right=True)
    assert submit_attempt(attempt=attempt, now=timezone.now()).score == 100


def test_the_deadline_is_set_from_the_time_limit(quiz_factory, alice):
    quiz = quiz_factory(time_limit_minutes=30)
    now = timezone.now()
    attempt = start(quiz, alice, now)
    assert attempt.deadline == now + timedelta(minutes=30)


def test_starting_again_returns_the_attempt_in_progress(quiz_factory, alice):
    quiz = quiz_factory()
    assert start(quiz, alice).pk == start(quiz, alice).pk
    assert Attempt.objects.count() == 1


def test_no_answer_is_accepted_after_the_deadline(quiz_factory, alice):
    quiz = quiz_factory(time_limit_minutes=10)
    started = timezone.now()
    attempt = start(quiz, alice, started)
    with pytest.raises(AttemptRefused, match="Time is up"):
        save_response(
            attempt=attempt,
            position=1,
            values=["0"],
            now=started + timedelta(minutes=10, seconds=1),
        )
    assert attempt.drawn.get(position=1).selected is None


def test_an_expired_attempt_is_graded_with_what_was_saved_by_the_deadline(quiz_factory, alice):
    quiz = quiz_factory(topics=1, per_topic=4, kinds=("single",), time_limit_minutes=10)
    started = timezone.now()
    attempt = start(quiz, alice, started)
    for position in (1, 2):
        save_response(
            attempt=attempt,
            position=position,
            values=["1"],  # not shuffled: the first choice shown is the right one
            now=started + timedelta(minutes=5),
        )
    graded = submit_attempt(attempt=attempt, now=started + timedelta(hours=3))
    assert graded.submitted_at == started + timedelta(minutes=10)
    assert graded.score == 50


def test_close_expired_attempts_grades_the_abandoned_ones(quiz_factory, alice, bob):
    quiz = quiz_factory(time_limit_minutes=10)
    started = timezone.now() - timedelta(hours=1)
    abandoned = start(quiz, alice, started)
    running = start(quiz, bob, timezone.now())
    out = io.StringIO()
    call_command("close_expired_attempts", stdout=out)
    assert "Graded 1 expired attempt" in out.getvalue()
    abandoned.refresh_from_db()
    running.refresh_from_db()
    assert abandoned.submitted_at == started + timedelta(minutes=10)
    assert running.submitted_at is None
    assert close_expired_attempts(timezone.now()) == 0


def test_a_submitted_attempt_takes_no_more_answers(quiz_factory, alice):
    quiz = quiz_factory()
    attempt = start(quiz, alice)
    submit_attempt(attempt=attempt, now=timezone.now())
    with pytest.raises(AttemptRefused, match="submitted"):
        save_response(attempt=attempt, position=1, values=["0"], now=timezone.now())


def test_a_second_submit_grades_nothing_again(quiz_factory, alice):
    quiz = quiz_factory()
    attempt = start(quiz, alice)
    answer_all(attempt, right=True)
    first = submit_attempt(attempt=attempt, now=timezone.now())
    DrawnQuestion.objects.filter(attempt=attempt).update(earned=0)  # would change a regrade
    second = submit_attempt(attempt=attempt, now=timezone.now() + timedelta(minutes=5))
    assert (second.submitted_at, second.score) == (first.submitted_at, first.score)


def test_a_posted_choice_must_belong_to_the_question(quiz_factory, alice):
    quiz = quiz_factory(kinds=("single",))
    attempt = start(quiz, alice)
    for values in (["99"], ["0"], ["-1"], ["abc"], ["1", "2"]):
        with pytest.raises(AttemptRefused, match="does not belong to this question"):
            save_response(attempt=attempt, position=1, values=values, now=timezone.now())
    assert attempt.drawn.get(position=1).selected is None


def test_the_attempt_limit_is_kept(quiz_factory, alice):
    quiz = quiz_factory(max_attempts=2)
    for _ in range(2):
        submit_attempt(attempt=start(quiz, alice), now=timezone.now())
    with pytest.raises(AttemptRefused, match="used all 2 attempts"):
        start(quiz, alice)
    assert Attempt.objects.count() == 2


def test_the_cooldown_is_kept(quiz_factory, alice):
    quiz = quiz_factory(cooldown_minutes=60)
    now = timezone.now()
    submit_attempt(attempt=start(quiz, alice, now), now=now)
    with pytest.raises(AttemptRefused, match="start again in 31 minutes"):
        start(quiz, alice, now + timedelta(minutes=30))
    assert start(quiz, alice, now + timedelta(minutes=61)).submitted_at is None


def test_a_topic_without_enough_active_questions_refuses_the_start(quiz_factory, alice):
    quiz = quiz_factory(per_topic=3)
    Question.objects.filter(key="quiz-t2-q1").update(active=False)
    with pytest.raises(AttemptRefused, match="Topic 2"):
        start(quiz, alice)


@pytest.mark.parametrize("per_topic", [2, 25])
def test_submitting_100_questions_uses_bulk_operations(quiz_factory, alice, per_topic):
    quiz = quiz_factory(topics=4, per_topic=per_topic)  # 8 or 100 questions
    attempt = start(quiz, alice)
    answer_all(attempt, right=True)
    # Claim, load responses, one update of the credits, reload, topic aggregate, critical
    # misses, save score, add to the topic, score and item tallies, savepoint and release: 12,
    # for 8 questions as for 100.
    with CaptureQueriesContext(connection) as queries:
        graded = submit_attempt(attempt=attempt, now=timezone.now())
    assert graded.score == 100
    assert len(queries) <= 12


def test_grading_stores_each_questions_own_credit(quiz_factory, alice):
    quiz = quiz_factory(topics=2, per_topic=6)  # single, multiple and true/false questions
    attempt = start(quiz, alice)
    answer_all(attempt, right=True, skip=(2,))
    answer_all(attempt, right=False, skip=(1, 2, 3, 4))
    multiple = attempt.drawn.filter(kind="multiple", position__gt=4).order_by("position").first()
    one_right = next(i for i in range(len(multiple.choices)) if multiple.correct >> i & 1)
    place = multiple.display_order.index(one_right) + 1
    save_response(
        attempt=attempt, position=multiple.position, values=[str(place)], now=timezone.now()
    )

    submit_attempt(attempt=attempt, now=timezone.now())

    credits = {d.position: d.earned for d in attempt.drawn.all()}
    expected = {p: 1.0 if p in (1, 3, 4) else 0.0 for p in credits}  # 2 is unanswered
    assert credits == expected | {multiple.position: 0.5}  # one of its two right choices


def test_practice_what_i_missed_is_made_of_the_last_wrong_answers(quiz_factory, alice):
    quiz = quiz_factory(topics=1, per_topic=4, kinds=("single",))
    attempt = start(quiz, alice)
    answer_all(attempt, right=True, skip=(2,))
    submit_attempt(attempt=attempt, now=timezone.now())
    missed = attempt.drawn.get(position=2).question_id
    assert missed_questions(alice).practice_ids == [missed]
    practice = start_missed_practice(trainee=alice, now=timezone.now())
    assert [d.question_id for d in practice.drawn.all()] == [missed]
    assert practice.is_missed_practice
    assert start_missed_practice(trainee=alice, now=timezone.now()) == practice  # resumed


def test_a_later_right_answer_takes_a_question_off_the_missed_list(quiz_factory, alice):
    quiz = quiz_factory(topics=1, per_topic=3, kinds=("single",))
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        first = start(quiz, alice)
        submit_attempt(attempt=first, now=timezone.now())
    second = start(quiz, alice)
    answer_all(second, right=True)
    submit_attempt(attempt=second, now=timezone.now())
    assert missed_questions(alice).count == 0
    with pytest.raises(AttemptRefused, match="no missed questions"):
        start_missed_practice(trainee=alice, now=timezone.now())


@pytest.mark.parametrize(
    ("position", "go", "target", "remembered"),
    [
        (2, "next", 3, 3),
        (2, "prev", 1, 1),
        (1, "prev", 1, 1),
        (2, "4", 4, 4),
        (2, "99", None, 1),  # past the last question: the review page
        (4, "next", None, 1),
        (2, "review", None, 1),
        (2, "stay", 2, 1),  # the script's autosave: no move, nothing remembered
        (2, "nonsense", 2, 2),
    ],
)
def test_a_move_leads_where_the_button_says_and_is_remembered(
    quiz_factory, alice, position, go, target, remembered
):
    attempt = start(quiz_factory(topics=1, per_topic=4), alice)
    assert move(attempt=attempt, position=position, go=go) == target
    attempt.refresh_from_db()
    assert attempt.last_position == remembered


def test_generated_load_data_snapshots_questions_as_real_attempts_do(db):
    from quizzes.load_data import generate
    from quizzes.models import CompletionRecord

    totals = generate(trainees=30, attempts_per_trainee=2, now=timezone.now(), seed=3)
    # Passes issue records, each with its own place in the revocation status list.
    positions = CompletionRecord.objects.values_list("status_list_index", flat=True)
    assert 0 < totals["records"] == len(set(positions))
    drawn = DrawnQuestion.objects.select_related("question__topic").first()
    question = Question.objects.prefetch_related("choices").get(pk=drawn.question_id)
    fresh = drawn_snapshot(question, shuffle_choices=False, rng=random.Random(0))
    assert (drawn.prompt, drawn.version, drawn.topic_name) == (
        fresh.prompt,
        fresh.version,
        fresh.topic_name,
    )
    assert sorted(drawn.display_order) == fresh.display_order


def test_starting_locks_the_trainees_row_before_counting_attempts(quiz_factory, alice):
    quiz = quiz_factory(slug="limited", max_attempts=1)
    with CaptureQueriesContext(connection) as queries:
        start(quiz, alice)
    first = next(q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])
    assert "accounts_user" in first
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in first


@pytest.mark.django_db(transaction=True)
def test_twenty_starts_at_once_with_one_attempt_left_start_one(quiz_factory, make_user):
    """Needs PostgreSQL to race (CI runs it there); SQLite makes writers take turns anyway."""
    import threading

    from django.db import connections

    from quizzes.attempts import AttemptRefused

    quiz = quiz_factory(slug="limited", max_attempts=2)
    trainee = make_user("racer@example.com", "Rae Racer")
    submit_attempt(attempt=start(quiz, trainee), now=timezone.now())
    barrier = threading.Barrier(20)
    outcomes = []

    def start_at_once():
        try:
            barrier.wait()
            outcomes.append(start(quiz, trainee).pk)
        except AttemptRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start_at_once) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 20
    assert Attempt.objects.filter(quiz=quiz, trainee=trainee).count() == 2
    second = Attempt.objects.get(quiz=quiz, trainee=trainee, submitted_at=None)
    assert set(outcomes) <= {second.pk, "refused"}
