"""Completion records read by SQL written once (quizzes/record_reads.py) find what the ORM finds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from academy.models import Academy
from quizzes import record_reads
from quizzes.models import Attempt, CompletionRecord
from tests.conftest import pass_quiz


def fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def same_record(read, orm):
    assert fields(read) == fields(orm) and read.current_status == orm.current_status
    assert [type(v) for v in fields(read).values()] == [type(v) for v in fields(orm).values()]
    assert fields(read.quiz) == fields(orm.quiz)


@pytest.fixture
def records(certification, alice, quiz_factory):
    """Alice's records in every status: one per quiz, so each is her current one."""
    now = timezone.now()
    made = {}
    for status in ("valid", "expiring", "expired", "revoked"):
        quiz = quiz_factory(slug=f"cert-{status}", purpose="certification")
        pass_quiz(quiz, alice, now=now - timedelta(days={"valid": 1}.get(status, 400)))
        made[status] = CompletionRecord.objects.get(quiz=quiz)
    CompletionRecord.objects.filter(pk=made["expiring"].pk).update(
        expires_at=now + timedelta(days=10)
    )
    CompletionRecord.objects.filter(pk=made["expired"].pk).update(
        expires_at=now - timedelta(days=1)
    )
    CompletionRecord.objects.filter(pk=made["revoked"].pk).update(
        revoked_at=now, revocation_reason="Issued in error."
    )
    return now, made


def test_each_status_reads_as_the_orm_annotates_it(records):
    now, made = records
    for status, record in made.items():
        read = record_reads.record_by_code(record.verification_code, now)
        orm = CompletionRecord.objects.with_status(now).select_related("quiz").get(pk=record.pk)
        assert read.current_status == status
        same_record(read, orm)


def test_the_status_follows_the_time_it_is_read_at(records):
    now, made = records
    code = made["valid"].verification_code
    later = made["valid"].expires_at + timedelta(seconds=1)
    assert record_reads.record_by_code(code, later).current_status == "expired"
    soon = made["valid"].expires_at - timedelta(days=29)
    assert record_reads.record_by_code(code, soon).current_status == "expiring"
    # The edges fall as the ORM's rule puts them: expired at the instant, expiring from the
    # first instant of the window.
    expires = made["valid"].expires_at
    for at in (expires, expires - timedelta(days=30), expires - timedelta(days=30, seconds=1)):
        orm = CompletionRecord.objects.with_status(at).get(pk=made["valid"].pk).current_status
        assert record_reads.record_by_code(code, at).current_status == orm
    assert record_reads.record_by_code(code, expires).current_status == "expired"
    assert record_reads.record_by_code(code, expires - timedelta(days=30)).current_status == (
        "expiring"
    )


def test_an_attempts_record_comes_with_its_status_and_the_attempts_quiz(
    records, alice, quiz_factory, django_assert_num_queries
):
    now, made = records
    for status, record in made.items():
        attempt = Attempt.objects.select_related("quiz").get(pk=record.attempt_id)
        with django_assert_num_queries(1):
            read = record_reads.attempts_record(attempt, now)
            assert read.quiz is attempt.quiz
        same_record(read, CompletionRecord.objects.with_status(now).get(pk=record.pk))
        assert read.current_status == status
    practice = pass_quiz(quiz_factory(slug="practice"), alice, now=now)
    assert record_reads.attempts_record(practice, now) is None


def test_an_unknown_code_finds_nothing(records):
    assert record_reads.record_by_code("NOT-A-CODE", records[0]) is None


def test_a_holders_records_come_newest_first_or_one_quizs_oldest_first(records, alice, bob):
    now, made = records
    orm = (
        CompletionRecord.objects.filter(trainee=alice)
        .with_status(now)
        .select_related("quiz")
        .order_by("-issued_at")
    )
    read = record_reads.holders_records(alice.pk, None, now)
    assert [r.pk for r in read] == [r.pk for r in orm] and len(read) == 4
    for r, o in zip(read, orm, strict=True):
        same_record(r, o)
    quiz = made["valid"].quiz
    renewed = pass_quiz(quiz, alice, now=now)  # a renewal: the same quiz again
    chain = record_reads.holders_records(alice.pk, quiz.pk, now)
    assert [r.pk for r in chain] == [made["valid"].pk, renewed.completion_record.pk]
    assert record_reads.holders_records(bob.pk, None, now) == []


def test_the_academy_is_read_as_saved_or_from_the_environment(db, settings):
    saved = Academy.objects.get()  # made by a migration
    current = Academy.current()
    assert fields(current) == fields(saved) and not current._state.adding
    Academy.objects.all().delete()
    settings.CERTIFICATE_ISSUER_NAME = "Env Academy"
    assert Academy.current().name == "Env Academy" and Academy.current().pk is None


def test_a_rule_that_no_longer_compares_with_its_instants_is_refused(db, monkeypatch):
    from django.db import models

    blind = models.Case(default=models.Value("valid"), output_field=models.CharField())
    monkeypatch.setattr(record_reads, "status_case", lambda now, soon: blind)
    record_reads._compiled_status.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="no longer compares"):
            record_reads.status_sql(timezone.now())
    finally:
        record_reads._compiled_status.cache_clear()
