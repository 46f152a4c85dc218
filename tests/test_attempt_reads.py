"""The question page's reads as fixed SQL (quizzes/attempt_reads.py) find what the ORM finds."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes import attempt_reads
from quizzes.attempts import check_response, start_attempt, submit_attempt
from quizzes.models import Attempt, DrawnQuestion
from tests.conftest import answer_all


def fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def same_instance(read, orm):
    assert type(read) is type(orm) and not read._state.adding
    assert fields(read) == fields(orm)
    # The same Python types too: a datetime stays aware, a score a Decimal, floors a dict.
    assert {k: type(v) for k, v in fields(read).items()} == {
        k: type(v) for k, v in fields(orm).items()
    }


@pytest.fixture
def graded(quiz_factory, alice):
    quiz = quiz_factory(slug="timed", time_limit_minutes=30)
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    answer_all(attempt, skip={2})
    return submit_attempt(attempt=attempt, now=timezone.now() + timedelta(minutes=5))


def test_a_trainees_attempt_comes_with_its_quiz_as_the_orm_reads_them(
    graded, alice, django_assert_num_queries
):
    read = attempt_reads.trainee_attempt(graded.pk, alice.pk)
    orm = Attempt.objects.select_related("quiz").get(pk=graded.pk)
    assert orm.score is not None and orm.deadline is not None and orm.passed is not None
    same_instance(read, orm)
    with django_assert_num_queries(0):  # the quiz came with the attempt
        same_instance(read.quiz, orm.quiz)


def test_another_trainees_or_a_missing_attempt_is_not_found(graded, bob, alice):
    assert attempt_reads.trainee_attempt(graded.pk, bob.pk) is None
    assert attempt_reads.trainee_attempt(graded.pk + 1000, alice.pk) is None


def test_the_locked_attempt_is_the_attempt_its_row_locked_where_rows_lock(graded):
    with CaptureQueriesContext(connection) as captured:
        same_instance(attempt_reads.locked_attempt(graded.pk), Attempt.objects.get(pk=graded.pk))
    locks = "FOR UPDATE" in captured.captured_queries[0]["sql"]
    assert locks == connection.features.has_select_for_update
    with pytest.raises(Attempt.DoesNotExist):
        attempt_reads.locked_attempt(graded.pk + 1000)


def test_an_id_too_large_for_any_column_finds_nothing(graded, alice_client, alice):
    huge = 2**63
    assert attempt_reads.trainee_attempt(huge, alice.pk) is None
    assert attempt_reads.drawn_question(graded.pk, huge) is None
    assert attempt_reads.navigator(huge) == []
    for url in (f"/attempts/{huge}/questions/1/", f"/attempts/{huge}/review/"):
        assert alice_client.get(url).status_code == 404


def test_drawn_questions_answered_checked_and_open_read_as_the_orm_reads_them(quiz_factory, alice):
    attempt = start_attempt(quiz=quiz_factory(slug="practice"), trainee=alice, now=timezone.now())
    answer_all(attempt, skip={2, 3})
    drawn = attempt.drawn.get(position=3)
    check_response(attempt=attempt, position=3, values=["1"], now=timezone.now())
    for position in (1, 2, 3):
        orm = DrawnQuestion.objects.get(attempt=attempt, position=position)
        same_instance(attempt_reads.drawn_question(attempt.pk, position), orm)
    assert DrawnQuestion.objects.get(pk=drawn.pk).checked_at is not None
    assert attempt_reads.drawn_question(attempt.pk, attempt.question_count + 1) is None


def test_the_navigator_says_which_questions_are_answered_in_order(quiz_factory, alice):
    attempt = start_attempt(quiz=quiz_factory(), trainee=alice, now=timezone.now())
    answer_all(attempt, skip={1, 3})
    assert attempt_reads.navigator(attempt.pk) == [
        (position, position not in (1, 3)) for position in range(1, attempt.question_count + 1)
    ]
