"""ORM queries compiled once (smptraining.rows.Prepared) return what the ORM returns."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes.attempts import start_attempt, submit_attempt
from quizzes.models import Attempt, Quiz
from smptraining import rows
from smptraining.rows import Prepared
from tests.conftest import answer_all
from tests.test_attempt_reads import same_instance


def _stats(trainee, since):
    return (
        Attempt.objects.filter(trainee=trainee, started_at__gte=since)
        .values_list("quiz_id")
        .annotate(best=Max("score", filter=Q(submitted_at__isnull=False)), n=Count("id"))
        .order_by("quiz_id")
    )


@pytest.fixture
def attempts(quiz_factory, alice, bob):
    now = timezone.now()
    made = []
    for slug, trainee, minutes in [("a", alice, 0), ("b", alice, 10), ("a", bob, 20)]:
        quiz = Quiz.objects.filter(slug=slug).first() or quiz_factory(slug=slug)
        attempt = start_attempt(quiz=quiz, trainee=trainee, now=now + timedelta(minutes=minutes))
        answer_all(attempt, skip={1} if minutes else set())
        made.append(submit_attempt(attempt=attempt, now=now + timedelta(minutes=minutes + 5)))
    return now, made


def test_a_values_query_runs_with_each_calls_own_values(attempts, alice, bob):
    now, _made = attempts
    prepared = Prepared(lambda trainee, since: _stats(trainee, since))
    for trainee, since in [(alice, now), (alice, now + timedelta(minutes=5)), (bob, now)]:
        read = prepared(trainee=trainee.pk, since=since)
        orm = list(_stats(trainee.pk, since))
        assert read == orm and read  # a Decimal score stays a Decimal
        assert [type(v) for row in read for v in row] == [type(v) for row in orm for v in row]
    assert prepared(trainee=alice.pk, since=now + timedelta(days=1)) == []


def test_a_model_query_gives_instances_with_their_related_one_loaded(
    attempts, alice, django_assert_num_queries
):
    prepared = Prepared(
        lambda trainee: (
            Attempt.objects.filter(trainee=trainee).select_related("quiz").order_by("started_at")
        )
    )
    read = prepared(trainee=alice.pk)
    orm = list(Attempt.objects.filter(trainee=alice).select_related("quiz").order_by("started_at"))
    assert len(read) == len(orm) == 2
    with django_assert_num_queries(0):
        for r, o in zip(read, orm, strict=True):
            same_instance(r, o)
            same_instance(r.quiz, o.quiz)


def test_an_empty_related_one_reads_as_none(quiz_factory):
    quiz = quiz_factory()
    [read] = Prepared(lambda pk: Quiz.objects.filter(pk=pk).select_related("trainer"))(pk=quiz.pk)
    assert read.trainer is None and read == quiz


def test_a_query_that_does_not_pass_a_value_through_as_it_is_is_refused(db):
    shifted = Prepared(lambda now: Attempt.objects.filter(started_at__gte=now - timedelta(days=1)))
    with pytest.raises(RuntimeError, match="does not compare with"):
        shifted(now=timezone.now())


def test_values_other_than_ids_and_instants_are_refused(db):
    with pytest.raises(TypeError):
        Prepared(lambda slug: Quiz.objects.filter(slug=slug))(slug="a")
    with pytest.raises(TypeError):  # None would compile to IS NULL: another query
        Prepared(lambda pk: Quiz.objects.filter(pk=pk))(pk=None)


def test_an_id_past_every_columns_range_finds_nothing(db):
    assert Prepared(lambda pk: Quiz.objects.filter(pk=pk))(pk=2**70) == []


def test_a_query_limited_by_only_gives_instances_with_those_fields_loaded(
    attempts, alice, django_assert_num_queries
):
    def build(trainee):
        return (
            Attempt.objects.filter(trainee=trainee)
            .select_related("quiz")
            .only("score", "quiz__title")
            .order_by("started_at")
        )

    read = Prepared(build)(trainee=alice.pk)
    orm = list(build(alice.pk))
    assert read[0].get_deferred_fields() == orm[0].get_deferred_fields() != set()
    with django_assert_num_queries(0):
        assert [(a.pk, a.score, a.quiz.title) for a in read] == [
            (a.pk, a.score, a.quiz.title) for a in orm
        ]


def test_a_read_outside_a_query_count_finds_what_a_counted_one_finds(attempts, alice):
    """Reads take the driver's cursor unless queries are being counted; both find the same."""
    now, _made = attempts
    prepared = Prepared(lambda trainee, since: _stats(trainee, since))
    plain = prepared(trainee=alice.pk, since=now)
    with CaptureQueriesContext(connection) as counted:
        assert prepared(trainee=alice.pk, since=now) == plain != []
    assert len(counted) == 1


def test_a_read_in_a_broken_transaction_is_refused_as_the_orms_would_be(alice):
    from accounts.models import User

    with transaction.atomic():
        with pytest.raises(IntegrityError):
            User.objects.create(email=alice.email, full_name="Alice Again")
        with pytest.raises(TransactionManagementError):
            rows.get(User, pk=alice.pk)
